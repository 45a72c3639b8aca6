import { sql, type Kysely } from 'kysely';

/**
 * Share links: read-only pages of one run's outputs for anyone holding the link. Only the SHA-256 of the
 * link's token is stored, so the database alone opens nothing; revoking keeps the row (revoked_at) and the
 * link answers 404 from then on. Deleting the run (or its owner) deletes its shares.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('shares')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('run_id', 'uuid', (col) => col.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('views', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_viewed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('shares_run_idx').on('shares').columns(['run_id', 'created_at']).execute();
}
