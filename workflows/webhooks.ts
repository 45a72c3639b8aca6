import { log, ParentClosePolicy, proxyActivities, proxyLocalActivities, startChild } from '@temporalio/workflow';
import type { RunEnd, WebhookActivities } from '../activities/contract';
import { WEBHOOK_ADDRESS_REFUSED, type WebhookDelivery } from './pipeline/webhooks';

const { planWebhookDeliveries } = proxyLocalActivities<WebhookActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', maximumAttempts: 5 },
});

/**
 * Tells the pipeline's webhooks that a run ended: one `deliverWebhook` workflow per webhook that takes the event,
 * abandoned, so the run finishes at once whatever the receivers do. Never throws: a run's outcome is recorded
 * before this, and no webhook can change it. (Runs from the lean-runs patch on plan their deliveries in their last
 * report and call startDeliveries.)
 */
export async function announceRunEnd(end: RunEnd): Promise<void> {
  let deliveries: WebhookDelivery[];
  try {
    deliveries = await planWebhookDeliveries(end);
  } catch (err) {
    log.warn('Webhooks not told of the run’s end: their list could not be read', { runId: end.runId, error: String(err) });
    return;
  }
  await startDeliveries(end, deliveries);
}

/** Starts one abandoned `deliverWebhook` workflow per planned delivery; never throws. */
export async function startDeliveries(end: RunEnd, deliveries: WebhookDelivery[]): Promise<void> {
  const started = await Promise.allSettled(
    deliveries.map((delivery) =>
      startChild(deliverWebhook, {
        workflowId: deliveryWorkflowId(delivery.messageId),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [delivery],
      }),
    ),
  );
  for (const outcome of started) {
    if (outcome.status === 'rejected') log.warn('A webhook delivery could not start', { runId: end.runId, error: String(outcome.reason) });
  }
}

export const deliveryWorkflowId = (messageId: string) => `webhook-${messageId}`;

/**
 * Delivers one message to one webhook: attempts with exponential back-off (the first retry after
 * `firstRetryMs`, each next twice as late, at most 2 h apart) until the receiver answers 2xx or 24 h have passed.
 */
export async function deliverWebhook(delivery: WebhookDelivery): Promise<void> {
  const { sendWebhook } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: '24 hours',
    retry: {
      initialInterval: delivery.firstRetryMs,
      backoffCoefficient: 2,
      maximumInterval: '2 hours',
      nonRetryableErrorTypes: [WEBHOOK_ADDRESS_REFUSED],
    },
  });
  await sendWebhook(delivery);
}
