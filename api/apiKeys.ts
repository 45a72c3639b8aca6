import { createHash, randomBytes } from 'node:crypto';

/**
 * API key secrets: `cf_` + 32 random bytes (base64url). Stored as their SHA-256 only. A slow password hash
 * (argon2, as for passwords) buys nothing here: it protects guessable secrets, and 256 random bits can't be
 * guessed, while it would add its cost to every API call. A fast hash also lets the key be found by an
 * index lookup on the hash instead of trying every stored key.
 */
export const API_KEY_PREFIX = 'cf_';
/** How much of the key is stored in the clear and shown in lists, to tell keys apart. */
const SHOWN_CHARS = API_KEY_PREFIX.length + 8;

export const isApiKey = (token: string) => token.startsWith(API_KEY_PREFIX);

export const hashApiKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, SHOWN_CHARS), hash: hashApiKey(key) };
}
