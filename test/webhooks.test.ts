import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { literalHostRefusal, nonPublicRange, PUBLIC_ONLY } from '../infra/netguard';
import { freePort, registerUser, startStack, waitForRun, type Stack } from './support/stack';
import { startWebhookReceiver } from './support/webhookReceiver';

/**
 * Webhooks out, against the whole product: a run's end reaches its pipeline's webhooks, signed per the
 * Standard Webhooks spec, retried with back-off until the receiver takes it; receivers never hold up a run.
 */
const PUBLIC_URL = 'https://studio.example.com';

const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'text', type: 'template', params: { template: 'Notes on {{topic}}' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [
    { source: 'topic', sourceHandle: 'value', target: 'text', targetHandle: 'topic' },
    { source: 'text', sourceHandle: 'text', target: 'publish', targetHandle: 'file' },
  ],
};

type Client = Awaited<ReturnType<typeof registerUser>>['client'];

async function newPipeline(client: Client, name = 'Hooked'): Promise<string> {
  const res = await client.post('/api/pipelines', { name, graph });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function deliveriesOf(client: Client, webhookId: string, count: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.get(`/api/webhooks/${webhookId}/deliveries`);
    expect(res.status).toBe(200);
    if (res.body.deliveries.length >= count) return res.body.deliveries;
    if (Date.now() > deadline) throw new Error(`${res.body.deliveries.length} of ${count} delivery attempts logged after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('webhooks out (WEBHOOKS_ALLOW_PRIVATE=true, local receivers)', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Retries 1 s, 2 s, … apart instead of 5 s, 10 s, …: the same back-off, quicker (Temporal's timers go by the second).
    stack = await startStack({ backends: 'servers', env: { WEBHOOKS_ALLOW_PRIVATE: 'true', WEBHOOKS_FIRST_RETRY_MS: '1000', PUBLIC_URL } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('delivers a run’s end to a receiver that fails twice, on the third attempt, signed so the standardwebhooks package verifies it', async () => {
    const receiver = await startWebhookReceiver([500, 503, 204]);
    try {
      const { client } = await registerUser(stack.baseUrl);
      const pipelineId = await newPipeline(client);
      const made = await client.post(`/api/pipelines/${pipelineId}/webhooks`, {
        url: receiver.url,
        events: ['run.succeeded', 'run.failed'],
      });
      expect(made.status).toBe(201);
      expect(Object.keys(made.body).sort()).toEqual(['events', 'id', 'secret', 'url']);
      expect(made.body).toMatchObject({ url: receiver.url, events: ['run.succeeded', 'run.failed'] });
      expect(made.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      const secret: string = made.body.secret;
      // A webhook that takes only failures hears nothing of a success.
      const failuresOnly = await client.post(`/api/pipelines/${pipelineId}/webhooks`, { url: receiver.url, events: ['run.failed'] });
      expect(failuresOnly.status).toBe(201);

      const listed = await client.get(`/api/pipelines/${pipelineId}/webhooks`);
      expect(listed.body.webhooks.map((w: { id: string }) => w.id)).toEqual([made.body.id, failuresOnly.body.id]);
      expect(JSON.stringify(listed.body)).not.toContain(secret.slice(6)); // shown once, never again

      const run = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'otters' } });
      const done = await waitForRun(client, run.body.id);
      expect(done.status).toBe('succeeded');

      const [first, second, third] = await receiver.waitFor(3);
      const ids = [first, second, third].map((r) => r.headers['webhook-id']);
      expect(new Set(ids).size).toBe(1); // one message, retried
      expect(ids[0]).toMatch(/^msg_/);
      expect(third.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(third.headers['content-type']).toBe('application/json');
      // Retried with exponential back-off: about 1 s, then about 2 s.
      expect(second.at - first.at).toBeGreaterThan(900);
      expect(third.at - second.at).toBeGreaterThan(second.at - first.at + 500);

      const payload = new Webhook(secret).verify(third.body, third.headers) as any;
      expect(() => new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(third.body, third.headers)).toThrow(
        WebhookVerificationError,
      );
      expect(payload).toMatchObject({
        type: 'run.succeeded',
        data: {
          runId: run.body.id,
          status: 'succeeded',
          error: null,
          pipeline: { id: pipelineId, name: 'Hooked', version: 1 },
          trigger: { kind: 'studio' }, // started with a login token
          cost: { usd: 0, generations: 0 },
          url: `${PUBLIC_URL}/runs/${run.body.id}`,
        },
      });
      expect(Date.parse(payload.timestamp)).toBeGreaterThanOrEqual(Date.parse(done.finishedAt));
      const media = payload.data.outputs.publish.media;
      expect(media.url).toBe(`${PUBLIC_URL}/api/media/${done.nodes.publish.output.media.id}/content`);
      expect(payload.data.timings).toEqual({
        createdAt: done.createdAt,
        startedAt: done.startedAt,
        finishedAt: done.finishedAt,
        durationMs: Date.parse(done.finishedAt) - Date.parse(done.startedAt),
      });

      const log = await deliveriesOf(client, made.body.id, 3);
      expect(log.map((d: any) => [d.attempt, d.statusCode, d.event, d.runId, d.messageId])).toEqual([
        [3, 204, 'run.succeeded', run.body.id, ids[0]],
        [2, 503, 'run.succeeded', run.body.id, ids[0]],
        [1, 500, 'run.succeeded', run.body.id, ids[0]],
      ]);
      expect(log.map((d: any) => d.error)).toEqual([null, 'answered 503', 'answered 500']);
      for (const attempt of log) expect(attempt.responseMs).toBeGreaterThanOrEqual(0);
      await new Promise((r) => setTimeout(r, 1000));
      expect(receiver.received).toHaveLength(3); // delivered: no more attempts
      expect((await client.get(`/api/webhooks/${failuresOnly.body.id}/deliveries`)).body.deliveries).toEqual([]);
    } finally {
      await receiver.stop();
    }
  });

  it('leaves a run succeeded, and finished at once, when its webhook’s receiver is dead; the log shows the failed attempts', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await newPipeline(client);
    const dead = `http://127.0.0.1:${await freePort()}/nobody-listens`;
    const made = await client.post(`/api/pipelines/${pipelineId}/webhooks`, { url: dead, events: ['run.succeeded'] });
    expect(made.status).toBe(201);

    const run = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'silence' } });
    expect((await waitForRun(client, run.body.id)).status).toBe('succeeded');
    // The run's workflow itself completes, without waiting for the delivery that is still being retried.
    const result = await stack.services.temporal.workflow.getHandle(`run-${run.body.id}`).result();
    expect(result.status).toBe('succeeded');

    const log = await deliveriesOf(client, made.body.id, 2);
    for (const attempt of log) {
      expect(attempt).toMatchObject({ statusCode: null, responseMs: null, event: 'run.succeeded', runId: run.body.id });
      expect(attempt.error).toMatch(/ECONNREFUSED/);
    }
    expect((await client.get(`/api/runs/${run.body.id}`)).body.status).toBe('succeeded');
  });

  it('tells a webhook that takes cancellations of a cancelled run, and nothing to one that takes only successes', async () => {
    const receiver = await startWebhookReceiver([200]);
    try {
      const { client } = await registerUser(stack.baseUrl);
      const slow = {
        nodes: [
          { id: 'topic', type: 'input', params: { name: 'topic' } },
          { id: 'wait', type: 'delay', params: { ms: 60_000 } },
        ],
        edges: [{ source: 'topic', sourceHandle: 'value', target: 'wait', targetHandle: 'in' }],
      };
      const pipelineId = (await client.post('/api/pipelines', { name: 'Slow', graph: slow })).body.id;
      const cancellations = await client.post(`/api/pipelines/${pipelineId}/webhooks`, { url: receiver.url, events: ['run.cancelled'] });
      const successes = await client.post(`/api/pipelines/${pipelineId}/webhooks`, { url: receiver.url, events: ['run.succeeded'] });

      const run = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'patience' } });
      const deadline = Date.now() + 30_000;
      while ((await client.get(`/api/runs/${run.body.id}`)).body.nodes.wait.status !== 'running') {
        if (Date.now() > deadline) throw new Error('the delay never started');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await client.post(`/api/runs/${run.body.id}/cancel`)).status).toBe(202);
      expect((await waitForRun(client, run.body.id)).status).toBe('cancelled');

      const [request] = await receiver.waitFor(1);
      const payload = new Webhook(cancellations.body.secret).verify(request.body, request.headers) as any;
      expect(payload).toMatchObject({ type: 'run.cancelled', data: { runId: run.body.id, status: 'cancelled', outputs: null } });
      await new Promise((r) => setTimeout(r, 1000));
      expect(receiver.received).toHaveLength(1);
      expect((await client.get(`/api/webhooks/${successes.body.id}/deliveries`)).body.deliveries).toEqual([]);
    } finally {
      await receiver.stop();
    }
  });

  it('sends a signed test event on request, and shows it in the delivery log', async () => {
    const receiver = await startWebhookReceiver([200]);
    try {
      const { client } = await registerUser(stack.baseUrl);
      const pipelineId = await newPipeline(client, 'Tested');
      const made = await client.post(`/api/pipelines/${pipelineId}/webhooks`, { url: receiver.url, events: ['run.cancelled'] });
      const sent = await client.post(`/api/webhooks/${made.body.id}/test`);
      expect(sent.status).toBe(202);
      expect(sent.body).toEqual({ messageId: expect.stringMatching(/^msg_/), event: 'webhook.test' });

      const [request] = await receiver.waitFor(1);
      expect(request.headers['webhook-id']).toBe(sent.body.messageId);
      const payload = new Webhook(made.body.secret).verify(request.body, request.headers) as any;
      expect(payload).toMatchObject({
        type: 'webhook.test',
        data: { webhookId: made.body.id, pipeline: { id: pipelineId, name: 'Tested' } },
      });

      const [attempt] = await deliveriesOf(client, made.body.id, 1);
      expect(attempt).toMatchObject({
        messageId: sent.body.messageId,
        event: 'webhook.test',
        runId: null,
        attempt: 1,
        statusCode: 200,
        error: null,
      });
    } finally {
      await receiver.stop();
    }
  });

  it('answers 404 for another user’s webhooks and pipelines, and deletes a webhook with its log', async () => {
    const owner = await registerUser(stack.baseUrl);
    const stranger = await registerUser(stack.baseUrl);
    const pipelineId = await newPipeline(owner.client);
    const made = await owner.client.post(`/api/pipelines/${pipelineId}/webhooks`, { url: 'http://127.0.0.1:9/x', events: ['run.failed'] });
    const id = made.body.id;

    expect(
      (await stranger.client.post(`/api/pipelines/${pipelineId}/webhooks`, { url: 'http://127.0.0.1:9/x', events: ['run.failed'] })).status,
    ).toBe(404);
    expect((await stranger.client.get(`/api/pipelines/${pipelineId}/webhooks`)).status).toBe(404);
    expect((await stranger.client.get(`/api/webhooks/${id}/deliveries`)).status).toBe(404);
    expect((await stranger.client.post(`/api/webhooks/${id}/test`)).status).toBe(404);
    expect((await stranger.client.request('DELETE', `/api/webhooks/${id}`)).status).toBe(404);
    expect((await owner.client.get(`/api/pipelines/${pipelineId}/webhooks`)).body.webhooks).toHaveLength(1);

    expect((await owner.client.request('DELETE', `/api/webhooks/${id}`)).status).toBe(204);
    expect((await owner.client.get(`/api/pipelines/${pipelineId}/webhooks`)).body.webhooks).toEqual([]);
    expect((await owner.client.get(`/api/webhooks/${id}/deliveries`)).status).toBe(404);
    expect((await owner.client.request('DELETE', `/api/webhooks/${id}`)).status).toBe(404);
  });

  it('refuses bad webhook bodies naming the field', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await newPipeline(client);
    const post = (body: unknown) => client.post(`/api/pipelines/${pipelineId}/webhooks`, body);
    const cases: [unknown, RegExp][] = [
      [{ url: 'ftp://example.com/x', events: ['run.failed'] }, /url: must be an http:\/\/ or https:\/\/ URL/],
      [{ url: 'https://user:pw@example.com/x', events: ['run.failed'] }, /url: must not contain a user name or password/],
      [{ url: 'https://example.com/x', events: [] }, /events: must name at least one event/],
      [
        { url: 'https://example.com/x', events: ['run.started'] },
        /events\.0: must be one of 'run\.succeeded', 'run\.failed', 'run\.cancelled'/,
      ],
      [{ url: 'https://example.com/x', events: ['run.failed', 'run.failed'] }, /events: must not name an event twice/],
      [{ url: 'https://example.com/x', events: ['run.failed'], secret: 'mine' }, /secret/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
  });
});

describe('webhook URLs without WEBHOOKS_ALLOW_PRIVATE', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ backends: 'embedded', worker: false });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses URLs that lead to loopback, private or link-local addresses, judged by where the name resolves', async () => {
    // This machine's own name is no literal address, yet resolves to one of its own (127.0.0.1, 127.0.1.1 or a LAN address).
    const self = hostname();
    expect(literalHostRefusal(PUBLIC_ONLY, self)).toBeNull();
    expect(nonPublicRange((await lookup(self)).address)).not.toBeNull();

    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await newPipeline(client);
    const urls = [
      'http://127.0.0.1:8080/hook',
      'http://[::1]/hook',
      'http://localhost:3000/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://10.1.2.3/hook',
      'http://192.168.1.20/hook',
      'http://[fe80::1]/hook',
      `http://${self}:8080/hook`,
    ];
    for (const url of urls) {
      const res = await client.post(`/api/pipelines/${pipelineId}/webhooks`, { url, events: ['run.succeeded'] });
      expect(res.status, url).toBe(400);
      expect(res.body.error).toBe('invalid_request');
      expect(res.body.message, url).toMatch(/^Invalid body: url: .*(loopback|private|link-local)/);
    }
    expect((await client.get(`/api/pipelines/${pipelineId}/webhooks`)).body.webhooks).toEqual([]);
    // A public address is fine.
    expect(
      (await client.post(`/api/pipelines/${pipelineId}/webhooks`, { url: 'https://93.184.215.14/hook', events: ['run.succeeded'] })).status,
    ).toBe(201);
  });
});
