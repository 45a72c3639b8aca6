import { hostname } from 'node:os';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch } from '../infra/guardedFetch';
import { PUBLIC_ONLY } from '../infra/netguard';
import { startWebhookReceiver } from '../test/support/webhookReceiver';
import type { WebhookDelivery } from '../workflows/pipeline';
import type { AttemptRecord, WebhookStore } from './webhookStore';
import { createWebhookActivities, messageIdOf } from './webhooks';

/** The delivery activity against a local receiver, with the database replaced by a list. */
describe('sendWebhook', () => {
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const attempts: AttemptRecord[] = [];
  let url = '';

  const store: WebhookStore = {
    subscribed: async () => ['hook-1'],
    webhook: async (id) =>
      id === 'hook-1'
        ? { id, pipelineId: 'p1', pipelineName: 'Pipeline', url, secret: `whsec_${Buffer.alloc(24, 1).toString('base64')}` }
        : undefined,
    run: async () => undefined,
    recordAttempt: async (a) => void attempts.push(a),
  };
  const delivery: WebhookDelivery = {
    webhookId: 'hook-1',
    messageId: 'msg_test_1',
    event: 'webhook.test',
    runId: null,
    occurredAt: new Date().toISOString(),
    firstRetryMs: 1000,
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver([200]);
  });
  afterAll(async () => {
    await receiver?.stop();
  });

  it('refuses at connect time a webhook whose name now resolves to a loopback address: nothing is sent, the refusal is logged, no retry', async () => {
    // Accepted once (say it resolved to a public address then); by delivery time the name leads to this machine.
    url = receiver.url.replace('127.0.0.1', hostname());
    const activities = createWebhookActivities({
      store,
      fetch: createGuardedFetch(PUBLIC_ONLY),
      publicUrl: 'https://cf.example',
      firstRetryMs: 1000,
    });
    const failure = await new MockActivityEnvironment({ attempt: 2 }).run(activities.sendWebhook, delivery).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'WebhookAddressRefused', nonRetryable: true });
    expect(receiver.received).toEqual([]);
    expect(attempts).toEqual([
      expect.objectContaining({
        webhookId: 'hook-1',
        messageId: 'msg_test_1',
        attempt: 2,
        statusCode: null,
        responseMs: null,
        error: expect.stringMatching(/loopback/),
      }),
    ]);
  });

  it('sends nothing, and succeeds, once the webhook is deleted', async () => {
    const activities = createWebhookActivities({
      store,
      fetch: createGuardedFetch(PUBLIC_ONLY),
      publicUrl: 'https://cf.example',
      firstRetryMs: 1000,
    });
    attempts.length = 0;
    const result = await new MockActivityEnvironment().run(activities.sendWebhook, { ...delivery, webhookId: 'gone' });
    expect(result).toEqual({ statusCode: null, responseMs: null });
    expect(attempts).toEqual([]);
  });

  it('plans one message per subscribed webhook, with an id that is the same every time it is planned', async () => {
    const activities = createWebhookActivities({
      store,
      fetch: createGuardedFetch(PUBLIC_ONLY),
      publicUrl: 'https://cf.example',
      firstRetryMs: 750,
    });
    const end = { runId: 'run-1', pipelineId: 'p1', event: 'run.failed' as const };
    const [planned] = await activities.planWebhookDeliveries(end);
    expect(planned).toMatchObject({
      webhookId: 'hook-1',
      event: 'run.failed',
      runId: 'run-1',
      firstRetryMs: 750,
      messageId: messageIdOf('run-1', 'hook-1', 'run.failed'),
    });
    expect((await activities.planWebhookDeliveries(end))[0].messageId).toBe(planned.messageId);
    expect(messageIdOf('run-1', 'hook-1', 'run.succeeded')).not.toBe(planned.messageId);
  });
});
