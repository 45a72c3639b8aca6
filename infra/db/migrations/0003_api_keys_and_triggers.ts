import { sql, type Kysely } from 'kysely';

/**
 * API keys get a scope; a run records what started it as an object; a retried REST start finds its run
 * by Idempotency-Key.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Until now a run's trigger was text: 'api' for the REST starts, or (scheduled runs, recorded before this
  // migration) the RunTrigger object as JSON text. The API always says what started a run (the repository requires
  // it); the default, the old one as an object, only serves rows written by hand.
  await sql`alter table runs alter column trigger drop default`.execute(db);
  await sql`
    alter table runs alter column trigger type jsonb
    using case
      when trigger like '{%' then trigger::jsonb
      else jsonb_build_object('kind', case when trigger in ('studio', 'api', 'schedule', 'rerun') then trigger else 'api' end)
    end
  `.execute(db);
  await sql`alter table runs alter column trigger set default '{"kind": "api"}'::jsonb`.execute(db);
  // The run lists filter by kind, and by schedule for a schedule's own history.
  await sql`create index runs_user_trigger_created_idx on runs (user_id, (trigger->>'kind'), created_at desc)`.execute(db);
  await sql`
    create index runs_user_schedule_created_idx on runs (user_id, (trigger->>'scheduleId'), created_at desc)
    where trigger->>'scheduleId' is not null
  `.execute(db);

  // No key was ever issued before this migration, so the default only satisfies `not null` on an empty table.
  await db.schema
    .alterTable('api_keys')
    .addColumn('scope', 'text', (col) =>
      col
        .notNull()
        .defaultTo('read')
        .check(sql`scope in ('read', 'run', 'admin')`),
    )
    .execute();
  await sql`alter table api_keys alter column scope drop default`.execute(db);

  // One row per (user, Idempotency-Key): the primary key is what makes concurrent retries start one run.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('run_id', 'uuid', (col) => col.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['user_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_run_idx').on('idempotency_keys').column('run_id').execute();
}
