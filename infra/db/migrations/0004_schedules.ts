import { sql, type Kysely } from 'kysely';

/**
 * Who owns which schedule. The schedule itself (its spec, policies, state, next and recent actions) lives in
 * Temporal, which fires it; a row per schedule lists a user's schedules (Temporal's own listing is eventually
 * consistent) and answers ownership. It also keeps the spec as the user wrote it: Temporal stores a cron
 * expression only in canonical calendar form.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('schedules')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('pipeline_id', 'uuid', (col) => col.notNull().references('pipelines.id').onDelete('cascade'))
    .addColumn('cron', 'text')
    .addColumn('every', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('schedules_one_spec_check', sql`(cron is null) <> (every is null)`)
    .execute();
  await db.schema.createIndex('schedules_user_created_idx').on('schedules').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('schedules_pipeline_idx').on('schedules').column('pipeline_id').execute();
}
