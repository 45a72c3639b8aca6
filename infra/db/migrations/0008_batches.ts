import { sql, type Kysely } from 'kysely';

/**
 * Batches: one pipeline run over several inputs, or over N seeds of them. Each item is an ordinary run (its own
 * row in runs); batch_runs says which runs a batch made, in which order, and with which seed (null: the
 * pipeline's own params). Deleting the pipeline, or the user, deletes its batches; deleting a run its item.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('batches')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('pipeline_id', 'uuid', (col) => col.notNull().references('pipelines.id').onDelete('cascade'))
    .addColumn('pipeline_version', 'integer', (col) => col.notNull())
    .addColumn('concurrency', 'integer', (col) => col.notNull())
    .addColumn('seeds', 'integer')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('batches_user_idx').on('batches').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('batch_runs')
    .addColumn('batch_id', 'uuid', (col) => col.notNull().references('batches.id').onDelete('cascade'))
    .addColumn('run_id', 'uuid', (col) => col.notNull().unique().references('runs.id').onDelete('cascade'))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('seed', 'integer')
    .addPrimaryKeyConstraint('batch_runs_pkey', ['batch_id', 'position'])
    .execute();
}
