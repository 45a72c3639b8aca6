import { describe, expect, it } from 'vitest';
import { newApiKey } from '../api/apiKeys';
import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('masks an API key wherever it appears, keeping the prefix the key list shows', () => {
    const { key, prefix } = newApiKey();
    const line = redactSecrets(`[api] failed: no such thing as ${key} here; again (${key})`);
    expect(line).not.toContain(key.slice(prefix.length));
    expect(line).toBe(`[api] failed: no such thing as ${prefix}[redacted] here; again (${prefix}[redacted])`);
    expect(redactSecrets(`Authorization: Bearer ${key}`)).toBe('Authorization: Bearer [redacted]');
  });
});
