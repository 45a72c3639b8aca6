import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PLANS, loadPlans, periodOf, periodResetsAt } from '../infra/plans';
import { edge } from './support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from './support/stack';

/** One generation per run: a local sketch (fast, free), then stored. */
const sketchGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'art', type: 'illustration', params: { provider: 'local', size: '256x256', steps: 4 } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'art', 'prompt'), edge('art', 'image', 'publish', 'file')],
};

/** The plans these tests put users on, through the environment override. */
const PLANS = {
  burst: { monthlyGenerations: 10, concurrentRuns: 100 },
  tiny: { monthlyGenerations: 5, concurrentRuns: 1, nodesPerPipeline: 3, storageBytes: 1000, monthlySpendUsd: 1 },
  free: { monthlyGenerations: 77 },
};

describe('plans and quotas (PostgreSQL)', () => {
  let stack: Stack;
  const savedPlans = process.env.PLANS_JSON;
  beforeAll(async () => {
    process.env.PLANS_JSON = JSON.stringify(PLANS);
    stack = await startStack({ backends: 'servers' });
  });
  afterAll(async () => {
    if (savedPlans === undefined) delete process.env.PLANS_JSON;
    else process.env.PLANS_JSON = savedPlans;
    await stack?.stop();
  });

  const db = () => stack.services.db;
  async function userOn(plan: string, monthly?: { used: number; period?: string }) {
    const user = await registerUser(stack.baseUrl);
    await db()
      .updateTable('users')
      .set({ plan, ...(monthly ? { monthly_generations: monthly.used, monthly_period: monthly.period ?? periodOf() } : {}) })
      .where('id', '=', user.userId)
      .execute();
    return user;
  }
  const newPipeline = async (client: Awaited<ReturnType<typeof registerUser>>['client'], graph: object = sketchGraph) => {
    const res = await client.post('/api/pipelines', { name: 'Sketch', graph });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('30 concurrent run starts with 5 generations left make exactly 5 generations; the rest fail naming the quota', async () => {
    const { client, userId } = await userOn('burst', { used: 5 });
    const pipelineId = await newPipeline(client);
    const starts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: `fox ${i}` } })),
    );
    // A start checked after five generations already happened is refused up front; the others start and race.
    for (const s of starts) expect([201, 402]).toContain(s.status);
    const runs = await Promise.all(starts.filter((s) => s.status === 201).map((s) => waitForRun(client, s.body.id, 180_000)));
    const succeeded = runs.filter((r) => r.status === 'succeeded');
    expect(succeeded).toHaveLength(5);
    for (const r of runs.filter((r) => r.status !== 'succeeded')) {
      expect(r.status).toBe('failed');
      expect(r.nodes.art.error).toMatch(/^quota_exceeded: monthly generations 10\/10 on the burst plan, resets \d{4}-\d{2}-01/);
      expect(r.nodes.art.attempts).toBe(1);
    }
    const generations = await db().selectFrom('generations').select(['status']).where('user_id', '=', userId).execute();
    expect(generations).toEqual(Array.from({ length: 5 }, () => ({ status: 'completed' })));
    const user = await db()
      .selectFrom('users')
      .select(['monthly_generations', 'total_generations'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ monthly_generations: 10, total_generations: 5 });
  }, 240_000);

  it('refuses a run start with 402 once the monthly generations are used, saying when they reset', async () => {
    const { client } = await userOn('tiny', { used: 5 });
    const res = await client.post(`/api/pipelines/${await newPipeline(client)}/runs`, { inputs: { topic: 'x' } });
    expect(res.status).toBe(402);
    expect(res.body).toEqual({
      error: 'quota_exceeded',
      message: `quota_exceeded: monthly generations 5/5 on the tiny plan, resets ${periodResetsAt().toISOString().slice(0, 10)}`,
      quota: 'monthlyGenerations',
      limit: 5,
      used: 5,
      resetsAt: periodResetsAt().toISOString(),
    });
  });

  it('refuses a run start with 402 at the concurrent runs, nodes per pipeline, storage and monthly spend limits', async () => {
    const refusal = async (
      setUp: (ids: { userId: string; projectId: string; pipelineId: string }) => Promise<unknown>,
      graph: object = sketchGraph,
    ) => {
      const { client, userId } = await userOn('tiny');
      const pipelineId = await newPipeline(client, graph);
      const { project_id: projectId } = await db()
        .selectFrom('pipelines')
        .select('project_id')
        .where('id', '=', pipelineId)
        .executeTakeFirstOrThrow();
      await setUp({ userId, projectId, pipelineId });
      const res = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'x' } });
      expect(res.status).toBe(402);
      expect(res.body.error).toBe('quota_exceeded');
      return res.body;
    };

    const running = await refusal(({ userId, projectId, pipelineId }) =>
      db()
        .insertInto('runs')
        .values({
          id: randomUUID(),
          user_id: userId,
          project_id: projectId,
          pipeline_id: pipelineId,
          pipeline_version: 1,
          status: 'running',
          inputs: '{}',
        })
        .execute(),
    );
    expect(running).toMatchObject({ quota: 'concurrentRuns', limit: 1, used: 1, resetsAt: null });

    const fourNodes = { ...sketchGraph, nodes: [...sketchGraph.nodes, { id: 'more', type: 'template', params: { template: 'x' } }] };
    const wide = await refusal(async () => undefined, fourNodes);
    expect(wide).toMatchObject({
      quota: 'nodesPerPipeline',
      limit: 3,
      used: 4,
      resetsAt: null,
      message: 'quota_exceeded: nodes per pipeline 4/3 on the tiny plan',
    });

    const full = await refusal(({ userId, projectId }) =>
      db()
        .insertInto('media')
        .values({
          id: randomUUID(),
          user_id: userId,
          project_id: projectId,
          storage_key: 'k',
          mime_type: 'image/png',
          size: 1500,
          sha256: 'x',
          kind: 'image',
        })
        .execute(),
    );
    expect(full).toMatchObject({ quota: 'storageBytes', limit: 1000, used: 1500, resetsAt: null });

    const spent = await refusal(({ userId, projectId }) =>
      db()
        .insertInto('generations')
        .values({ user_id: userId, project_id: projectId, type: 'text', ai_service: 'openai', status: 'completed', cost_usd: '1.250000' })
        .execute(),
    );
    expect(spent).toMatchObject({ quota: 'monthlySpendUsd', limit: 1, used: 1.25, resetsAt: periodResetsAt().toISOString() });
  });

  it("starts again in a new month: last month's used-up counter counts from zero", async () => {
    const { client, userId } = await userOn('tiny', { used: 5, period: '2020-01' });
    const started = await client.post(`/api/pipelines/${await newPipeline(client)}/runs`, { inputs: { topic: 'x' } });
    expect(started.status).toBe(201);
    expect((await waitForRun(client, started.body.id, 60_000)).status).toBe('succeeded');
    const user = await db()
      .selectFrom('users')
      .select(['monthly_generations', 'monthly_period'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ monthly_generations: 1, monthly_period: periodOf() });
  }, 90_000);

  it('shows usage against the plan, with the limits PLANS_JSON overrides', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const res = await client.get('/api/settings/usage');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      plan: 'free',
      period: periodOf(),
      resetsAt: periodResetsAt().toISOString(),
      usage: {
        monthlyGenerations: { used: 0, limit: 77 },
        concurrentRuns: { used: 0, limit: DEFAULT_PLANS.free.concurrentRuns },
        storageBytes: { used: 0, limit: DEFAULT_PLANS.free.storageBytes },
        monthlySpendUsd: { used: 0, limit: DEFAULT_PLANS.free.monthlySpendUsd },
      },
      nodesPerPipeline: DEFAULT_PLANS.free.nodesPerPipeline,
    });
  });
});

describe('the plans file and its environment override', () => {
  it('merges PLANS_JSON over the plans, limit by limit, and adds new plans from the free one', () => {
    const plans = loadPlans({ PLANS_JSON: '{"pro":{"concurrentRuns":3},"studio":{"storageBytes":10}}' });
    expect(plans.pro).toEqual({ ...DEFAULT_PLANS.pro, concurrentRuns: 3 });
    expect(plans.free).toEqual(DEFAULT_PLANS.free);
    expect(plans.studio).toEqual({ ...DEFAULT_PLANS.free, storageBytes: 10 });
    expect(loadPlans({}).pro).toEqual(DEFAULT_PLANS.pro);
  });

  it('refuses a bad override, naming what is wrong', () => {
    expect(() => loadPlans({ PLANS_JSON: '{"pro":{"concurrentRun":3}}' })).toThrow(/PLANS_JSON: pro: .*concurrentRun/);
    expect(() => loadPlans({ PLANS_JSON: '{"pro":{"storageBytes":-1}}' })).toThrow(/PLANS_JSON: pro\.storageBytes/);
    expect(() => loadPlans({ PLANS_JSON: '{pro' })).toThrow(/PLANS_JSON is not valid JSON/);
  });
});
