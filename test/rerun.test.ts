import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactUrl, type ArtifactRef } from '../workflows/pipeline';
import { startFakeVendors, type FakeVendors } from './support/fakeVendors';
import { edge } from './support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from './support/stack';

/** A story read aloud and illustrated, every step on a (fake) cloud provider: narration and picture both read the story. */
const storyGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'story', type: 'story', params: { provider: 'openai', words: 40 } },
    { id: 'narration', type: 'narration', params: { provider: 'openai' } },
    { id: 'publishAudio', type: 'upload', params: {} },
    { id: 'picture', type: 'illustration', params: { provider: 'stability', size: '512x512' } },
  ],
  edges: [
    edge('topic', 'value', 'story', 'prompt'),
    edge('story', 'text', 'narration', 'text'),
    edge('narration', 'audio', 'publishAudio', 'file'),
    edge('story', 'text', 'picture', 'prompt'),
  ],
};

describe('re-running a run from a node or its failed nodes (fake OpenAI and Stability servers)', () => {
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
  async function userWithKeys(stabilityKey = 'good') {
    const user = await registerUser(stack.baseUrl);
    expect((await user.client.put('/api/settings/providers/openai', { apiKey: 'good', baseUrl: `${vendors.baseUrl}/v1` })).status).toBe(
      200,
    );
    expect((await user.client.put('/api/settings/providers/stability', { apiKey: stabilityKey, baseUrl: vendors.baseUrl })).status).toBe(
      200,
    );
    return user;
  }
  async function finishedRun(client: Client, graph: object = storyGraph) {
    const pipeline = await client.post('/api/pipelines', { name: 'Story', graph });
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'a lighthouse' } });
    expect(run.status).toBe(201);
    return { pipelineId: pipeline.body.id as string, run: await waitForRun(client, run.body.id, 90_000) };
  }
  const callsSince = (mark: number) => {
    const paths = vendors.requests.slice(mark).map((r) => r.path);
    return {
      story: paths.filter((p) => p === '/v1/chat/completions').length,
      speech: paths.filter((p) => p === '/v1/audio/speech').length,
      image: paths.filter((p) => p.startsWith('/v2beta/stable-image/')).length,
    };
  };
  const generationCount = async (userId: string) =>
    Number(
      (
        await stack.services.db
          .selectFrom('generations')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('user_id', '=', userId)
          .where('status', '=', 'completed')
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('runs from the narration node: no story or picture call, one speech call, one generation more, the same upstream bytes', async () => {
    const { client, userId, token } = await userWithKeys();
    const { run: parent } = await finishedRun(client);
    expect(parent.status).toBe('succeeded');
    expect(parent.parentRunId).toBeNull();
    const generationsBefore = await generationCount(userId);
    const mark = vendors.requests.length;

    const rerun = await client.post(`/api/runs/${parent.id}/rerun`, { fromNodeId: 'narration' });
    expect(rerun.status).toBe(201);
    const run = await waitForRun(client, rerun.body.id, 90_000);

    expect(run).toMatchObject({ status: 'succeeded', parentRunId: parent.id, trigger: { kind: 'rerun' } });
    expect(callsSince(mark)).toEqual({ story: 0, speech: 1, image: 0 });
    expect(await generationCount(userId)).toBe(generationsBefore + 1);
    for (const nodeId of ['topic', 'story', 'picture']) {
      expect(run.nodes[nodeId].cached).toEqual({ fromRunId: parent.id, savedUsd: parent.costs[nodeId] ?? 0 });
      expect(run.nodes[nodeId].output).toEqual(parent.nodes[nodeId].output);
    }
    expect(run.nodes.story.cached.savedUsd).toBeGreaterThan(0);
    expect(run.nodes.narration.cached).toBeNull();
    expect(run.nodes.publishAudio.cached).toBeNull();
    expect(run.costs.story).toBeUndefined();
    // The reused picture is the parent's artifact, readable from the new run's view.
    const bytesOf = async (ref: ArtifactRef) => {
      const res = await fetch(stack.baseUrl + artifactUrl(ref), { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    const picture = await bytesOf(run.nodes.picture.output.image);
    expect(picture.length).toBeGreaterThan(0);
    expect(picture.equals(await bytesOf(parent.nodes.picture.output.image))).toBe(true);

    // A re-run of the re-run still credits the run that made the story, and what it cost there.
    const again = await waitForRun(
      client,
      (await client.post(`/api/runs/${run.id}/rerun`, { fromNodeId: 'publishAudio' })).body.id,
      90_000,
    );
    expect(again.status).toBe('succeeded');
    expect(again.nodes.story.cached).toEqual({ fromRunId: parent.id, savedUsd: parent.costs.story });
    expect(again.nodes.narration.cached).toEqual({ fromRunId: run.id, savedUsd: run.costs.narration });
  }, 240_000);

  it('runs the current version: a story whose params changed since is written again, and what reads it, but not the rest', async () => {
    const { client } = await userWithKeys();
    const { pipelineId, run: parent } = await finishedRun(client);
    const changed = {
      ...storyGraph,
      nodes: storyGraph.nodes.map((n) => (n.id === 'story' ? { ...n, params: { ...n.params, words: 60 } } : n)),
    };
    expect((await client.put(`/api/pipelines/${pipelineId}`, { graph: changed })).status).toBe(200);
    const mark = vendors.requests.length;

    const run = await waitForRun(client, (await client.post(`/api/runs/${parent.id}/rerun`, { fromNodeId: 'narration' })).body.id, 90_000);

    expect(run.status).toBe('succeeded');
    expect(run.pipelineVersion).toBe(parent.pipelineVersion + 1);
    expect(callsSince(mark)).toEqual({ story: 1, speech: 1, image: 1 });
    expect(run.nodes.topic.cached).toMatchObject({ fromRunId: parent.id });
    for (const nodeId of ['story', 'narration', 'picture', 'publishAudio']) expect(run.nodes[nodeId].cached).toBeNull();
  }, 240_000);

  it('retries only what failed, with the fixed key: the story and what succeeded are reused', async () => {
    const { client } = await userWithKeys('bad');
    const { run: parent } = await finishedRun(client);
    expect(parent.status).toBe('failed');
    expect(parent.nodes.picture.status).toBe('failed');
    expect((await client.put('/api/settings/providers/stability', { apiKey: 'good', baseUrl: vendors.baseUrl })).status).toBe(200);
    const mark = vendors.requests.length;

    const run = await waitForRun(client, (await client.post(`/api/runs/${parent.id}/rerun`, { onlyFailed: true })).body.id, 90_000);

    expect(run.status).toBe('succeeded');
    // The failure may have cancelled the narration before it finished: then it runs again, else it is reused.
    const narrationReused = parent.nodes.narration.status === 'succeeded';
    expect(callsSince(mark)).toEqual({ story: 0, speech: narrationReused ? 0 : 1, image: 1 });
    expect(run.nodes.story.cached).toMatchObject({ fromRunId: parent.id });
    expect(run.nodes.narration.cached === null).toBe(!narrationReused);
    expect(run.nodes.picture.cached).toBeNull();
  }, 240_000);

  it('retries only the failed picture of a fan-out: one image call, three pictures in order, the others the same artifacts and bytes', async () => {
    const scenes = {
      nodes: [
        { id: 'topic', type: 'input', params: { name: 'topic' } },
        { id: 'lines', type: 'split', params: { by: 'lines', maxItems: 5 } },
        { id: 'art', type: 'illustration', params: { provider: 'stability', size: '512x512' } },
      ],
      edges: [edge('topic', 'value', 'lines', 'text'), edge('lines', 'items', 'art', 'prompt')],
    };
    const { client, token } = await userWithKeys();
    const pipeline = await client.post('/api/pipelines', { name: 'Scenes', graph: scenes });
    vendors.refusedPromptMarkers.push('a hen');
    const started = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'a fox\na hen\na owl' } });
    const parent = await waitForRun(client, started.body.id, 90_000);
    vendors.refusedPromptMarkers.length = 0;
    expect(parent.status).toBe('failed');
    expect(parent.nodes.art.status).toBe('failed');
    // The items in flight finished: the failed node keeps the two pictures it made, nothing in the second's place.
    const [first, missing, third] = parent.nodes.art.output.image;
    expect(missing).toBeNull();
    expect(first).toMatchObject({ mimeType: 'image/png' });
    expect(third).toMatchObject({ mimeType: 'image/png' });
    const mark = vendors.requests.length;

    const run = await waitForRun(client, (await client.post(`/api/runs/${parent.id}/rerun`, { onlyFailed: true })).body.id, 90_000);

    expect(run.status).toBe('succeeded');
    expect(callsSince(mark)).toEqual({ story: 0, speech: 0, image: 1 });
    const imagePrompts = vendors.requests.slice(mark).map((r) => (r.body as { prompt?: string }).prompt);
    expect(imagePrompts).toEqual([expect.stringMatching(/^a hen\b/)]);
    const images = run.nodes.art.output.image as ArtifactRef[];
    expect(images).toHaveLength(3);
    expect(images[0]).toEqual(first);
    expect(images[2]).toEqual(third);
    expect(images[1]).not.toBeNull();
    expect(images[1]).not.toEqual(first);
    const bytesOf = async (ref: ArtifactRef) => {
      const res = await fetch(stack.baseUrl + artifactUrl(ref), { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    expect((await bytesOf(images[0])).equals(await bytesOf(first))).toBe(true);
    expect((await bytesOf(images[2])).equals(await bytesOf(third))).toBe(true);
    expect((await bytesOf(images[1])).length).toBeGreaterThan(0);
    // Only the picture made now is paid for.
    expect(run.costs.art).toBeCloseTo(parent.costs.art / 2, 6);
  }, 240_000);

  it('refuses a run still in progress (409), a node the pipeline does not have and a succeeded run with nothing failed (naming the field)', async () => {
    const { client } = await userWithKeys('slow');
    const pipeline = await client.post('/api/pipelines', { name: 'Story', graph: storyGraph });
    const active = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'a lighthouse' } });
    const refused = await client.post(`/api/runs/${active.body.id}/rerun`, { fromNodeId: 'narration' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'run_active' });
    await client.post(`/api/runs/${active.body.id}/cancel`, {});
    await waitForRun(client, active.body.id, 60_000);

    const unknown = await client.post(`/api/runs/${active.body.id}/rerun`, { fromNodeId: 'nowhere' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/^fromNodeId: .*'nowhere'/);

    const { client: other } = await userWithKeys();
    const { run: succeeded } = await finishedRun(other);
    const nothing = await other.post(`/api/runs/${succeeded.id}/rerun`, { onlyFailed: true });
    expect(nothing.status).toBe(409);
    expect(nothing.body.message).toMatch(/^onlyFailed: /);
    // Another user's run is no run at all.
    expect((await client.post(`/api/runs/${succeeded.id}/rerun`, { fromNodeId: 'narration' })).status).toBe(404);
  }, 240_000);
});
