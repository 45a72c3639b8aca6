import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { WebhookConfig } from '../../infra/config';
import { resolvedHostRefusal } from '../../infra/netguard';
import type { Sealer } from '../../infra/secrets';
import { deliverWebhook, deliveryWorkflowId } from '../../workflows';
import { WEBHOOK_TEST_EVENT, type WebhookDelivery, type WebhookEvent } from '../../workflows/pipeline';
import { HttpError, notFound } from '../http';
import type { WebhookRepository } from '../repositories/webhooks';
import type { CreatedWebhook, TestEventSent, Wire, Webhook, WebhookDeliveryAttempt } from '../schemas';

/** A Standard Webhooks signing secret: `whsec_` and 24 random bytes, base64. */
function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * A pipeline's webhooks: made with a secret that is shown once and kept sealed, refused when their URL leads
 * to an address the operator does not allow, tested on request. Deliveries themselves are the worker's.
 */
export function createWebhookService(deps: {
  webhooks: WebhookRepository;
  sealer: Sealer;
  temporal: Client;
  taskQueue: string;
  settings: WebhookConfig;
}) {
  const { webhooks, sealer, temporal, settings } = deps;

  const owned = async (userId: string, id: string) => {
    const hook = await webhooks.find(userId, id);
    if (!hook) throw notFound('Webhook');
    return hook;
  };

  return {
    async create(
      userId: string,
      pipelineId: string,
      request: { url: string; events: WebhookEvent[] },
    ): Promise<Wire<typeof CreatedWebhook>> {
      const refused = await resolvedHostRefusal(settings.outbound, new URL(request.url).hostname);
      if (refused) {
        throw new HttpError(
          400,
          'invalid_request',
          `Invalid body: url: ${refused}; webhooks go to public internet addresses only (the operator can allow more with WEBHOOKS_ALLOW_PRIVATE or WEBHOOKS_ALLOWED_HOSTS)`,
        );
      }
      const secret = newSigningSecret();
      const made = await webhooks.create(userId, pipelineId, {
        url: request.url,
        events: request.events,
        secretSealed: sealer.seal(secret),
      });
      if (!made) throw notFound('Pipeline');
      return { id: made.id, url: made.url, events: made.events, secret };
    },

    async list(userId: string, pipelineId: string): Promise<Wire<typeof Webhook>[]> {
      const found = await webhooks.list(userId, pipelineId);
      if (!found) throw notFound('Pipeline');
      return found;
    },

    async remove(userId: string, id: string): Promise<void> {
      if (!(await webhooks.remove(userId, id))) throw notFound('Webhook');
    },

    async deliveries(
      userId: string,
      id: string,
      page: { limit: number; before?: string; after?: string },
    ): Promise<Wire<typeof WebhookDeliveryAttempt>[]> {
      await owned(userId, id);
      return webhooks.deliveries(id, page);
    },

    /** Sends `webhook.test` to the one webhook, delivered (and retried) like any event; the log shows how it went. */
    async sendTest(userId: string, id: string): Promise<TestEventSent> {
      await owned(userId, id);
      const delivery: WebhookDelivery = {
        webhookId: id,
        messageId: `msg_test_${randomUUID().replace(/-/g, '')}`,
        event: WEBHOOK_TEST_EVENT,
        runId: null,
        occurredAt: new Date().toISOString(),
        firstRetryMs: settings.firstRetryMs,
      };
      try {
        await temporal.workflow.start(deliverWebhook, {
          taskQueue: deps.taskQueue,
          workflowId: deliveryWorkflowId(delivery.messageId),
          args: [delivery],
        });
      } catch (err) {
        throw new HttpError(503, 'engine_unavailable', `The test event could not be sent: ${(err as Error).message}`);
      }
      return { messageId: delivery.messageId, event: WEBHOOK_TEST_EVENT };
    },
  };
}
export type WebhookService = ReturnType<typeof createWebhookService>;
