import { describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '../workflows/pipeline';
import type { RunReport } from './contract';
import { createRunEndActivities } from './runEnd';

const report: RunReport = {
  runId: 'r1',
  events: [{ seq: 3, type: 'run.status', at: '2026-12-01T00:00:00.000Z', status: 'succeeded' }],
  outputs: { out: 1 },
};
const end = { runId: 'r1', pipelineId: 'p1', event: 'run.succeeded' as const };
const delivery: WebhookDelivery = {
  webhookId: 'w1',
  messageId: 'msg_1',
  event: 'run.succeeded',
  runId: 'r1',
  occurredAt: '2026-12-01T00:00:00.000Z',
  firstRetryMs: 1000,
};

describe('reportRunEnd', () => {
  it('stores the last report before planning the deliveries, and answers them', async () => {
    const order: string[] = [];
    const { reportRunEnd } = createRunEndActivities(
      { reportRunProgress: async (r) => void order.push(`report ${r.events[0].seq}`) },
      { planWebhookDeliveries: async (e) => (order.push(`plan ${e.event}`), [delivery]) },
    );
    expect(await reportRunEnd({ report, end })).toEqual([delivery]);
    expect(order).toEqual(['report 3', 'plan run.succeeded']);
  });

  it('ends the run with no deliveries when the webhook list cannot be read, instead of failing or retrying the end', async () => {
    const stored: RunReport[] = [];
    const { reportRunEnd } = createRunEndActivities(
      { reportRunProgress: async (r) => void stored.push(r) },
      {
        planWebhookDeliveries: async () => {
          throw new Error('connection refused');
        },
      },
    );
    expect(await reportRunEnd({ report, end })).toEqual([]);
    expect(stored).toEqual([report]);
  });

  it('fails when the report itself cannot be stored (the local activity retries it)', async () => {
    const { reportRunEnd } = createRunEndActivities(
      {
        reportRunProgress: async () => {
          throw new Error('database away');
        },
      },
      { planWebhookDeliveries: async () => [delivery] },
    );
    await expect(reportRunEnd({ report, end })).rejects.toThrow('database away');
  });
});
