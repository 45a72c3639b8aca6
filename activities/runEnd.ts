import { errorText, logger } from '../infra/log';
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
      // The run's end is stored: no webhook can hold it open. A list that can't be read is a warning, and nothing sent.
      try {
        return await webhooks.planWebhookDeliveries(end);
      } catch (err) {
        logger.warn({ runId: end.runId, err: errorText(err) }, 'Webhooks not told of the run’s end: their list could not be read');
        return [];
      }
    },
  };
}
