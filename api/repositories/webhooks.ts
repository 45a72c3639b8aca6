import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import type { WebhookEvent, WebhookEventType } from '../../workflows/pipeline';
import type { Wire, Webhook, WebhookDeliveryAttempt } from '../schemas';

const toWebhook = (row: { id: string; pipeline_id: string; url: string; events: unknown; created_at: Date }): Wire<typeof Webhook> => ({
  id: row.id,
  pipelineId: row.pipeline_id,
  url: row.url,
  events: row.events as WebhookEvent[],
  createdAt: row.created_at,
});

/** Webhooks and their delivery logs, always through their owner. */
export function createWebhookRepository(db: Kysely<Database>) {
  return {
    /** Makes a webhook on the user's pipeline; undefined when the pipeline is not theirs. */
    async create(
      userId: string,
      pipelineId: string,
      hook: { url: string; events: WebhookEvent[]; secretSealed: string },
    ): Promise<Wire<typeof Webhook> | undefined> {
      const row = await db
        .insertInto('webhooks')
        .columns(['user_id', 'pipeline_id', 'url', 'events', 'secret_sealed'])
        .expression(
          db
            .selectFrom('pipelines')
            .select([
              'user_id',
              'id',
              sql.val(hook.url).as('url'),
              sql`${JSON.stringify(hook.events)}::jsonb`.as('events'),
              sql.val(hook.secretSealed).as('secret_sealed'),
            ])
            .where('id', '=', pipelineId)
            .where('user_id', '=', userId),
        )
        .returning(['id', 'pipeline_id', 'url', 'events', 'created_at'])
        .executeTakeFirst();
      return row && toWebhook(row);
    },

    /** The pipeline's webhooks, oldest first; undefined when the pipeline is not the user's. */
    async list(userId: string, pipelineId: string): Promise<Wire<typeof Webhook>[] | undefined> {
      const pipeline = await db
        .selectFrom('pipelines')
        .select('id')
        .where('id', '=', pipelineId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!pipeline) return undefined;
      const rows = await db
        .selectFrom('webhooks')
        .select(['id', 'pipeline_id', 'url', 'events', 'created_at'])
        .where('pipeline_id', '=', pipelineId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toWebhook);
    },

    find(userId: string, id: string): Promise<{ id: string; pipelineId: string } | undefined> {
      return db
        .selectFrom('webhooks')
        .select(['id', 'pipeline_id as pipelineId'])
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
    },

    /** False when there was no such webhook of the user's. Its log goes with it. */
    async remove(userId: string, id: string): Promise<boolean> {
      const result = await db.deleteFrom('webhooks').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Attempts, newest first; `after` is the id of the last attempt of the previous page. */
    async deliveries(
      webhookId: string,
      opts: { limit: number; before?: string; after?: string },
    ): Promise<Wire<typeof WebhookDeliveryAttempt>[]> {
      let query = db
        .selectFrom('webhook_deliveries')
        .select([
          'id',
          'message_id as messageId',
          'event',
          'run_id as runId',
          'attempt',
          'status_code as statusCode',
          'response_ms as responseMs',
          'error',
          'created_at as createdAt',
        ])
        .where('webhook_id', '=', webhookId);
      if (opts.before) query = query.where('created_at', '<', new Date(opts.before));
      if (opts.after) {
        query = query.where(
          sql<boolean>`(created_at, id) < (select c.created_at, c.id from webhook_deliveries c where c.id = ${opts.after} and c.webhook_id = ${webhookId})`,
        );
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
      return rows.map((r) => ({ ...r, event: r.event as WebhookEventType }));
    },
  };
}
export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
