import { sql, type Kysely } from 'kysely';

/**
 * The output cache: a node's successful output, by the key of what it computed (its type, params and inputs' keys),
 * one entry per user and key. Deleting the run that made it drops the entry (its artifacts go with the run).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cache_entries')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('run_id', 'uuid', (col) => col.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('pipeline_id', 'uuid', (col) => col.references('pipelines.id').onDelete('set null'))
    .addColumn('node_id', 'text', (col) => col.notNull())
    .addColumn('node_type', 'text', (col) => col.notNull())
    .addColumn('output', 'jsonb', (col) => col.notNull())
    .addColumn('cost_usd', 'numeric(12, 6)', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('cache_entries_user_key', ['user_id', 'key'])
    .execute();
}
