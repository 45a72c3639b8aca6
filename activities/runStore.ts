import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../infra/db/schema';
import { limitsOf, periodOf, periodResetsAt, periodStart } from '../infra/plans';
import { budgetRefusal, quotaRefusal, type BudgetRefusal, type QuotaRefusal } from '../infra/quotas';
import type { NodeState } from '../workflows/pipeline';
import type { CacheEntryToSave, CacheHit, RunReport } from './contract';

export interface MediaRow {
  id: string;
  mimeType: string;
  size: number;
}

export interface NewMedia {
  id: string;
  userId: string;
  projectId: string;
  runId: string;
  nodeId: string;
  itemIndex: number;
  storageKey: string;
  mimeType: string;
  size: number;
  sha256: string;
  kind: string;
}

export interface GenerationRecord {
  id: string;
  status: string;
  result: string | null;
  mediaId: string | null;
  parameters: Record<string, unknown>;
}

export interface NewGeneration {
  userId: string;
  projectId: string;
  runId: string;
  nodeId: string;
  itemIndex: number;
  type: 'text' | 'audio' | 'image';
  aiService: string;
  model: string;
  prompt: string;
  result: string | null;
  mediaId: string | null;
  parameters: Record<string, unknown>;
  processingMs: number;
  tokensUsed: number | null;
  costUsd: number;
}

/** The slice of the database the activities may touch. */
export interface RunStore {
  /** Stores a batch of run events; when the batch ends the run, answers how the run was started (its trigger kind). */
  applyReport(report: RunReport): Promise<{ endedTrigger?: string }>;
  recordAttempt(runId: string, nodeId: string, attempt: number): Promise<void>;
  /** The id of the user a run belongs to, or undefined when there is no such run. */
  runOwner(runId: string): Promise<string | undefined>;
  findMedia(runId: string, nodeId: string, itemIndex: number): Promise<MediaRow | undefined>;
  /** Inserts, or returns the row already recorded for the same (run, node, item). */
  saveMedia(media: NewMedia): Promise<MediaRow>;
  findGeneration(runId: string, nodeId: string, itemIndex: number): Promise<GenerationRecord | undefined>;
  /**
   * Takes one unit of the user's monthly generations for this (run, node, item) before the provider is
   * called, or answers why not. Atomic (a conditional update of the user's counter, so concurrent runs
   * never go past the limit) and once per triple: the row is recorded 'reserved' first, and a retry that
   * finds it reserved (or completed) takes nothing more. A priced call also reserves its estimated cost
   * (`reserveUsd`), the same way, against the run's budget and the plan's monthly spend: the reserved row
   * holds it (parameters.reservedUsd) until the actual charge (cost_usd) replaces it.
   */
  reserveGeneration(generation: NewGeneration, reserveUsd: number): Promise<QuotaRefusal | BudgetRefusal | undefined>;
  /**
   * Records a completed generation and counts it on the user, once: a retry that finds the row
   * already there changes nothing and gets the recorded one back.
   */
  saveGeneration(generation: NewGeneration): Promise<GenerationRecord>;
  /**
   * Records the latest failed attempt (no cost) and gives its reserved unit back: a failed call uses no
   * quota. A later success replaces it and counts once.
   */
  recordFailedGeneration(generation: NewGeneration, error: string): Promise<void>;
  /** The user's cache entry under `key`, when it was made no earlier than `since`. */
  findCacheEntry(userId: string, key: string, since?: Date): Promise<CacheHit | undefined>;
  /** Keeps a node's output under its key, with what the node's calls cost in that run; the newest output wins. */
  saveCacheEntry(entry: CacheEntryToSave): Promise<void>;
}

function nodeRow(s: NodeState) {
  return {
    status: s.status,
    attempts: s.attempts,
    started_at: s.startedAt ? new Date(s.startedAt) : null,
    finished_at: s.finishedAt ? new Date(s.finishedAt) : null,
    output: s.output === null ? null : JSON.stringify(s.output),
    error: s.error,
    cached: s.cached ? JSON.stringify(s.cached) : null,
  };
}

type RunStatusEvent = Extract<RunReport['events'][number], { type: 'run.status' }>;

function generationRow(g: NewGeneration, status: 'reserved' | 'completed' | 'failed', error: string | null) {
  return {
    user_id: g.userId,
    project_id: g.projectId,
    run_id: g.runId,
    node_id: g.nodeId,
    item_index: g.itemIndex,
    type: g.type,
    ai_service: g.aiService,
    model: g.model,
    status,
    prompt: g.prompt,
    result: g.result,
    media_id: g.mediaId,
    parameters: JSON.stringify(g.parameters),
    processing_time: g.processingMs,
    tokens_used: g.tokensUsed,
    cost_usd: g.costUsd.toFixed(6),
    error,
  };
}

/** What the generations selected have cost, or hold reserved for a call under way (a failed attempt holds nothing). */
async function reservedSpend(generations: SelectQueryBuilder<Database, 'generations', object>): Promise<number> {
  const { usd } = await generations
    .select(
      sql<string | null>`sum(case when status = 'reserved' then coalesce((parameters->>'reservedUsd')::numeric, 0) else cost_usd end)`.as(
        'usd',
      ),
    )
    .where('status', 'in', ['reserved', 'completed'])
    .executeTakeFirstOrThrow();
  return Number(usd ?? 0);
}

export function createRunStore(db: Kysely<Database>): RunStore {
  const findMedia = async (runId: string, nodeId: string, itemIndex: number) => {
    const row = await db
      .selectFrom('media')
      .select(['id', 'mime_type', 'size'])
      .where('run_id', '=', runId)
      .where('node_id', '=', nodeId)
      .where('item_index', '=', itemIndex)
      .executeTakeFirst();
    return row ? { id: row.id, mimeType: row.mime_type, size: Number(row.size) } : undefined;
  };

  const findGeneration = async (runId: string, nodeId: string, itemIndex: number) => {
    const row = await db
      .selectFrom('generations')
      .select(['id', 'status', 'result', 'media_id', 'parameters'])
      .where('run_id', '=', runId)
      .where('node_id', '=', nodeId)
      .where('item_index', '=', itemIndex)
      .executeTakeFirst();
    return row
      ? { id: row.id, status: row.status, result: row.result, mediaId: row.media_id, parameters: row.parameters as Record<string, unknown> }
      : undefined;
  };

  return {
    async applyReport({ runId, events, outputs }) {
      // A batch says where the run stands now: each node's latest state and the run's latest status (the events
      // themselves are kept in order, once each, for replaying the run's story).
      const latestNodes = new Map<string, NodeState>();
      let runStatus: RunStatusEvent | undefined;
      let firstStatusAt: string | undefined;
      for (const event of events) {
        if (event.type === 'node.status') latestNodes.set(event.nodeId, event.state);
        else {
          runStatus = event;
          firstStatusAt ??= event.at;
        }
      }
      // One statement (data-modifying CTEs): atomic without a transaction's two extra round trips, the hot path of
      // every run. Each sub-statement writes a table of its own, so none sees or fights another's rows.
      const withEvents = db.with('stored_events', (qb) =>
        qb
          .insertInto('run_events')
          .values(events.map((e) => ({ run_id: runId, seq: e.seq, type: e.type, data: JSON.stringify(e) })))
          .onConflict((oc) => oc.columns(['run_id', 'seq']).doNothing()),
      );
      const nodeUpsert = (qb: typeof withEvents) =>
        qb
          .insertInto('run_nodes')
          .values([...latestNodes].map(([nodeId, s]) => ({ run_id: runId, node_id: nodeId, ...nodeRow(s) })))
          .onConflict((oc) =>
            oc.columns(['run_id', 'node_id']).doUpdateSet((eb) => ({
              status: eb.ref('excluded.status'),
              attempts: eb.fn('greatest', [eb.ref('run_nodes.attempts'), eb.ref('excluded.attempts')]),
              started_at: eb.ref('excluded.started_at'),
              finished_at: eb.ref('excluded.finished_at'),
              output: eb.ref('excluded.output'),
              error: eb.ref('excluded.error'),
              cached: eb.ref('excluded.cached'),
            })),
          );
      if (!runStatus) {
        await (latestNodes.size > 0 ? nodeUpsert(withEvents) : withEvents.selectNoFrom(sql<number>`1`.as('stored'))).execute();
        return {};
      }
      const status = runStatus;
      const terminal = status.status !== 'running';
      const before = latestNodes.size > 0 ? withEvents.with('stored_nodes', nodeUpsert) : withEvents;
      const run = await before
        .updateTable('runs')
        .set((eb) => ({
          status: status.status,
          error: status.error ?? null,
          started_at: eb.fn.coalesce('started_at', eb.val(new Date(firstStatusAt!))),
          ...(terminal ? { finished_at: new Date(status.at), outputs: outputs === null ? null : JSON.stringify(outputs) } : {}),
        }))
        .where('id', '=', runId)
        .returning(sql<string | null>`trigger->>'kind'`.as('trigger'))
        .executeTakeFirst();
      return terminal ? { endedTrigger: run?.trigger ?? 'unknown' } : {};
    },

    async recordAttempt(runId, nodeId, attempt) {
      await db
        .updateTable('run_nodes')
        .set((eb) => ({ attempts: eb.fn('greatest', [eb.ref('attempts'), eb.val(attempt)]) }))
        .where('run_id', '=', runId)
        .where('node_id', '=', nodeId)
        .execute();
    },

    async runOwner(runId) {
      const row = await db.selectFrom('runs').select('user_id').where('id', '=', runId).executeTakeFirst();
      return row?.user_id;
    },

    findMedia,

    async saveMedia(m) {
      const inserted = await db
        .insertInto('media')
        .values({
          id: m.id,
          user_id: m.userId,
          project_id: m.projectId,
          run_id: m.runId,
          node_id: m.nodeId,
          item_index: m.itemIndex,
          storage_key: m.storageKey,
          mime_type: m.mimeType,
          size: m.size,
          sha256: m.sha256,
          kind: m.kind,
        })
        .onConflict((oc) => oc.columns(['run_id', 'node_id', 'item_index']).doNothing())
        .returning(['id', 'mime_type', 'size'])
        .executeTakeFirst();
      if (inserted) return { id: inserted.id, mimeType: inserted.mime_type, size: Number(inserted.size) };
      return (await findMedia(m.runId, m.nodeId, m.itemIndex))!; // an earlier attempt recorded it
    },

    findGeneration,

    async reserveGeneration(generation, reserveUsd) {
      const g = { ...generation, parameters: { ...generation.parameters, reservedUsd: reserveUsd } };
      const period = periodOf();
      let refusal: QuotaRefusal | BudgetRefusal | undefined;
      await db
        .transaction()
        .execute(async (trx) => {
          const row = generationRow(g, 'reserved', null);
          // A new row, or a failed attempt's (its unit was given back): either way a unit is taken now.
          const taking = await trx
            .insertInto('generations')
            .values(row)
            .onConflict((oc) =>
              oc
                .columns(['run_id', 'node_id', 'item_index'])
                .doUpdateSet({ status: 'reserved', error: null, parameters: row.parameters, created_at: new Date() })
                .where('generations.status', '=', 'failed'),
            )
            .returning('id')
            .executeTakeFirst();
          if (!taking) return; // reserved by an earlier attempt, or completed
          if (reserveUsd > 0) {
            // The run's row lock orders the reservations of its fanned-out items; each sum sees the ones before. (No key
            // update: the key share lock the generation's foreign key took does not block it, so reservations never deadlock.)
            const run = await trx.selectFrom('runs').select('trigger').where('id', '=', g.runId).forNoKeyUpdate().executeTakeFirst();
            const budget = (run?.trigger as { budgetUsd?: unknown } | null)?.budgetUsd;
            if (typeof budget === 'number') {
              const spent = await reservedSpend(trx.selectFrom('generations').where('run_id', '=', g.runId));
              if (spent > budget + 1e-9) throw (refusal = budgetRefusal('run', budget, spent - reserveUsd, reserveUsd));
            }
          }
          const { plan } = await trx
            .selectFrom('users')
            .select('plan')
            .where('id', '=', g.userId)
            .forNoKeyUpdate()
            .executeTakeFirstOrThrow();
          const spendLimit = limitsOf(plan).monthlySpendUsd;
          if (reserveUsd > 0) {
            const now = new Date();
            const spent = await reservedSpend(
              trx.selectFrom('generations').where('user_id', '=', g.userId).where('created_at', '>=', periodStart(now)),
            );
            if (spent > spendLimit + 1e-9) {
              throw (refusal = budgetRefusal('monthlySpendUsd', spendLimit, spent - reserveUsd, reserveUsd, {
                plan,
                resetsAt: periodResetsAt(now),
              }));
            }
          }
          const limit = limitsOf(plan).monthlyGenerations;
          // The row lock of this update orders concurrent reservations; each sees the count the one before left.
          const taken =
            limit > 0 &&
            (await trx
              .updateTable('users')
              .set((eb) => ({
                monthly_generations: eb
                  .case()
                  .when('monthly_period', '=', period)
                  .then(eb('monthly_generations', '+', 1))
                  .else(1)
                  .end(),
                monthly_period: period,
              }))
              .where('id', '=', g.userId)
              .where((eb) => eb.or([eb('monthly_period', 'is distinct from', period), eb('monthly_generations', '<', limit)]))
              .returning('monthly_generations')
              .executeTakeFirst());
          if (!taken) {
            const user = await trx
              .selectFrom('users')
              .select(['monthly_generations', 'monthly_period'])
              .where('id', '=', g.userId)
              .executeTakeFirstOrThrow();
            refusal = quotaRefusal(plan, 'monthlyGenerations', user.monthly_period === period ? user.monthly_generations : 0, limit);
            throw refusal; // rolls the reserved row back
          }
        })
        .catch((err) => {
          if (err !== refusal) throw err;
        });
      return refusal;
    },

    async saveGeneration(g) {
      await db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('generations')
          .select('status')
          .where('run_id', '=', g.runId)
          .where('node_id', '=', g.nodeId)
          .where('item_index', '=', g.itemIndex)
          .forUpdate()
          .executeTakeFirst();
        if (before?.status === 'completed') return;
        const row = generationRow(g, 'completed', null);
        const counted = await trx
          .insertInto('generations')
          .values(row)
          .onConflict((oc) =>
            oc
              .columns(['run_id', 'node_id', 'item_index'])
              .doUpdateSet({ ...row, created_at: new Date() })
              .where('generations.status', '<>', 'completed'),
          )
          .returning('id')
          .executeTakeFirst();
        if (!counted) return;
        // A reserved row's unit of the monthly counter was taken already; the total counts completions.
        const period = periodOf();
        await trx
          .updateTable('users')
          .set((eb) => ({
            total_generations: eb('total_generations', '+', 1),
            ...(before?.status === 'reserved'
              ? {}
              : {
                  monthly_generations: eb
                    .case()
                    .when('monthly_period', '=', period)
                    .then(eb('monthly_generations', '+', 1))
                    .else(1)
                    .end(),
                  monthly_period: period,
                }),
          }))
          .where('id', '=', g.userId)
          .execute();
      });
      return (await findGeneration(g.runId, g.nodeId, g.itemIndex))!;
    },

    async findCacheEntry(userId, key, since) {
      let query = db
        .selectFrom('cache_entries')
        .select(['run_id', 'output', 'cost_usd'])
        .where('user_id', '=', userId)
        .where('key', '=', key);
      if (since) query = query.where('created_at', '>=', since);
      const row = await query.executeTakeFirst();
      return row ? { output: row.output as Record<string, unknown>, fromRunId: row.run_id, savedUsd: Number(row.cost_usd) } : undefined;
    },

    async saveCacheEntry(e) {
      const cost = await db
        .selectFrom('generations')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('cost_usd'), eb.val('0')).as('usd'))
        .where('run_id', '=', e.runId)
        .where('node_id', '=', e.nodeId)
        .where('status', '=', 'completed')
        .executeTakeFirstOrThrow();
      const row = {
        run_id: e.runId,
        pipeline_id: e.pipelineId,
        node_id: e.nodeId,
        node_type: e.nodeType,
        output: JSON.stringify(e.output),
        cost_usd: Number(cost.usd).toFixed(6),
        created_at: new Date(),
      };
      await db
        .insertInto('cache_entries')
        .values({ user_id: e.userId, key: e.key, ...row })
        .onConflict((oc) => oc.columns(['user_id', 'key']).doUpdateSet(row))
        .execute();
    },

    async recordFailedGeneration(g, error) {
      const row = generationRow(g, 'failed', error.slice(0, 2000));
      await db.transaction().execute(async (trx) => {
        const released = await trx
          .updateTable('generations')
          .set(row)
          .where('run_id', '=', g.runId)
          .where('node_id', '=', g.nodeId)
          .where('item_index', '=', g.itemIndex)
          .where('status', '=', 'reserved')
          .returning('created_at')
          .executeTakeFirst();
        if (released) {
          // Given back to the month it was taken from (a unit of last month is not this month's to give).
          await trx
            .updateTable('users')
            .set((eb) => ({ monthly_generations: eb.fn('greatest', [eb('monthly_generations', '-', 1), eb.val(0)]) }))
            .where('id', '=', g.userId)
            .where('monthly_period', '=', periodOf(new Date(released.created_at)))
            .execute();
          return;
        }
        await trx
          .insertInto('generations')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['run_id', 'node_id', 'item_index']).doUpdateSet(row).where('generations.status', '<>', 'completed'),
          )
          .execute();
      });
    },
  };
}
