import { describe, expect, it } from 'vitest';
import { readableApiMessage } from './apiMessages';

describe('API error messages as the studio shows them', () => {
  it('turns a refused field into a sentence that starts with the field', () => {
    expect(readableApiMessage('Invalid body: password: must be at least 8 characters')).toBe('Password must be at least 8 characters.');
    expect(readableApiMessage('Invalid body: newPassword: must be at least 8 characters')).toBe(
      'New password must be at least 8 characters.',
    );
  });

  it('keeps a colon where the message does not go on from the field, and reads every issue', () => {
    expect(readableApiMessage('Invalid body: email: the part before the @ must be at most 64 characters; name: is required')).toBe(
      'Email: the part before the @ must be at most 64 characters. Name is required.',
    );
    expect(readableApiMessage('Invalid body: paths.0: must be /api/media/<id>/content')).toBe('Paths must be /api/media/<id>/content.');
  });

  it('leaves other messages as the API wrote them', () => {
    expect(readableApiMessage('Wrong email or password')).toBe('Wrong email or password');
    expect(readableApiMessage('Pipeline not found')).toBe('Pipeline not found');
  });
});
