import type { Activities, RunEndActivities, WebhookActivities } from './contract';

/**
 * A run's end as one local activity: the last report is stored first (a retry stores it again, harmlessly: reports
 * are idempotent by seq), then the webhooks that take the run's event are planned, from the record just written.
 */
export function createRunEndActivities(
  activities: Pick<Activities, 'reportRunProgress'>,
  webhooks: Pick<WebhookActivities, 'planWebhookDeliveries'>,
): RunEndActivities {
  return {
    async reportRunEnd({ report, end }) {
      await activities.reportRunProgress(report);
      return webhooks.planWebhookDeliveries(end);
    },
  };
}
