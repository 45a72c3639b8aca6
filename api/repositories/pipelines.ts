import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import {
  canonicalJson,
  graphChanges,
  migrateGraph,
  validateGraph,
  type Graph,
  type InvalidGraph,
  type Problem,
  type ValidGraph,
} from '../../workflows/pipeline';
import type { Pipeline, PipelineSummary, PipelineVersion, PipelineVersionDetail, SavedPipeline, Wire } from '../schemas';

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
      // A draft comes back exactly as saved (the studio upgrades it with editableGraph); a version is upgraded here.
      const draft = draft_saved_at ? { graph: draft_graph as unknown, savedAt: draft_saved_at } : null;
      return { ...pipeline, graph: migrateGraph(row.graph) as Graph, draft };
    },
    /**
     * What starting a run of the pipeline reads, in one statement (a run start's hot path): the graph of `version`
     * (default: current) and the budget its project gives runs; undefined if not the user's.
     */
    async findRunnable(
      userId: string,
      id: string,
      version?: number,
    ): Promise<{ id: string; projectId: string; graph: Graph; graphVersion: number; projectBudgetUsd?: number } | undefined> {
      const row = await db
        .selectFrom('pipelines as p')
        .innerJoin('pipeline_versions as v', (join) =>
          join.onRef('v.pipeline_id', '=', 'p.id').on((eb) => eb('v.version', '=', version ?? eb.ref('p.current_version'))),
        )
        .leftJoin('projects as pr', (join) => join.onRef('pr.id', '=', 'p.project_id').on('pr.user_id', '=', userId))
        .select(['p.id', 'p.project_id as projectId', 'v.graph', 'v.version as graphVersion'])
        .select(sql<number | null>`(pr.settings->>'budgetUsd')::float8`.as('projectBudgetUsd'))
        .where('p.user_id', '=', userId)
        .where('p.id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const { projectBudgetUsd, ...pipeline } = row;
      return { ...pipeline, graph: migrateGraph(row.graph) as Graph, ...(projectBudgetUsd === null ? {} : { projectBudgetUsd }) };
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
        const created = canonicalJson(migrateGraph(current.graph)) !== canonicalJson(checked.graph);
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
    /** Every version, newest first, each with what it changed against the one before. */
    async versions(id: string): Promise<Wire<typeof PipelineVersion>[]> {
      const rows = await db
        .selectFrom('pipeline_versions')
        .select(['version', 'created_at as createdAt', 'graph'])
        .where('pipeline_id', '=', id)
        .orderBy('version', 'asc')
        .execute();
      let previous: Graph | undefined;
      const versions = rows.map(({ graph, ...row }) => {
        const current = comparable(graph);
        const changes = graphChanges(previous, current);
        previous = current;
        return { ...row, changes };
      });
      return versions.reverse();
    },
    /** One version with its graph and changes; undefined if the pipeline isn't the user's or has no such version. */
    async version(userId: string, id: string, version: number): Promise<Wire<typeof PipelineVersionDetail> | undefined> {
      const rows = await db
        .selectFrom('pipelines as p')
        .innerJoin('pipeline_versions as v', 'v.pipeline_id', 'p.id')
        .select(['v.version', 'v.created_at as createdAt', 'v.graph', 'p.current_version as currentVersion'])
        .where('p.user_id', '=', userId)
        .where('p.id', '=', id)
        .where('v.version', 'in', version > 1 ? [version - 1, version] : [version])
        .orderBy('v.version', 'asc')
        .execute();
      const found = rows.find((r) => r.version === version);
      if (!found) return undefined;
      const before = rows.find((r) => r.version === version - 1);
      const graph = migrateGraph(found.graph) as Graph;
      return {
        pipelineId: id,
        version,
        createdAt: found.createdAt,
        currentVersion: found.currentVersion,
        graph,
        changes: graphChanges(before && comparable(before.graph), comparable(found.graph)),
      };
    },
    /**
     * Records `version`'s graph, as `check` normalises it, as the next version and discards the draft (the
     * restored version is what the editor opens). `created: false` when it equals the current version.
     * 'no_version' when the pipeline has no such version; undefined if not the user's.
     */
    async restore(
      userId: string,
      id: string,
      version: number,
      check: (graph: unknown) => ValidGraph | InvalidGraph,
    ): Promise<{ id: string; version: number; created: boolean } | { problems: Problem[] } | 'no_version' | undefined> {
      return db.transaction().execute(async (trx) => {
        const pipeline = await trx
          .selectFrom('pipelines')
          .select('current_version')
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst();
        if (!pipeline) return undefined;
        const rows = await trx
          .selectFrom('pipeline_versions')
          .select(['version', 'graph'])
          .where('pipeline_id', '=', id)
          .where('version', 'in', [version, pipeline.current_version])
          .execute();
        const old = rows.find((r) => r.version === version);
        if (!old) return 'no_version';
        const checked = check(old.graph);
        if (!checked.graph) return { problems: checked.problems };
        const current = rows.find((r) => r.version === pipeline.current_version)!;
        const created = canonicalJson(migrateGraph(current.graph)) !== canonicalJson(checked.graph);
        const next = created ? pipeline.current_version + 1 : pipeline.current_version;
        if (created) {
          await trx
            .insertInto('pipeline_versions')
            .values({ pipeline_id: id, version: next, graph: JSON.stringify(checked.graph) })
            .execute();
        }
        await trx
          .updateTable('pipelines')
          .set({ current_version: next, draft_graph: null, draft_saved_at: null, updated_at: new Date() })
          .where('id', '=', id)
          .execute();
        return { id, version: next, created };
      });
    },
  };
}

/** A stored graph upgraded and, when valid, with today's defaults filled in: versions compare by what they run. */
function comparable(stored: unknown): Graph {
  return validateGraph(stored).graph ?? (migrateGraph(stored) as Graph);
}

export type PipelineRepository = ReturnType<typeof createPipelineRepository>;
