import type { Kysely } from 'kysely';

/**
 * Re-runs: a run started from another ("Run from here", "Retry failed") names its parent, and a node whose
 * output it reused from an earlier run records where from and what that saved ({fromRunId, savedUsd}).
 * Deleting the parent keeps the re-run (its parent link becomes null).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('runs')
    .addColumn('parent_run_id', 'uuid', (col) => col.references('runs.id').onDelete('set null'))
    .execute();
  await db.schema.alterTable('run_nodes').addColumn('cached', 'jsonb').execute();
}
