import type { Kysely } from 'kysely';

/**
 * The pipeline's draft: what the editor shows, autosaved on every change whether or not it is a valid
 * graph. Recording a version copies it into pipeline_versions and clears it. One per pipeline, so columns.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pipelines').addColumn('draft_graph', 'jsonb').addColumn('draft_saved_at', 'timestamptz').execute();
}
