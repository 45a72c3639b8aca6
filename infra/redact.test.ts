import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('masks an API key wherever it appears, keeping the prefix the key list shows', () => {
    const key = `cf_${randomBytes(32).toString('base64url')}`; // as api/apiKeys.ts makes them
    const prefix = key.slice(0, 11);
    const line = redactSecrets(`[api] failed: no such thing as ${key} here; again (${key})`);
    expect(line).not.toContain(key.slice(prefix.length));
    expect(line).toBe(`[api] failed: no such thing as ${prefix}[redacted] here; again (${prefix}[redacted])`);
    expect(redactSecrets(`Authorization: Bearer ${key}`)).toBe('Authorization: Bearer [redacted]');
  });
});
