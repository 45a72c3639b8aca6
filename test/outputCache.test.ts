import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRef } from '../workflows/pipeline';
import { startFakeVendors, type FakeVendors } from './support/fakeVendors';
import { edge } from './support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from './support/stack';

/** A story read aloud and illustrated on (fake) cloud providers: story and picture with fixed seeds, the narration kept always. */
const storyGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'story', type: 'story', params: { provider: 'openai', words: 40, seed: 7 } },
    { id: 'narration', type: 'narration', params: { provider: 'openai', cache: 'always' } },
    { id: 'publishAudio', type: 'upload', params: {} },
    { id: 'picture', type: 'illustration', params: { provider: 'stability', size: '512x512', seed: 3 } },
  ],
  edges: [
    edge('topic', 'value', 'story', 'prompt'),
    edge('story', 'text', 'narration', 'text'),
    edge('narration', 'audio', 'publishAudio', 'file'),
    edge('story', 'text', 'picture', 'prompt'),
  ],
};
const CACHED_NODES = ['story', 'narration', 'picture'];

describe('the output cache: identical node executions reuse an earlier output (fake OpenAI and Stability servers)', () => {
  let stack: Stack;
  let vendors: FakeVendors;
  beforeAll(async () => {
    vendors = await startFakeVendors();
    process.env.PROVIDER_ALLOWED_HOSTS = '127.0.0.1';
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(async () => {
    delete process.env.PROVIDER_ALLOWED_HOSTS;
    await stack?.stop();
    await vendors?.stop();
  });

  type Client = Awaited<ReturnType<typeof registerUser>>['client'];
  async function userWithKeys() {
    const user = await registerUser(stack.baseUrl);
    expect((await user.client.put('/api/settings/providers/openai', { apiKey: 'good', baseUrl: `${vendors.baseUrl}/v1` })).status).toBe(
      200,
    );
    expect((await user.client.put('/api/settings/providers/stability', { apiKey: 'good', baseUrl: vendors.baseUrl })).status).toBe(200);
    return user;
  }
  const newPipeline = async (client: Client, graph: object = storyGraph) =>
    (await client.post('/api/pipelines', { name: 'Cached story', graph })).body.id as string;
  /** Runs the pipeline and answers the finished run and the provider calls it made. */
  async function run(client: Client, pipelineId: string, extra: object = {}) {
    const mark = vendors.requests.length;
    const started = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'a lighthouse' }, ...extra });
    expect(started.status).toBe(201);
    const finished = await waitForRun(client, started.body.id, 90_000);
    expect(finished.status).toBe('succeeded');
    const paths = vendors.requests.slice(mark).map((r) => r.path);
    // Which providers were called (1) or not (0): a story may take more than one completion to reach its length.
    const called = (matches: (path: string) => boolean) => (paths.some(matches) ? 1 : 0);
    const calls = {
      story: called((p) => p === '/v1/chat/completions'),
      speech: called((p) => p === '/v1/audio/speech'),
      image: called((p) => p.startsWith('/v2beta/stable-image/')),
    };
    return { run: finished, calls };
  }
  const ALL_CALLS = { story: 1, speech: 1, image: 1 };
  const NO_CALLS = { story: 0, speech: 0, image: 0 };

  it('runs the same pipeline again with no provider call: its nodes show cached, from the first run, with what it cost there', async () => {
    const { client } = await userWithKeys();
    const pipelineId = await newPipeline(client);
    const first = await run(client, pipelineId);
    expect(first.calls).toEqual(ALL_CALLS);
    for (const nodeId of CACHED_NODES) expect(first.run.nodes[nodeId].cached).toBeNull();

    const second = await run(client, pipelineId);
    expect(second.calls).toEqual(NO_CALLS);
    for (const nodeId of CACHED_NODES) {
      expect(second.run.nodes[nodeId].cached).toEqual({ fromRunId: first.run.id, savedUsd: first.run.costs[nodeId] });
      expect(second.run.nodes[nodeId].output).toEqual(first.run.nodes[nodeId].output);
      expect(second.run.costs[nodeId]).toBeUndefined();
    }
    expect(second.run.nodes.story.cached.savedUsd).toBeGreaterThan(0);
    // An upload is not a cacheable step: it publishes again, from the reused audio.
    expect(second.run.nodes.publishAudio.cached).toBeNull();
    expect(second.run.nodes.publishAudio.output.media.id).not.toBe(first.run.nodes.publishAudio.output.media.id);

    // Another pipeline with the same nodes hits the same entries: the key is what is computed, not where.
    const elsewhere = await run(client, await newPipeline(client));
    expect(elsewhere.calls).toEqual(NO_CALLS);
  }, 240_000);

  it('recomputes a node whose param changed and what reads it, nothing else; a node without a fixed seed is not reused', async () => {
    const { client } = await userWithKeys();
    const pipelineId = await newPipeline(client);
    const first = await run(client, pipelineId);
    const slower = {
      ...storyGraph,
      nodes: storyGraph.nodes.map((n) => (n.id === 'narration' ? { ...n, params: { ...n.params, speed: 0.8 } } : n)),
    };
    expect((await client.put(`/api/pipelines/${pipelineId}`, { graph: slower })).status).toBe(200);
    const changed = await run(client, pipelineId);
    expect(changed.calls).toEqual({ story: 0, speech: 1, image: 0 });
    expect(changed.run.nodes.story.cached).toMatchObject({ fromRunId: first.run.id });
    expect(changed.run.nodes.picture.cached).toMatchObject({ fromRunId: first.run.id });
    expect(changed.run.nodes.narration.cached).toBeNull();

    // The story's seed removed (and no cache choice): auto does not reuse it, so it and everything after it run.
    const unseeded = {
      ...slower,
      nodes: slower.nodes.map((n) => (n.id === 'story' ? { ...n, params: { provider: 'openai', words: 40 } } : n)),
    };
    expect((await client.put(`/api/pipelines/${pipelineId}`, { graph: unseeded })).status).toBe(200);
    expect((await run(client, pipelineId)).calls).toEqual(ALL_CALLS);
    expect((await run(client, pipelineId)).calls).toEqual({ story: 1, speech: 0, image: 0 });
  }, 240_000);

  it("calls again with cache: 'fresh' (and keeps what it made); another user never gets your cache", async () => {
    const { client } = await userWithKeys();
    const pipelineId = await newPipeline(client);
    await run(client, pipelineId);
    const fresh = await run(client, pipelineId, { cache: 'fresh' });
    expect(fresh.calls).toEqual(ALL_CALLS);
    for (const nodeId of CACHED_NODES) expect(fresh.run.nodes[nodeId].cached).toBeNull();
    const after = await run(client, pipelineId);
    expect(after.calls).toEqual(NO_CALLS);
    expect(after.run.nodes.story.cached).toMatchObject({ fromRunId: fresh.run.id });

    const { client: other } = await userWithKeys();
    const theirs = await run(other, await newPipeline(other));
    expect(theirs.calls).toEqual(ALL_CALLS);
    for (const nodeId of CACHED_NODES) expect(theirs.run.nodes[nodeId].cached).toBeNull();
  }, 240_000);

  it('lists the entries in Settings; clearing one or all makes the next run call again for those nodes', async () => {
    const { client } = await userWithKeys();
    const pipelineId = await newPipeline(client);
    const first = await run(client, pipelineId);
    const listed = await client.get('/api/cache');
    expect(listed.status).toBe(200);
    expect(listed.body.entries.map((e: { nodeType: string }) => e.nodeType).sort()).toEqual(['illustration', 'narration', 'story']);
    const story = listed.body.entries.find((e: { nodeId: string }) => e.nodeId === 'story');
    expect(story).toMatchObject({ runId: first.run.id, pipelineId, pipelineName: 'Cached story', savedUsd: first.run.costs.story });

    expect((await client.request('DELETE', `/api/cache/${story.id}`)).status).toBe(204);
    expect((await client.request('DELETE', `/api/cache/${story.id}`)).status).toBe(404);
    expect((await run(client, pipelineId)).calls).toEqual({ story: 1, speech: 0, image: 0 });

    expect((await client.request('DELETE', '/api/cache')).status).toBe(204);
    expect((await client.get('/api/cache')).body.entries).toEqual([]);
    expect((await run(client, pipelineId)).calls).toEqual(ALL_CALLS);
  }, 240_000);

  it('does not reuse an entry whose artifact is gone from storage: the node is computed again', async () => {
    const { client } = await userWithKeys();
    const pipelineId = await newPipeline(client);
    const first = await run(client, pipelineId);
    await stack.services.blobs.delete((first.run.nodes.picture.output.image as ArtifactRef).key);
    const again = await run(client, pipelineId);
    expect(again.calls).toEqual({ story: 0, speech: 0, image: 1 });
    expect(again.run.nodes.picture.cached).toBeNull();
    expect(again.run.nodes.story.cached).toMatchObject({ fromRunId: first.run.id });
  }, 240_000);
});
