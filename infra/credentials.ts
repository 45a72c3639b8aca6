import type { Kysely } from 'kysely';
import type { ConfigurableProvider } from '../workflows/pipeline';
import type { Config } from './config';
import type { Database } from './db/schema';
import type { Credentials } from './providerSettings';
import { createSealer, loadSecret, type Sealer } from './secrets';

export interface CredentialStore {
  get(userId: string, provider: ConfigurableProvider): Promise<Credentials | undefined>;
  set(userId: string, provider: ConfigurableProvider, credentials: Credentials): Promise<void>;
  remove(userId: string, provider: ConfigurableProvider): Promise<boolean>;
  /** Which providers the user has keys for, with the base URL (never the key). */
  list(userId: string): Promise<{ provider: string; baseUrl: string | null; updatedAt: Date }[]>;
}

/** Seals the secrets kept at rest (users' provider keys, webhook signing secrets) with CREDENTIALS_KEY (or data/credentials-key). */
export function credentialsSealer(config: Config): Sealer {
  return createSealer(loadSecret(config, process.env.CREDENTIALS_KEY, 'credentials-key'));
}

/** Users' provider keys, encrypted at rest. */
export function createCredentialStore(db: Kysely<Database>, config: Config): CredentialStore {
  const sealer = credentialsSealer(config);
  const read = (encrypted: string) => JSON.parse(sealer.open(encrypted)) as Credentials;
  return {
    async get(userId, provider) {
      const row = await db
        .selectFrom('provider_credentials')
        .select('encrypted')
        .where('user_id', '=', userId)
        .where('provider', '=', provider)
        .executeTakeFirst();
      return row ? read(row.encrypted) : undefined;
    },
    async set(userId, provider, credentials) {
      const encrypted = sealer.seal(JSON.stringify(credentials));
      await db
        .insertInto('provider_credentials')
        .values({ user_id: userId, provider, encrypted })
        .onConflict((oc) => oc.columns(['user_id', 'provider']).doUpdateSet({ encrypted, updated_at: new Date() }))
        .execute();
    },
    async remove(userId, provider) {
      const result = await db
        .deleteFrom('provider_credentials')
        .where('user_id', '=', userId)
        .where('provider', '=', provider)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async list(userId) {
      const rows = await db
        .selectFrom('provider_credentials')
        .select(['provider', 'encrypted', 'updated_at'])
        .where('user_id', '=', userId)
        .execute();
      return rows.map((r) => ({ provider: r.provider, baseUrl: read(r.encrypted).baseUrl ?? null, updatedAt: r.updated_at }));
    },
  };
}
