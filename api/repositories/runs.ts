import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import type { NodeState, RunEvent, RunInputs, RunStatus } from '../../workflows/pipeline';
import type { RunDetail, RunSummary, Wire } from '../schemas';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function createRunRepository(db: Kysely<Database>) {
  return {
    /** Records the run and one queued row per node before its workflow starts. */
    async create(run: {
      id: string;
      userId: string;
      projectId: string;
      pipelineId: string;
      version: number;
      inputs: RunInputs;
      trigger: string;
      nodeIds: string[];
    }) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('runs')
          .values({
            id: run.id,
            user_id: run.userId,
            project_id: run.projectId,
            pipeline_id: run.pipelineId,
            pipeline_version: run.version,
            status: 'queued',
            trigger: run.trigger,
            inputs: JSON.stringify(run.inputs),
          })
          .execute();
        if (run.nodeIds.length > 0) {
          await trx
            .insertInto('run_nodes')
            .values(run.nodeIds.map((nodeId) => ({ run_id: run.id, node_id: nodeId, status: 'queued', attempts: 0 })))
            .execute();
        }
      });
    },

    async markFailed(id: string, error: string) {
      await db.updateTable('runs').set({ status: 'failed', error, finished_at: new Date() }).where('id', '=', id).execute();
    },

    /** Which of these runs belong to the user. */
    async ownedIds(userId: string, ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom('runs').select('id').where('user_id', '=', userId).where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },

    async find(userId: string, id: string): Promise<Wire<typeof RunDetail> | undefined> {
      const run = await db
        .selectFrom('runs')
        .selectAll()
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!run) return undefined;
      const nodes = await db.selectFrom('run_nodes').selectAll().where('run_id', '=', id).execute();
      return {
        id: run.id,
        pipelineId: run.pipeline_id,
        pipelineVersion: run.pipeline_version,
        projectId: run.project_id,
        status: run.status as RunStatus,
        trigger: run.trigger,
        inputs: run.inputs as RunInputs,
        outputs: run.outputs as Record<string, unknown> | null,
        error: run.error,
        createdAt: new Date(run.created_at).toISOString(),
        startedAt: iso(run.started_at),
        finishedAt: iso(run.finished_at),
        nodes: Object.fromEntries(
          nodes.map((n): [string, NodeState] => [
            n.node_id,
            {
              status: n.status as RunStatus,
              attempts: n.attempts,
              startedAt: iso(n.started_at),
              finishedAt: iso(n.finished_at),
              output: (n.output as Record<string, unknown> | null) ?? null,
              error: n.error,
            },
          ]),
        ),
      };
    },

    /** Newest first; `after` is an exact keyset cursor (the last id of the previous page). */
    list(userId: string, opts: { pipelineId?: string; projectId?: string; limit: number; before?: string; after?: string }): Promise<Wire<typeof RunSummary>[]> {
      let query = db
        .selectFrom('runs as r')
        .innerJoin('pipelines as p', 'p.id', 'r.pipeline_id')
        .select([
          'r.id',
          'r.status',
          'r.pipeline_id as pipelineId',
          'p.name as pipelineName',
          'r.pipeline_version as pipelineVersion',
          'r.trigger',
          'r.error',
          'r.created_at as createdAt',
          'r.started_at as startedAt',
          'r.finished_at as finishedAt',
        ])
        .where('r.user_id', '=', userId);
      if (opts.pipelineId) query = query.where('r.pipeline_id', '=', opts.pipelineId);
      if (opts.projectId) query = query.where('r.project_id', '=', opts.projectId);
      if (opts.before) query = query.where('r.created_at', '<', new Date(opts.before));
      if (opts.after) {
        // Compared at the database's own (microsecond) precision, so runs started in the same millisecond are never skipped.
        query = query.where(sql<boolean>`(r.created_at, r.id) < (select c.created_at, c.id from runs c where c.id = ${opts.after} and c.user_id = ${userId})`);
      }
      return query.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(opts.limit).execute();
    },

    async eventsAfter(runId: string, seq: number): Promise<RunEvent[]> {
      const rows = await db
        .selectFrom('run_events')
        .select(['data'])
        .where('run_id', '=', runId)
        .where('seq', '>', seq)
        .orderBy('seq', 'asc')
        .execute();
      return rows.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as RunEvent);
    },
  };
}
export type RunRepository = ReturnType<typeof createRunRepository>;
