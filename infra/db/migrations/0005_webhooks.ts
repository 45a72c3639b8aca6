import { sql, type Kysely } from 'kysely';

/**
 * Webhooks out: a pipeline's endpoints (the signing secret sealed with the credentials key) and their
 * delivery log, one row per attempt, kept with the webhook (deleting it, or its pipeline, deletes the log).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('pipeline_id', 'uuid', (col) => col.notNull().references('pipelines.id').onDelete('cascade'))
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('events', 'jsonb', (col) => col.notNull())
    .addColumn('secret_sealed', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('webhooks_pipeline_idx').on('webhooks').columns(['pipeline_id', 'created_at']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('webhook_id', 'uuid', (col) => col.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('event', 'text', (col) => col.notNull())
    .addColumn('run_id', 'uuid')
    .addColumn('attempt', 'integer', (col) => col.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_ms', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addUniqueConstraint('webhook_deliveries_attempt_key', ['webhook_id', 'message_id', 'attempt'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_webhook_created_idx')
    .on('webhook_deliveries')
    .columns(['webhook_id', 'created_at desc'])
    .execute();
}
