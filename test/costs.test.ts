import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVendors, type FakeVendors } from './support/fakeVendors';
import { edge } from './support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from './support/stack';

/** A story, read aloud, its first scene drawn: every step on the fake OpenAI server. */
const narratedStory = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'story', type: 'story', params: { provider: 'openai', words: 150 } },
    { id: 'voice', type: 'narration', params: { provider: 'openai' } },
    { id: 'art', type: 'illustration', params: { provider: 'openai', size: '1024x1024' } },
  ],
  edges: [edge('topic', 'value', 'story', 'prompt'), edge('story', 'text', 'voice', 'text'), edge('story', 'text', 'art', 'prompt')],
};

/** Three calls one after another: a story (~$0.0001), an image prompt from it (~$0.0002), the picture ($0.04). */
const threeCalls = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'story', type: 'story', params: { provider: 'openai', words: 40 } },
    { id: 'prompt', type: 'llm', params: { provider: 'openai', maxTokens: 100 } },
    { id: 'art', type: 'illustration', params: { provider: 'openai', size: '1024x1024' } },
  ],
  edges: [edge('topic', 'value', 'story', 'prompt'), edge('story', 'text', 'prompt', 'text'), edge('prompt', 'text', 'art', 'prompt')],
};

const PLANS = { capped: { monthlySpendUsd: 0.01 } };

describe('cost before and after: estimates and budgets (fake OpenAI server)', () => {
  let stack: Stack;
  let vendors: FakeVendors;
  const savedPlans = process.env.PLANS_JSON;
  beforeAll(async () => {
    vendors = await startFakeVendors();
    process.env.PROVIDER_ALLOWED_HOSTS = '127.0.0.1';
    process.env.PLANS_JSON = JSON.stringify(PLANS);
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(async () => {
    delete process.env.PROVIDER_ALLOWED_HOSTS;
    if (savedPlans === undefined) delete process.env.PLANS_JSON;
    else process.env.PLANS_JSON = savedPlans;
    await stack?.stop();
    await vendors?.stop();
  });

  async function userWith(graph: object) {
    const user = await registerUser(stack.baseUrl);
    expect((await user.client.put('/api/settings/providers/openai', { apiKey: 'sk-test', baseUrl: `${vendors.baseUrl}/v1` })).status).toBe(
      200,
    );
    const pipeline = await user.client.post('/api/pipelines', { name: 'Costs', graph });
    expect(pipeline.status).toBe(201);
    const { projectId } = (await user.client.get(`/api/pipelines/${pipeline.body.id}`)).body;
    return { ...user, pipelineId: pipeline.body.id as string, projectId: projectId as string };
  }
  /** What the fake server is asked from now on, by path. */
  const callsFrom = () => {
    const start = vendors.requests.length;
    return () => vendors.requests.slice(start).map((r) => r.path);
  };

  it('estimates a cloud story → narration → illustration run per node and in total, saying what it assumed', async () => {
    const { client, pipelineId } = await userWith(narratedStory);
    const calls = callsFrom();
    const res = await client.post(`/api/pipelines/${pipelineId}/estimate`, { inputs: { topic: 'a lighthouse keeper' } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.nodes).sort()).toEqual(['art', 'story', 'voice']);
    expect(res.body.nodes.story.basis).toMatch(/^~200 tokens written, ~\d+ read × gpt-4o-mini/);
    expect(res.body.nodes.voice).toEqual({ usd: 0.0135, basis: '~900 characters × tts-1 ($0.015/1K characters)' });
    expect(res.body.nodes.art).toEqual({ usd: 0.04, basis: '1 image × dall-e-3 ($0.04/image), 1024x1024' });
    expect(res.body.totalUsd).toBeCloseTo(res.body.nodes.story.usd + 0.0135 + 0.04, 6);
    expect(calls()).toEqual([]); // an estimate calls no provider

    // The editor's canvas, not recorded yet, is estimated as it would run.
    const canvas = await client.post(`/api/pipelines/${pipelineId}/estimate`, { inputs: { topic: 'x' }, graph: threeCalls });
    expect(canvas.status).toBe(200);
    expect(Object.keys(canvas.body.nodes).sort()).toEqual(['art', 'prompt', 'story']);
    const both = await client.post(`/api/pipelines/${pipelineId}/estimate`, { inputs: { topic: 'x' }, graph: threeCalls, version: 1 });
    expect(both.status).toBe(400);
    expect(both.body.message).toMatch(/graph: give a version or a graph, not both/);
  });

  it("answers 404 for another user's pipeline and 400 naming the field for bad inputs", async () => {
    const { pipelineId } = await userWith(narratedStory);
    const other = await registerUser(stack.baseUrl);
    expect((await other.client.post(`/api/pipelines/${pipelineId}/estimate`, { inputs: { topic: 'x' } })).status).toBe(404);
    const { client, pipelineId: own } = await userWith(narratedStory);
    const notAnObject = await client.post(`/api/pipelines/${own}/estimate`, { inputs: 'x' });
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body.message).toMatch(/inputs/);
    const notText = await client.post(`/api/pipelines/${own}/estimate`, { inputs: { topic: 5 } });
    expect(notText.status).toBe(400);
    expect(notText.body).toMatchObject({ error: 'invalid_inputs', message: 'inputs.topic: must be text (a string)' });
    // Before the inputs are typed there is an estimate all the same.
    const notYetTyped = await client.post(`/api/pipelines/${own}/estimate`, { inputs: {} });
    expect(notYetTyped.status).toBe(200);
    expect(notYetTyped.body.nodes.art.usd).toBe(0.04);
    const unknownField = await client.post(`/api/pipelines/${own}/estimate`, { inputs: { topic: 'x' }, budget: 1 });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toMatch(/budget/);
  });

  it("stops a run before the call that would cross its budget (the project's): that node fails budget_exceeded and no call is made", async () => {
    const { client, pipelineId, projectId } = await userWith(threeCalls);
    expect((await client.patch(`/api/projects/${projectId}`, { settings: { budgetUsd: 0.01 } })).status).toBe(200);
    const calls = callsFrom();
    const started = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'Ada' } });
    expect(started.status).toBe(201);
    const run = await waitForRun(client, started.body.id, 60_000);
    expect(run.status).toBe('failed');
    expect(run.budgetUsd).toBe(0.01);
    expect(run.nodes.story.status).toBe('succeeded');
    expect(run.nodes.prompt.status).toBe('succeeded');
    expect(run.nodes.art).toMatchObject({ status: 'failed', attempts: 1 });
    expect(run.nodes.art.error).toMatch(
      /^budget_exceeded: the next call \(estimated \$0\.04\) would cross this run's budget of \$0\.01: \$0\.000\d+ already spent/,
    );
    expect(calls()).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    // After: what each node cost next to what it was estimated to cost.
    expect(Object.keys(run.estimate.nodes).sort()).toEqual(['art', 'prompt', 'story']);
    expect(run.costs.story).toBeGreaterThan(0);
    expect(run.costs.art ?? 0).toBe(0);
    const generations = await stack.services.db
      .selectFrom('generations')
      .select(['node_id', 'status'])
      .where('run_id', '=', run.id)
      .execute();
    expect(generations.map((g) => g.node_id).sort()).toEqual(['prompt', 'story']);
  });

  it('lets a start name a larger budget than the project: the same run then makes all three calls', async () => {
    const { client, pipelineId, projectId } = await userWith(threeCalls);
    expect((await client.patch(`/api/projects/${projectId}`, { settings: { budgetUsd: 0.01 } })).status).toBe(200);
    const calls = callsFrom();
    const started = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'Ada' }, budgetUsd: 0.5 });
    const run = await waitForRun(client, started.body.id, 60_000);
    expect(run.status).toBe('succeeded');
    expect(run.budgetUsd).toBe(0.5);
    expect(calls()).toEqual(['/v1/chat/completions', '/v1/chat/completions', '/v1/images/generations']);
    expect(run.costs.art).toBe(0.04);
  });

  it("stops the same way at the plan's monthly spend limit, naming the limit", async () => {
    const { client, userId, pipelineId } = await userWith(threeCalls);
    await stack.services.db.updateTable('users').set({ plan: 'capped' }).where('id', '=', userId).execute();
    const calls = callsFrom();
    const started = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'Ada' } });
    expect(started.status).toBe(201);
    const run = await waitForRun(client, started.body.id, 60_000);
    expect(run.status).toBe('failed');
    expect(run.nodes.art.error).toMatch(
      /^budget_exceeded: the next call \(estimated \$0\.04\) would cross the monthly spend limit of \$0\.01 on the capped plan: \$0\.000\d+ already spent or reserved, resets \d{4}-\d{2}-01; no call was made$/,
    );
    expect(calls()).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
  });
});

describe('a run budget under concurrency (PostgreSQL)', () => {
  let stack: Stack;
  let vendors: FakeVendors;
  beforeAll(async () => {
    vendors = await startFakeVendors();
    process.env.PROVIDER_ALLOWED_HOSTS = '127.0.0.1';
    stack = await startStack({ backends: 'servers' });
  });
  afterAll(async () => {
    delete process.env.PROVIDER_ALLOWED_HOSTS;
    await stack?.stop();
    await vendors?.stop();
  });

  it('lets the pictures of a fan-out that fit the budget through, and no more, though their calls race', async () => {
    const fanOut = {
      nodes: [
        { id: 'scenes', type: 'input', params: { name: 'scenes' } },
        { id: 'lines', type: 'split', params: { by: 'lines', maxItems: 5 } },
        { id: 'art', type: 'illustration', params: { provider: 'openai', size: '1024x1024' } },
      ],
      edges: [edge('scenes', 'value', 'lines', 'text'), edge('lines', 'items', 'art', 'prompt')],
    };
    const { client } = await registerUser(stack.baseUrl);
    expect((await client.put('/api/settings/providers/openai', { apiKey: 'sk-test', baseUrl: `${vendors.baseUrl}/v1` })).status).toBe(200);
    const pipeline = await client.post('/api/pipelines', { name: 'Scenes', graph: fanOut });
    const inputs = { scenes: 'a fox\na hen\na owl\na cat\na dog' };
    expect((await client.post(`/api/pipelines/${pipeline.body.id}/estimate`, { inputs })).body.nodes.art.usd).toBe(0.2);
    // Two pictures ($0.08) fit in $0.10; a third would cross it.
    const started = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs, budgetUsd: 0.1 });
    const run = await waitForRun(client, started.body.id, 60_000);
    expect(run.status).toBe('failed');
    expect(run.nodes.art.error).toMatch(/budget_exceeded: the next call \(estimated \$0\.04\) would cross this run's budget of \$0\.1/);
    const pictures = vendors.requests.filter((r) => r.path === '/v1/images/generations');
    expect(pictures.length).toBeGreaterThanOrEqual(1);
    expect(pictures.length).toBeLessThanOrEqual(2);
    expect(run.costs.art ?? 0).toBeLessThanOrEqual(0.1);
  }, 120_000);
});
