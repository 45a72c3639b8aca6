import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ApiKeyScope, Database } from '../../infra/db/schema';
import type { ApiKeyInfo, Wire } from '../schemas';

/** How stale last_used_at may get: it is written at most this often per key, not on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface ActiveApiKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  userId: string;
  email: string;
  plan: string;
  lastUsedAt: Date | null;
}

export function createApiKeyRepository(db: Kysely<Database>) {
  const columns = ['id', 'name', 'scope', 'prefix', 'created_at as createdAt', 'last_used_at as lastUsedAt'] as const;
  return {
    async create(
      userId: string,
      key: { name: string; scope: ApiKeyScope; prefix: string; hash: string },
    ): Promise<Wire<typeof ApiKeyInfo>> {
      return db
        .insertInto('api_keys')
        .values({ id: randomUUID(), user_id: userId, name: key.name, scope: key.scope, prefix: key.prefix, key_hash: key.hash })
        .returning(columns)
        .executeTakeFirstOrThrow();
    },

    /** The user's keys that still work, newest first. */
    list(userId: string): Promise<Wire<typeof ApiKeyInfo>[]> {
      return db
        .selectFrom('api_keys')
        .select(columns)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
    },

    /** False when the user has no such working key. */
    async revoke(userId: string, id: string): Promise<boolean> {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: new Date() })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * The working key with this hash and the account it belongs to (which must still exist and be active), read
     * per request. A password change leaves keys working: they are credentials of their own, revoked one by one.
     */
    async findActive(hash: string): Promise<ActiveApiKey | undefined> {
      return db
        .selectFrom('api_keys as k')
        .innerJoin('users as u', 'u.id', 'k.user_id')
        .select(['k.id', 'k.name', 'k.scope', 'k.user_id as userId', 'u.email', 'u.plan', 'k.last_used_at as lastUsedAt'])
        .where('k.key_hash', '=', hash)
        .where('k.revoked_at', 'is', null)
        .where('u.is_active', '=', true)
        .executeTakeFirst();
    },

    /** Records a use; a no-op when another request (of any replica) recorded one within the resolution. */
    async touch(id: string): Promise<void> {
      await db
        .updateTable('api_keys')
        .set({ last_used_at: sql`now()` })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('last_used_at', 'is', null),
            eb('last_used_at', '<', sql<Date>`now() - ${`${LAST_USED_RESOLUTION_MS} milliseconds`}::interval`),
          ]),
        )
        .execute();
    },
  };
}
export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
