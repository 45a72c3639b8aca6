import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiClient, REDIS_URL, registerUser, startStack, waitForRun, type Stack } from './support/stack';
import { startTcpProxy, type TcpProxy } from './support/tcpProxy';

/** Longer than the delay node's heartbeat timeout (5 s): an activity stuck on the bus this long is retried. */
const OUTAGE_MS = 8_000;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An open SSE stream whose text so far can be inspected while it runs. */
async function openEvents(baseUrl: string, token: string, runId: string) {
  const res = await fetch(`${baseUrl}/api/runs/${runId}/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(60_000),
  });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const stream = { text: '', ended: false };
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stream.text += decoder.decode(value, { stream: true });
    }
    stream.ended = true;
  })();
  const events = () =>
    stream.text
      .split('\n\n')
      .filter((block) => block.includes('data: '))
      .map((block) => ({ id: block.match(/^id: (\d+)$/m)?.[1], data: JSON.parse(block.match(/^data: (.*)$/m)![1]) }));
  return { stream, events, reading };
}

describe('a Redis outage while a run is in flight', () => {
  let proxy: TcpProxy;
  let stack: Stack;
  const quiet = [vi.spyOn(console, 'error'), vi.spyOn(console, 'warn')];

  beforeAll(async () => {
    for (const spy of quiet) spy.mockImplementation(() => undefined);
    const { hostname, port } = new URL(REDIS_URL);
    proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) });
    stack = await startStack({ backends: 'servers', redisUrl: `redis://127.0.0.1:${proxy.port}` });
  });
  afterAll(async () => {
    await proxy?.restore();
    await stack?.stop();
    await proxy?.close();
    for (const spy of quiet) spy.mockRestore();
  });

  it('costs the run nothing, health reports the bus, streams replay at once and go live again after', async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    const anon = apiClient(stack.baseUrl);
    const pipeline = await client.post('/api/pipelines', {
      name: 'Through an outage',
      graph: {
        nodes: [
          { id: 'text', type: 'input', params: { name: 'text' } },
          { id: 'first', type: 'delay', params: { ms: 2000 } },
          { id: 'second', type: 'delay', params: { ms: 12_000 } },
          { id: 'publish', type: 'upload', params: {} },
        ],
        edges: [
          { source: 'text', sourceHandle: 'value', target: 'first', targetHandle: 'in' },
          { source: 'first', sourceHandle: 'out', target: 'second', targetHandle: 'in' },
          { source: 'second', sourceHandle: 'out', target: 'publish', targetHandle: 'file' },
        ],
      },
    });
    expect(pipeline.status).toBe(201);
    expect((await anon.get('/api/health')).body).toMatchObject({ status: 'ok', bus: 'ok' });
    const { body } = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { text: 'outlasts Redis' } });
    await until('the first delay runs', async () => (await client.get(`/api/runs/${body.id}`)).body.nodes.first.status === 'running');

    await proxy.cut();
    const cutAt = Date.now();

    const health = await until('health notices', async () => {
      const res = await anon.get('/api/health');
      return res.body.bus !== 'ok' && res;
    });
    expect(health.status).toBe(200); // degraded, not down: runs work without the bus
    expect(health.body).toMatchObject({ status: 'degraded', database: 'ok', temporal: 'ok' });
    expect(health.body.bus).toMatch(/^error: Redis at redis:\/\/127\.0\.0\.1:\d+/);

    // A stream opened now replays what was recorded at once, though it cannot subscribe.
    const opened = Date.now();
    const sse = await openEvents(stack.baseUrl, token, body.id);
    await until('recorded events arrive', async () => sse.events().some((e) => e.data.type === 'run.status' && e.id), 3_000);
    expect(Date.now() - opened).toBeLessThan(3_000);

    // The second node starts while Redis is away (its start is announced on the bus).
    await until(
      'the second delay runs',
      async () => (await client.get(`/api/runs/${body.id}`)).body.nodes.second.status === 'running',
      OUTAGE_MS,
    );
    expect(Date.now() - cutAt).toBeLessThan(OUTAGE_MS);
    await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - cutAt)));
    expect(sse.stream.ended).toBe(false);
    await proxy.restore();

    await until('health sees the bus again', async () => (await anon.get('/api/health')).body.bus === 'ok');
    const run = await waitForRun(client, body.id, 60_000);
    expect(run.status).toBe('succeeded');
    // Not even a retry, and no hold-up: the second delay took its 12 s, not 12 s plus however long Redis was away.
    expect(Object.fromEntries(['first', 'second', 'publish'].map((id) => [id, run.nodes[id].attempts]))).toEqual({
      first: 1,
      second: 1,
      publish: 1,
    });
    const secondTook = Date.parse(run.nodes.second.finishedAt) - Date.parse(run.nodes.second.startedAt);
    expect(secondTook).toBeLessThan(12_000 + OUTAGE_MS / 2);

    await sse.reading;
    const events = sse.events();
    // Live-only events (never recorded) flow again: the upload started after Redis came back.
    expect(events).toContainEqual(expect.objectContaining({ data: expect.objectContaining({ type: 'node.attempt', nodeId: 'publish' }) }));
    const ids = events.filter((e) => e.id).map((e) => Number(e.id));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1)); // every recorded event, once, in order
    expect(events.at(-1)?.data).toMatchObject({ type: 'run.status', status: 'succeeded' });
  });

  it('a stream whose client left while the bus was away leaves no subscription behind', async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    const pipeline = await client.post('/api/pipelines', {
      name: 'Long wait',
      graph: {
        nodes: [
          { id: 'text', type: 'input', params: { name: 'text' } },
          { id: 'wait', type: 'delay', params: { ms: 60_000 } },
        ],
        edges: [{ source: 'text', sourceHandle: 'value', target: 'wait', targetHandle: 'in' }],
      },
    });
    const { body } = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { text: 'x' } });
    const channel = `run:${body.id}`;
    await proxy.cut();
    try {
      const leaving = new AbortController();
      const res = await fetch(`${stack.baseUrl}/api/runs/${body.id}/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: leaving.signal,
      });
      expect(res.status).toBe(200);
      leaving.abort();
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await proxy.restore();
    }
    await until('the bus is back', async () => stack.services.bus.connected);
    const admin = createClient({ url: REDIS_URL });
    await admin.connect();
    try {
      // The SUBSCRIBE queued during the outage goes out on reconnect, and is then undone.
      await until(
        'no subscriber is left',
        async () => Number(((await admin.pubSubNumSub(channel)) as Record<string, number>)[channel] ?? 0) === 0,
        5_000,
      );
      await new Promise((r) => setTimeout(r, 1000));
      expect(Number(((await admin.pubSubNumSub(channel)) as Record<string, number>)[channel] ?? 0)).toBe(0);
    } finally {
      await admin.close();
      await client.post(`/api/runs/${body.id}/cancel`);
    }
  });
});
