import { sql, type Kysely } from 'kysely';

/**
 * The user's runs still in flight, which every run start counts against the plan's concurrent runs: without this
 * index the count read every run the user ever made, so starts grew slower with each run.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index runs_user_active_idx on runs (user_id) where status in ('queued', 'running')`.execute(db);
}
