import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { HttpError } from '../http';
import type { RefreshTokenRepository } from '../repositories/refreshTokens';

/** A refresh token outlives many access tokens; each use spends it and hands out its successor. */
const REFRESH_TTL_MS = 30 * 24 * 3600 * 1000;

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

const refused = (message: string) => new HttpError(401, 'invalid_refresh_token', `refreshToken: ${message}`);

/**
 * Rotating refresh tokens. One family per login: every token exchanged for a new one is spent, and a spent one
 * coming back means it was copied, so the whole family (the thief's and the owner's newer tokens) is revoked.
 */
export function createSessionService(tokens: RefreshTokenRepository) {
  const issue = async (userId: string, familyId: string = randomUUID()): Promise<string> => {
    const token = randomBytes(32).toString('base64url');
    await tokens.insert({ userId, familyId, tokenHash: hash(token), expiresAt: new Date(Date.now() + REFRESH_TTL_MS) });
    return token;
  };

  return {
    /** A new session (login, register): the first refresh token of a new family. */
    start: (userId: string) => issue(userId),

    /** Spends the token and returns its successor and whose it is; a replayed token revokes its family. */
    async rotate(token: string): Promise<{ userId: string; refreshToken: string }> {
      const row = await tokens.findByHash(hash(token));
      if (!row) throw refused('unknown refresh token');
      if (row.revoked_at) throw refused('this session has been signed out');
      if (row.spent_at || !(await tokens.spend(row.id))) {
        await tokens.revokeFamily(row.family_id);
        throw refused('this refresh token was already used; the session is signed out everywhere it was copied to');
      }
      if (row.expires_at.getTime() <= Date.now()) throw refused('this session has expired; log in again');
      return { userId: row.user_id, refreshToken: await issue(row.user_id, row.family_id) };
    },

    /** Logout: the token's family stops working (an unknown token is not an error: the session is gone either way). */
    async end(token: string): Promise<void> {
      const row = await tokens.findByHash(hash(token));
      if (row) await tokens.revokeFamily(row.family_id);
    },

    /** Every session of the user (password change, deactivation). */
    endAll: (userId: string) => tokens.revokeAllOf(userId),
  };
}
export type SessionService = ReturnType<typeof createSessionService>;
