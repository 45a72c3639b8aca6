import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PLANS } from '../infra/plans';
import { MAX_BATCH_RUNS } from '../workflows/pipeline';
import { edge } from './support/graphs';
import { readEvents, registerUser, startStack, waitForRun, type Stack } from './support/stack';

type User = Awaited<ReturnType<typeof registerUser>>;

/** input → template: a run that ends as soon as it starts, its output the filled-in text. */
const titleGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'title', type: 'template', params: { template: 'A story about {{topic}}' } },
  ],
  edges: [edge('topic', 'value', 'title', 'topic')],
};
/** input → delay → template: each run lasts long enough for the batch to be caught with runs in flight. */
const slowGraph = (ms: number) => ({
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'hold', type: 'delay', params: { ms } },
    { id: 'title', type: 'template', params: { template: 'Done: {{topic}}' } },
  ],
  edges: [edge('topic', 'value', 'hold', 'in'), edge('hold', 'out', 'title', 'topic')],
});
/** input → illustration (the local sketch renderer): a seeded node. */
const pictureGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'picture', type: 'illustration', params: { size: '256x256' } },
  ],
  edges: [edge('topic', 'value', 'picture', 'prompt')],
};

const CONCURRENCY = 2;
/** The free plan's concurrent runs: every test but one stays well inside it. */
const CONCURRENT_RUNS = DEFAULT_PLANS.free.concurrentRuns;
const topics = (n: number) => Array.from({ length: n }, (_, i) => ({ inputs: { topic: `topic ${i + 1}` } }));

interface BatchRunBody {
  runId: string;
  item: number;
  seed: number | null;
  status: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, Record<string, unknown>> | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

describe('batches: a pipeline over several inputs or seeds, each item an ordinary run', () => {
  let stack: Stack;
  let owner: User;
  let stranger: User;
  let titles: string;
  let pictures: string;

  const startBatch = (pipelineId: string, body: unknown, user = owner) => user.client.post(`/api/pipelines/${pipelineId}/batches`, body);
  const batchOf = async (id: string) => {
    const res = await owner.client.get(`/api/batches/${id}`);
    expect(res.status, res.text).toBe(200);
    return res.body as { status: string; counts: Record<string, number>; runs: BatchRunBody[]; seeds: number | null; concurrency: number };
  };
  /** Polls the batch until none of its runs is queued or running; returns each poll's count of running runs too. */
  const waitForBatch = async (id: string, timeoutMs = 60_000) => {
    const running: number[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const batch = await batchOf(id);
      running.push(batch.counts.running);
      if (batch.status !== 'running') return { batch, running };
      if (Date.now() > deadline) throw new Error(`batch ${id} still running after ${timeoutMs} ms: ${JSON.stringify(batch.counts)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** The most runs that were running at one instant, from their recorded start and end. */
  const mostAtOnce = (runs: BatchRunBody[]) => {
    const spans = runs.filter((r) => r.startedAt).map((r) => [Date.parse(r.startedAt!), Date.parse(r.finishedAt ?? '9999-01-01')]);
    return Math.max(0, ...spans.map(([start]) => spans.filter(([s, f]) => s <= start && start < f).length));
  };

  beforeAll(async () => {
    stack = await startStack({
      backends: 'embedded',
      env: { BATCH_CONCURRENCY: String(CONCURRENCY) },
    });
    owner = await registerUser(stack.baseUrl);
    stranger = await registerUser(stack.baseUrl);
    titles = (await owner.client.post('/api/pipelines', { name: 'Titles', graph: titleGraph })).body.id;
    pictures = (await owner.client.post('/api/pipelines', { name: 'Pictures', graph: pictureGraph })).body.id;
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs a batch of 3 items as 3 ordinary runs that all finish, each with its own inputs, trigger and batchId', async () => {
    const started = await startBatch(titles, { items: topics(3) });
    expect(started.status, started.text).toBe(201);
    expect(Object.keys(started.body).sort()).toEqual(['id', 'runIds']);
    expect(started.body.runIds).toHaveLength(3);

    const { batch } = await waitForBatch(started.body.id);
    expect(batch.status).toBe('succeeded');
    expect(batch.counts).toEqual({ queued: 0, running: 0, succeeded: 3, failed: 0, cancelled: 0 });
    expect(batch.seeds).toBeNull();
    expect(batch.concurrency).toBe(CONCURRENCY);
    expect(batch.runs.map((r) => r.runId)).toEqual(started.body.runIds);
    expect(batch.runs.map((r) => [r.item, r.seed, r.outputs?.title.text])).toEqual([
      [0, null, 'A story about topic 1'],
      [1, null, 'A story about topic 2'],
      [2, null, 'A story about topic 3'],
    ]);

    for (const [i, runId] of started.body.runIds.entries()) {
      const run = await waitForRun(owner.client, runId);
      expect(run).toMatchObject({
        status: 'succeeded',
        batchId: started.body.id,
        trigger: { kind: 'studio' },
        inputs: { topic: `topic ${i + 1}` },
      });
    }
    const listed = await owner.client.get(`/api/pipelines/${titles}/runs`);
    expect(listed.body.runs.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining(started.body.runIds));
  });

  it('an API key starts a batch whose runs say the key started them', async () => {
    const key = await owner.client.post('/api/keys', { name: 'batch script', scope: 'run' });
    const started = await owner.client.request(
      'POST',
      `/api/pipelines/${titles}/batches`,
      { items: topics(1) },
      { authorization: `Bearer ${key.body.key}` },
    );
    expect(started.status, started.text).toBe(201);
    const run = await waitForRun(owner.client, started.body.runIds[0]);
    expect(run.trigger).toEqual({ kind: 'api', keyName: 'batch script' });
  });

  it(`never has more than ${CONCURRENCY} of its runs running at once, and does run ${CONCURRENCY} at once`, async () => {
    const slow = (await owner.client.post('/api/pipelines', { name: 'Slow', graph: slowGraph(800) })).body.id;
    const started = await startBatch(slow, { items: topics(5) });
    expect(started.status, started.text).toBe(201);
    const { batch, running } = await waitForBatch(started.body.id);
    expect(batch.counts.succeeded).toBe(5);
    expect(Math.max(...running)).toBeLessThanOrEqual(CONCURRENCY);
    expect(mostAtOnce(batch.runs)).toBe(CONCURRENCY);
    // The runs past the first ones each wait for an earlier one to end.
    const at = (t: string | null) => Date.parse(t!);
    for (const [i, run] of batch.runs.entries()) {
      if (i < CONCURRENCY) continue;
      expect(at(run.startedAt)).toBeGreaterThanOrEqual(Math.min(...batch.runs.slice(0, i).map((r) => at(r.finishedAt))));
    }
  });

  it('cancelling a batch cancels its runs in flight and the waiting ones never start', async () => {
    const slow = (await owner.client.post('/api/pipelines', { name: 'Slower', graph: slowGraph(30_000) })).body.id;
    const started = await startBatch(slow, { items: topics(5) });
    expect(started.status, started.text).toBe(201);
    const deadline = Date.now() + 30_000;
    while ((await batchOf(started.body.id)).counts.running < CONCURRENCY) {
      if (Date.now() > deadline) throw new Error('the batch never had its runs running');
      await new Promise((r) => setTimeout(r, 100));
    }

    const cancelled = await owner.client.post(`/api/batches/${started.body.id}/cancel`);
    expect(cancelled.status, cancelled.text).toBe(202);
    expect(cancelled.body).toEqual({ id: started.body.id, status: 'cancelling' });
    const { batch } = await waitForBatch(started.body.id, 30_000);
    expect(batch.status).toBe('cancelled');
    expect(batch.counts).toEqual({ queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 5 });
    expect(batch.runs.filter((r) => r.startedAt).length).toBe(CONCURRENCY);
    const neverStarted = batch.runs.find((r) => !r.startedAt)!;
    expect(neverStarted.error).toMatch(/cancelled with its batch/i);
    // Its event stream ends with its final status, as any run's does.
    const events = await readEvents(stack.baseUrl, owner.token, neverStarted.runId);
    expect(events.at(-1)?.data).toMatchObject({ type: 'run.status', status: 'cancelled' });

    const again = await owner.client.post(`/api/batches/${started.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('batch_finished');
  });

  it('cancelling one waiting run of a batch keeps it from starting and lets the others finish', async () => {
    const slow = (await owner.client.post('/api/pipelines', { name: 'One by one', graph: slowGraph(1000) })).body.id;
    const started = await startBatch(slow, { items: topics(4) });
    const last = started.body.runIds[3];
    const cancelled = await owner.client.post(`/api/runs/${last}/cancel`);
    expect(cancelled.status, cancelled.text).toBe(202);
    const { batch } = await waitForBatch(started.body.id);
    expect(batch.runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'cancelled']);
    expect(batch.runs[3].startedAt).toBeNull();
    expect(batch.status).toBe('cancelled');
  });

  it('seeds: N runs each item N times, each with a different seed that reaches its seeded nodes', async () => {
    const started = await startBatch(pictures, { items: [{ inputs: { topic: 'a lighthouse' } }], seeds: 3 });
    expect(started.status, started.text).toBe(201);
    expect(started.body.runIds).toHaveLength(3);
    const { batch } = await waitForBatch(started.body.id, 120_000);
    expect(batch.counts.succeeded).toBe(3);
    expect(batch.seeds).toBe(3);
    const seeds = batch.runs.map((r) => r.seed);
    expect(new Set(seeds).size).toBe(3);
    expect(batch.runs.map((r) => r.item)).toEqual([0, 0, 0]);

    const generations = (await owner.client.get('/api/settings/generations?limit=200')).body.generations as {
      runId: string;
      parameters: { seed: number };
    }[];
    const seedOfRun = new Map(generations.map((g) => [g.runId, g.parameters.seed]));
    expect(batch.runs.map((r) => seedOfRun.get(r.runId))).toEqual(seeds);
  });

  it('items × seeds make items.length × seeds runs, the same seeds for every item', async () => {
    const started = await startBatch(pictures, { items: topics(2), seeds: 2 });
    expect(started.status, started.text).toBe(201);
    const { batch } = await waitForBatch(started.body.id);
    expect(batch.runs.map((r) => [r.item, r.inputs.topic])).toEqual([
      [0, 'topic 1'],
      [0, 'topic 1'],
      [1, 'topic 2'],
      [1, 'topic 2'],
    ]);
    expect([batch.runs[2].seed, batch.runs[3].seed]).toEqual([batch.runs[0].seed, batch.runs[1].seed]);
  });

  it("another user's batch, and another user's pipeline, answer 404", async () => {
    const started = await startBatch(titles, { items: topics(1) });
    expect((await stranger.client.get(`/api/batches/${started.body.id}`)).status).toBe(404);
    expect((await stranger.client.post(`/api/batches/${started.body.id}/cancel`)).status).toBe(404);
    const theirs = await startBatch(titles, { items: topics(1) }, stranger);
    expect(theirs.status).toBe(404);
    expect(theirs.body.error).toBe('not_found');
    await waitForBatch(started.body.id);
  });

  it('refuses bad bodies with 400 naming the field', async () => {
    const refused = async (body: unknown, field: RegExp, error = 'invalid_request') => {
      const res = await startBatch(titles, body);
      expect(res.status, res.text).toBe(400);
      expect(res.body.error).toBe(error);
      expect(res.body.message).toMatch(field);
    };
    await refused({ items: [] }, /items: must hold at least one item/);
    await refused({}, /items/);
    await refused({ items: topics(MAX_BATCH_RUNS + 1) }, new RegExp(`items: must hold at most ${MAX_BATCH_RUNS} items`));
    await refused({ items: topics(30), seeds: 4 }, /seeds: 30 items × 4 seeds make 120 runs; a batch makes at most 100/);
    await refused({ items: topics(1), seeds: 0 }, /seeds/);
    await refused({ items: topics(1), seeds: 1.5 }, /seeds: must be a whole number/);
    await refused({ items: [{ topic: 'no inputs wrapper' }] }, /items\.0/);
    await refused(
      { items: [{ inputs: { topic: 'fine' } }, { inputs: {} }] },
      /items\.1\.inputs\.topic: required pipeline input is missing/,
      'invalid_inputs',
    );
    await refused({ items: topics(1), extra: true }, /extra/);
    const slow = (await owner.client.post('/api/pipelines', { name: 'Unseeded', graph: slowGraph(10) })).body.id;
    const unseeded = await startBatch(slow, { items: topics(1), seeds: 2 });
    expect(unseeded.status).toBe(400);
    expect(unseeded.body.message).toMatch(/^seeds: no step of this pipeline takes a seed/);
  });

  it("counts each of a batch's runs against the plan's concurrent runs (402 beyond it)", async () => {
    const res = await startBatch(titles, { items: topics(CONCURRENT_RUNS + 1) });
    expect(res.status, res.text).toBe(402);
    expect(res.body).toMatchObject({ error: 'quota_exceeded', quota: 'concurrentRuns', limit: CONCURRENT_RUNS });
  });
});
