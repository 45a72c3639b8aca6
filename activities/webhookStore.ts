import { sql, type Kysely } from 'kysely';
import type { Database } from '../infra/db/schema';
import type { Sealer } from '../infra/secrets';
import {
  RUN_TRIGGER_KINDS,
  RunTriggerSchema,
  storedTriggerParts,
  type RunStatus,
  type RunTrigger,
  type StoredTrigger,
  type WebhookEventType,
} from '../workflows/pipeline';

export interface StoredWebhook {
  id: string;
  pipelineId: string;
  pipelineName: string;
  url: string;
  /** The `whsec_` signing secret, unsealed. */
  secret: string;
}

export interface StoredRun {
  id: string;
  status: RunStatus;
  error: string | null;
  pipeline: { id: string; name: string; version: number };
  trigger: RunTrigger;
  outputs: Record<string, unknown> | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  costUsd: number;
  generations: number;
}

export interface AttemptRecord {
  webhookId: string;
  messageId: string;
  event: WebhookEventType;
  runId: string | null;
  attempt: number;
  statusCode: number | null;
  responseMs: number | null;
  error: string | null;
}

/** The slice of the database the webhook activities may touch. */
export interface WebhookStore {
  /** The ids of the pipeline's webhooks that take `event`, oldest first. */
  subscribed(pipelineId: string, event: string): Promise<string[]>;
  /** The webhook with its secret, or undefined once it is deleted. */
  webhook(id: string): Promise<StoredWebhook | undefined>;
  run(runId: string): Promise<StoredRun | undefined>;
  /** Idempotent by (webhook, message, attempt). */
  recordAttempt(attempt: AttemptRecord): Promise<void>;
}

/**
 * The run's trigger whichever way it is stored: the RunTrigger object, or (runs recorded before it existed)
 * the bare kind as text.
 */
export function triggerOf(stored: unknown): RunTrigger {
  let value = stored;
  if (typeof value === 'string' && value.startsWith('{')) {
    try {
      value = JSON.parse(value);
    } catch {
      // not JSON: judged as text below
    }
  }
  if (typeof value === 'string')
    return (RUN_TRIGGER_KINDS as readonly string[]).includes(value) ? { kind: value as RunTrigger['kind'] } : { kind: 'api' };
  const parsed = RunTriggerSchema.safeParse(
    value && typeof value === 'object' ? storedTriggerParts(value as StoredTrigger).trigger : value,
  );
  return parsed.success ? parsed.data : { kind: 'api' };
}

export function createWebhookStore(db: Kysely<Database>, sealer: Sealer): WebhookStore {
  return {
    async subscribed(pipelineId, event) {
      const rows = await db
        .selectFrom('webhooks')
        .select('id')
        .where('pipeline_id', '=', pipelineId)
        .where(sql<boolean>`events @> ${JSON.stringify([event])}::jsonb`)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => r.id);
    },

    async webhook(id) {
      const row = await db
        .selectFrom('webhooks as w')
        .innerJoin('pipelines as p', 'p.id', 'w.pipeline_id')
        .select(['w.id', 'w.pipeline_id', 'p.name', 'w.url', 'w.secret_sealed'])
        .where('w.id', '=', id)
        .executeTakeFirst();
      return (
        row && { id: row.id, pipelineId: row.pipeline_id, pipelineName: row.name, url: row.url, secret: sealer.open(row.secret_sealed) }
      );
    },

    async run(runId) {
      const row = await db
        .selectFrom('runs as r')
        .innerJoin('pipelines as p', 'p.id', 'r.pipeline_id')
        .select((eb) => [
          'r.id',
          'r.status',
          'r.error',
          'r.pipeline_id',
          'p.name',
          'r.pipeline_version',
          'r.trigger',
          'r.outputs',
          'r.created_at',
          'r.started_at',
          'r.finished_at',
          eb
            .selectFrom('generations as g')
            .select(sql<string>`coalesce(sum(g.cost_usd), 0)::text`.as('cost'))
            .whereRef('g.run_id', '=', 'r.id')
            .where('g.status', '=', 'completed')
            .as('cost'),
          eb
            .selectFrom('generations as g')
            .select(sql<number>`count(*)::int`.as('count'))
            .whereRef('g.run_id', '=', 'r.id')
            .where('g.status', '=', 'completed')
            .as('generations'),
        ])
        .where('r.id', '=', runId)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        status: row.status,
        error: row.error,
        pipeline: { id: row.pipeline_id, name: row.name, version: row.pipeline_version },
        trigger: triggerOf(row.trigger),
        outputs: row.outputs as Record<string, unknown> | null,
        createdAt: new Date(row.created_at),
        startedAt: row.started_at && new Date(row.started_at),
        finishedAt: row.finished_at && new Date(row.finished_at),
        costUsd: Number(row.cost ?? 0),
        generations: Number(row.generations ?? 0),
      };
    },

    async recordAttempt(a) {
      try {
        await db
          .insertInto('webhook_deliveries')
          .values({
            webhook_id: a.webhookId,
            message_id: a.messageId,
            event: a.event,
            run_id: a.runId,
            attempt: a.attempt,
            status_code: a.statusCode,
            response_ms: a.responseMs,
            error: a.error?.slice(0, 1000) ?? null,
          })
          .onConflict((oc) => oc.columns(['webhook_id', 'message_id', 'attempt']).doNothing())
          .execute();
      } catch (err) {
        if ((err as { code?: string }).code === '23503') return; // the webhook was deleted meanwhile, its log with it
        throw err;
      }
    },
  };
}
