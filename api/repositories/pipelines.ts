import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import type { Graph } from '../../workflows/pipeline';
import type { Pipeline, PipelineSummary, PipelineVersion, SavedPipeline, Wire } from '../schemas';

const summary = [
  'p.id',
  'p.name',
  'p.project_id as projectId',
  'p.current_version as version',
  'p.created_at as createdAt',
  'p.updated_at as updatedAt',
] as const;

export function createPipelineRepository(db: Kysely<Database>) {
  return {
    list(userId: string, opts: { projectId?: string; limit: number }): Promise<Wire<typeof PipelineSummary>[]> {
      let query = db.selectFrom('pipelines as p').select(summary).where('p.user_id', '=', userId);
      if (opts.projectId) query = query.where('p.project_id', '=', opts.projectId);
      return query.orderBy('p.updated_at', 'desc').limit(opts.limit).execute();
    },
    /** The pipeline with the graph of `version` (default: current); undefined if not the user's. */
    async find(userId: string, id: string, version?: number): Promise<Wire<typeof Pipeline> | undefined> {
      const row = await db
        .selectFrom('pipelines as p')
        .innerJoin('pipeline_versions as v', (join) =>
          join.onRef('v.pipeline_id', '=', 'p.id').on((eb) => eb('v.version', '=', version ?? eb.ref('p.current_version'))),
        )
        .select([...summary, 'v.graph', 'v.version as graphVersion'])
        .where('p.user_id', '=', userId)
        .where('p.id', '=', id)
        .executeTakeFirst();
      return row ? { ...row, graph: row.graph as Graph } : undefined;
    },
    async create(userId: string, projectId: string, name: string, graph: Graph): Promise<SavedPipeline> {
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('pipelines').values({ id, user_id: userId, project_id: projectId, name, current_version: 1 }).execute();
        await trx.insertInto('pipeline_versions').values({ pipeline_id: id, version: 1, graph: JSON.stringify(graph) }).execute();
      });
      return { id, version: 1 };
    },
    /**
     * Deletes a pipeline with its versions and runs (published media stay in the library). 'active' when a
     * run is still queued or running; undefined when it isn't the user's.
     */
    async remove(userId: string, id: string): Promise<'deleted' | 'active' | undefined> {
      return db.transaction().execute(async (trx) => {
        const found = await trx.selectFrom('pipelines').select('id').where('user_id', '=', userId).where('id', '=', id).forUpdate().executeTakeFirst();
        if (!found) return undefined;
        const active = await trx.selectFrom('runs').select('id').where('pipeline_id', '=', id).where('status', 'in', ['queued', 'running']).executeTakeFirst();
        if (active) return 'active';
        await trx.deleteFrom('runs').where('pipeline_id', '=', id).execute();
        await trx.deleteFrom('pipelines').where('id', '=', id).execute();
        return 'deleted';
      });
    },
    /** Saves a new immutable version (when a graph is given) and/or renames; undefined if not the user's. */
    async update(userId: string, id: string, change: { name?: string; graph?: Graph }): Promise<SavedPipeline | undefined> {
      return db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom('pipelines')
          .select(['current_version'])
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst();
        if (!current) return undefined;
        const version = change.graph ? current.current_version + 1 : current.current_version;
        if (change.graph) {
          await trx.insertInto('pipeline_versions').values({ pipeline_id: id, version, graph: JSON.stringify(change.graph) }).execute();
        }
        await trx
          .updateTable('pipelines')
          .set({ current_version: version, updated_at: new Date(), ...(change.name ? { name: change.name } : {}) })
          .where('id', '=', id)
          .execute();
        return { id, version };
      });
    },
    versions(id: string): Promise<Wire<typeof PipelineVersion>[]> {
      return db
        .selectFrom('pipeline_versions')
        .select(['version', 'created_at as createdAt'])
        .where('pipeline_id', '=', id)
        .orderBy('version', 'desc')
        .execute();
    },
  };
}
export type PipelineRepository = ReturnType<typeof createPipelineRepository>;
