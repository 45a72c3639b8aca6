import { sql, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../../infra/db/schema';
import {
  mediaUrl,
  type NodeCache,
  storedTriggerParts,
  type NodeState,
  type RunEvent,
  type RunInputs,
  type RunStatus,
  type StoredTrigger,
} from '../../workflows/pipeline';
import type { RunListQuery } from '../contract';
import type { RunDetail, RunSummary, Wire } from '../schemas';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** How long an Idempotency-Key holds: a retry within it answers the same run, a later one starts a new run. */
export const IDEMPOTENCY_TTL_HOURS = 24;
const ttl = sql<string>`${`${IDEMPOTENCY_TTL_HOURS} hours`}::interval`;

/** What the run lists filter by (RunListQuery, with the pipeline of a pipeline's own list). */
export type RunListOptions = z.output<typeof RunListQuery>;
/** A run as listed; the route adds its short-lived `thumbnailSignedUrl`. */
export type StoredRunSummary = Omit<Wire<typeof RunSummary>, 'thumbnailSignedUrl'>;

/** A REST start's Idempotency-Key and a hash of what it asked for. */
export interface IdempotentRequest {
  key: string;
  requestHash: string;
}

export function createRunRepository(db: Kysely<Database>) {
  return {
    /**
     * Records the run and one queued row per node before its workflow starts. With an Idempotency-Key, the key
     * is claimed in the same transaction, and when a live claim exists (another request of any replica won the
     * race: the primary key decides) nothing is recorded and this answers false.
     */
    async create(
      run: {
        id: string;
        userId: string;
        projectId: string;
        pipelineId: string;
        version: number;
        inputs: RunInputs;
        trigger: StoredTrigger;
        nodeIds: string[];
        /** For a re-run: the run it re-ran. */
        parentRunId?: string;
      },
      idempotency?: IdempotentRequest,
    ): Promise<boolean> {
      const runRow = {
        id: run.id,
        user_id: run.userId,
        project_id: run.projectId,
        pipeline_id: run.pipelineId,
        pipeline_version: run.version,
        status: 'queued' as const,
        trigger: JSON.stringify(run.trigger),
        inputs: JSON.stringify(run.inputs),
        ...(run.parentRunId ? { parent_run_id: run.parentRunId } : {}),
      };
      const nodeRows = run.nodeIds.map((nodeId) => ({ run_id: run.id, node_id: nodeId, status: 'queued' as const, attempts: 0 }));
      if (!idempotency) {
        // One statement, so atomic without a transaction's two extra round trips (a run start's hot path).
        if (nodeRows.length === 0) await db.insertInto('runs').values(runRow).execute();
        else
          await db
            .with('run', (qb) => qb.insertInto('runs').values(runRow))
            .insertInto('run_nodes')
            .values(nodeRows)
            .execute();
        return true;
      }
      const alreadyClaimed = new Error('idempotency key already claimed');
      return db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('runs').values(runRow).execute();
          if (nodeRows.length > 0) await trx.insertInto('run_nodes').values(nodeRows).execute();
          // Takes the key, or an expired claim of it; a live claim (or one committed meanwhile) returns nothing.
          const claimed = await trx
            .insertInto('idempotency_keys')
            .values({ user_id: run.userId, key: idempotency.key, request_hash: idempotency.requestHash, run_id: run.id })
            .onConflict((oc) =>
              oc
                .columns(['user_id', 'key'])
                .doUpdateSet({ request_hash: idempotency.requestHash, run_id: run.id, created_at: sql`now()` })
                .where('idempotency_keys.created_at', '<=', sql<Date>`now() - ${ttl}`),
            )
            .returning('run_id')
            .executeTakeFirst();
          if (!claimed) throw alreadyClaimed; // rolls the run back
          return true;
        })
        .catch((err) => {
          if (err === alreadyClaimed) return false;
          throw err;
        });
    },

    /** The run an Idempotency-Key started within the last 24 hours, and the hash of the request that did. */
    findIdempotent(userId: string, key: string): Promise<{ runId: string; requestHash: string } | undefined> {
      return db
        .selectFrom('idempotency_keys')
        .select(['run_id as runId', 'request_hash as requestHash'])
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .where('created_at', '>', sql<Date>`now() - ${ttl}`)
        .executeTakeFirst();
    },

    /** Frees a key whose run never started, so that a retry can start it. */
    async releaseIdempotencyKey(userId: string, key: string, runId: string) {
      await db.deleteFrom('idempotency_keys').where('user_id', '=', userId).where('key', '=', key).where('run_id', '=', runId).execute();
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
        .selectAll('runs')
        .select((eb) => eb.selectFrom('batch_runs').select('batch_id').whereRef('batch_runs.run_id', '=', 'runs.id').as('batch_id'))
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!run) return undefined;
      const [nodes, costs] = await Promise.all([
        db.selectFrom('run_nodes').selectAll().where('run_id', '=', id).execute(),
        db
          .selectFrom('generations')
          .select(['node_id as nodeId', sql<string>`sum(cost_usd)`.as('cost')])
          .where('run_id', '=', id)
          .where('node_id', 'is not', null)
          .groupBy('node_id')
          .execute(),
      ]);
      return {
        id: run.id,
        batchId: run.batch_id,
        pipelineId: run.pipeline_id,
        pipelineVersion: run.pipeline_version,
        projectId: run.project_id,
        status: run.status as RunStatus,
        ...storedTriggerParts(run.trigger as StoredTrigger),
        parentRunId: run.parent_run_id,
        inputs: run.inputs as RunInputs,
        outputs: run.outputs as Record<string, unknown> | null,
        error: run.error,
        createdAt: new Date(run.created_at).toISOString(),
        startedAt: iso(run.started_at),
        finishedAt: iso(run.finished_at),
        costs: Object.fromEntries(costs.map((c) => [c.nodeId!, Number(c.cost)])),
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
              cached: (n.cached as NodeCache | null) ?? null,
            },
          ]),
        ),
      };
    },

    /**
     * Newest first; `after` is an exact keyset cursor (the last id of the previous page). `q` finds text in the
     * input values (any case; `%` and `_` are plain characters). Each run comes with its inputs, its first published
     * image (the route signs it) and what its model calls cost.
     */
    async list(userId: string, opts: RunListOptions): Promise<StoredRunSummary[]> {
      let query = db
        .selectFrom('runs as r')
        .innerJoin('pipelines as p', 'p.id', 'r.pipeline_id')
        .select([
          'r.id',
          'r.status',
          'r.pipeline_id as pipelineId',
          'p.name as pipelineName',
          'r.pipeline_version as pipelineVersion',
          sql<StoredTrigger>`r.trigger`.as('trigger'),
          'r.error',
          'r.created_at as createdAt',
          'r.started_at as startedAt',
          'r.finished_at as finishedAt',
          sql<RunInputs>`r.inputs`.as('inputs'),
          sql<string | null>`(
            select m.id from media m
            where m.run_id = r.id and m.user_id = r.user_id and m.kind = 'image'
            order by m.created_at, m.node_id, m.item_index
            limit 1
          )`.as('thumbnailId'),
          sql<string | null>`(select sum(g.cost_usd) from generations g where g.run_id = r.id)`.as('cost'),
        ])
        .where('r.user_id', '=', userId);
      if (opts.pipelineId) query = query.where('r.pipeline_id', '=', opts.pipelineId);
      if (opts.projectId) query = query.where('r.project_id', '=', opts.projectId);
      if (opts.status) query = query.where('r.status', '=', opts.status);
      if (opts.trigger) query = query.where(sql<string>`r.trigger->>'kind'`, '=', opts.trigger);
      if (opts.scheduleId) query = query.where(sql<string>`r.trigger->>'scheduleId'`, '=', opts.scheduleId);
      if (opts.waiting !== undefined) {
        const waiting = sql<boolean>`exists (select 1 from run_nodes n where n.run_id = r.id and n.status = 'waiting')`;
        query = query.where(opts.waiting ? waiting : sql<boolean>`not ${waiting}`);
      }
      if (opts.from) query = query.where('r.created_at', '>=', new Date(opts.from));
      if (opts.before) query = query.where('r.created_at', '<', new Date(opts.before));
      if (opts.q) {
        const pattern = `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        // Only the values: a search for "topic" must not find every run whose input is named topic.
        query = query.where(
          sql<boolean>`exists (
            select 1 from jsonb_each_text(case when jsonb_typeof(r.inputs) = 'object' then r.inputs else '{}'::jsonb end) as i
            where i.value ilike ${pattern}
          )`,
        );
      }
      if (opts.after) {
        // Compared at the database's own (microsecond) precision, so runs started in the same millisecond are never skipped.
        query = query.where(
          sql<boolean>`(r.created_at, r.id) < (select c.created_at, c.id from runs c where c.id = ${opts.after} and c.user_id = ${userId})`,
        );
      }
      const rows = await query.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(opts.limit).execute();
      return rows.map(({ thumbnailId, cost, ...run }) => ({
        ...run,
        trigger: storedTriggerParts(run.trigger).trigger,
        thumbnail: thumbnailId ? mediaUrl(thumbnailId) : null,
        costUsd: cost === null ? null : Number(cost),
      }));
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
