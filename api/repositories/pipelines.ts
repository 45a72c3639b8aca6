import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import type { Graph, InvalidGraph, Problem, ValidGraph } from '../../workflows/pipeline';
import type { Pipeline, PipelineSummary, PipelineVersion, SavedPipeline, Wire } from '../schemas';

const summary = [
  'p.id',
  'p.name',
  'p.project_id as projectId',
  'p.current_version as version',
  'p.created_at as createdAt',
  'p.updated_at as updatedAt',
] as const;

/** A pipeline as stored; the route reports its draft's problems. */
type StoredPipeline = Omit<Wire<typeof Pipeline>, 'draft'> & { draft: { graph: unknown; savedAt: Date } | null };

export function createPipelineRepository(db: Kysely<Database>) {
  return {
    /** Most recently changed first; `after` is an exact keyset cursor (the last id of the previous page). */
    list(
      userId: string,
      opts: { projectId?: string; limit: number; before?: string; after?: string },
    ): Promise<Wire<typeof PipelineSummary>[]> {
      let query = db.selectFrom('pipelines as p').select(summary).where('p.user_id', '=', userId);
      if (opts.projectId) query = query.where('p.project_id', '=', opts.projectId);
      if (opts.before) query = query.where('p.updated_at', '<', new Date(opts.before));
      if (opts.after) {
        query = query.where(
          sql<boolean>`(p.updated_at, p.id) < (select c.updated_at, c.id from pipelines c where c.id = ${opts.after} and c.user_id = ${userId})`,
        );
      }
      return query.orderBy('p.updated_at', 'desc').orderBy('p.id', 'desc').limit(opts.limit).execute();
    },
    /** The pipeline with the graph of `version` (default: current); undefined if not the user's. */
    async find(userId: string, id: string, version?: number): Promise<StoredPipeline | undefined> {
      const row = await db
        .selectFrom('pipelines as p')
        .innerJoin('pipeline_versions as v', (join) =>
          join.onRef('v.pipeline_id', '=', 'p.id').on((eb) => eb('v.version', '=', version ?? eb.ref('p.current_version'))),
        )
        .select([...summary, 'v.graph', 'v.version as graphVersion', 'p.draft_graph', 'p.draft_saved_at'])
        .where('p.user_id', '=', userId)
        .where('p.id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const { draft_graph, draft_saved_at, ...pipeline } = row;
      const draft = draft_saved_at ? { graph: draft_graph as unknown, savedAt: draft_saved_at } : null;
      return { ...pipeline, graph: row.graph as Graph, draft };
    },
    /** Stores any graph, valid or not, as the pipeline's draft; undefined if not the user's. */
    async saveDraft(userId: string, id: string, graph: unknown) {
      const savedAt = new Date();
      const row = await db
        .updateTable('pipelines')
        .set({ draft_graph: JSON.stringify(graph), draft_saved_at: savedAt, updated_at: savedAt })
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst();
      return row ? { savedAt } : undefined;
    },
    /**
     * Records the draft as the next version, when `check` accepts it and it differs from the current
     * version, and clears it. `created: false` when there was nothing new to record; undefined if not the user's.
     */
    async recordDraft(
      userId: string,
      id: string,
      check: (draft: unknown) => ValidGraph | InvalidGraph,
    ): Promise<{ id: string; version: number; created: boolean } | { problems: Problem[] } | undefined> {
      return db.transaction().execute(async (trx) => {
        const pipeline = await trx
          .selectFrom('pipelines')
          .select(['current_version', 'draft_graph', 'draft_saved_at'])
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst();
        if (!pipeline) return undefined;
        if (!pipeline.draft_saved_at) return { id, version: pipeline.current_version, created: false };
        const checked = check(pipeline.draft_graph);
        if (!checked.graph) return { problems: checked.problems };
        const current = await trx
          .selectFrom('pipeline_versions')
          .select('graph')
          .where('pipeline_id', '=', id)
          .where('version', '=', pipeline.current_version)
          .executeTakeFirstOrThrow();
        const created = canonicalJson(current.graph) !== canonicalJson(checked.graph);
        const version = created ? pipeline.current_version + 1 : pipeline.current_version;
        if (created) {
          await trx
            .insertInto('pipeline_versions')
            .values({ pipeline_id: id, version, graph: JSON.stringify(checked.graph) })
            .execute();
        }
        await trx
          .updateTable('pipelines')
          .set({ current_version: version, draft_graph: null, draft_saved_at: null, ...(created ? { updated_at: new Date() } : {}) })
          .where('id', '=', id)
          .execute();
        return { id, version, created };
      });
    },
    async create(userId: string, projectId: string, name: string, graph: Graph): Promise<SavedPipeline> {
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('pipelines').values({ id, user_id: userId, project_id: projectId, name, current_version: 1 }).execute();
        await trx
          .insertInto('pipeline_versions')
          .values({ pipeline_id: id, version: 1, graph: JSON.stringify(graph) })
          .execute();
      });
      return { id, version: 1 };
    },
    /**
     * Deletes a pipeline with its versions and runs (published media stay in the library). 'active' when a
     * run is still queued or running; undefined when it isn't the user's.
     */
    async remove(userId: string, id: string): Promise<'deleted' | 'active' | undefined> {
      return db.transaction().execute(async (trx) => {
        const found = await trx
          .selectFrom('pipelines')
          .select('id')
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst();
        if (!found) return undefined;
        const active = await trx
          .selectFrom('runs')
          .select('id')
          .where('pipeline_id', '=', id)
          .where('status', 'in', ['queued', 'running'])
          .executeTakeFirst();
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
          await trx
            .insertInto('pipeline_versions')
            .values({ pipeline_id: id, version, graph: JSON.stringify(change.graph) })
            .execute();
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
/** JSON with object keys sorted: jsonb does not keep key order, so equal graphs compare by this. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export type PipelineRepository = ReturnType<typeof createPipelineRepository>;
