import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';

/** Refresh tokens by their SHA-256 hash (the token itself is never stored). */
export function createRefreshTokenRepository(db: Kysely<Database>) {
  return {
    insert(t: { userId: string; familyId: string; tokenHash: string; expiresAt: Date }) {
      return db
        .insertInto('refresh_tokens')
        .values({ id: randomUUID(), user_id: t.userId, family_id: t.familyId, token_hash: t.tokenHash, expires_at: t.expiresAt })
        .execute();
    },
    findByHash(tokenHash: string) {
      return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    /** Marks the token spent; false when it already was (a concurrent or replayed use). */
    async spend(id: string): Promise<boolean> {
      const row = await db
        .updateTable('refresh_tokens')
        .set({ spent_at: new Date() })
        .where('id', '=', id)
        .where('spent_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async revokeFamily(familyId: string): Promise<void> {
      await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: new Date() })
        .where('family_id', '=', familyId)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revokeAllOf(userId: string): Promise<void> {
      await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: new Date() })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
    },
  };
}
export type RefreshTokenRepository = ReturnType<typeof createRefreshTokenRepository>;
