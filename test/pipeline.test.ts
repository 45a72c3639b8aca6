import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, rms } from '../activities/providers/audio/wav';
import { artifactUrl } from '../workflows/pipeline';
import { startFakeVendors, type FakeVendors } from './support/fakeVendors';
import { edge, illustratedStory } from './support/graphs';
import { readEvents, registerUser, startStack, waitForRun, type Stack } from './support/stack';

describe('AI pipeline on the embedded defaults with local models', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(() => stack?.stop());

  it('writes, narrates and illustrates a story, publishes the media and records each generation at no cost', async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    const pipeline = await client.post('/api/pipelines', { name: 'Illustrated story', graph: illustratedStory });
    expect(pipeline.status).toBe(201);
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'a lighthouse keeper and a lost cat' } });
    expect(run.status).toBe(201);
    const reading = readEvents(stack.baseUrl, token, run.body.id, undefined, 250_000);
    const state = await waitForRun(client, run.body.id, 240_000);
    expect(state.status, JSON.stringify(state.nodes, null, 1)).toBe('succeeded');

    const story = state.nodes.story.output.text as string;
    expect(story.split(/\s+/).length).toBeGreaterThan(15);
    const events = await reading;
    const streamed = events.filter((e) => e.data.type === 'node.progress' && e.data.nodeId === 'story' && e.data.text);
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed.at(-1)!.data.text).toBe(story);

    const audio = state.nodes.voice.output.audio;
    expect(audio).toMatchObject({ artifact: true, mimeType: 'audio/wav' });
    expect(audio.durationMs).toBeGreaterThan(3000);
    expect(state.nodes.cover.output.image).toMatchObject({ mimeType: 'image/png', width: 512, height: 512 });
    const scenes = state.nodes.scenes.output.items as string[];
    expect(scenes.length).toBeGreaterThanOrEqual(1);
    expect(state.nodes.sceneArt.output.image).toHaveLength(scenes.length);
    expect(state.nodes.publishScenes.output.media).toHaveLength(scenes.length);

    const wav = await fetch(stack.baseUrl + state.nodes.publishAudio.output.media.url, { headers: { authorization: `Bearer ${token}` } });
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    const decoded = decodeWav(Buffer.from(await wav.arrayBuffer()));
    expect(decoded.samples.length / decoded.sampleRate).toBeCloseTo(audio.durationMs / 1000, 1);
    expect(rms(decoded.samples)).toBeGreaterThan(0.01);
    // Intermediate artifacts are served to the run's owner, even without an Upload step.
    const artifact = await fetch(stack.baseUrl + artifactUrl(state.nodes.cover.output.image), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(artifact.status).toBe(200);
    expect(artifact.headers.get('content-type')).toBe('image/png');
    const stranger = await registerUser(stack.baseUrl);
    expect((await stranger.client.get(artifactUrl(state.nodes.cover.output.image))).status).toBe(404);

    const png = Buffer.from(
      await (
        await fetch(stack.baseUrl + state.nodes.publishCover.output.media.url, { headers: { authorization: `Bearer ${token}` } })
      ).arrayBuffer(),
    );
    expect(png.subarray(1, 4).toString()).toBe('PNG');

    const generations = (await client.get('/api/settings/generations')).body.generations as {
      type: string;
      aiService: string;
      costUsd: number;
      nodeId: string;
    }[];
    expect(generations).toHaveLength(3 + scenes.length);
    expect(generations.every((g) => g.costUsd === 0)).toBe(true);
    expect(new Set(generations.map((g) => `${g.nodeId}:${g.type}:${g.aiService}`))).toEqual(
      new Set(['story:text:local', 'voice:audio:local', 'cover:image:local-sketch', 'sceneArt:image:local-sketch']),
    );
    const me = (await client.get('/api/auth/me')).body;
    expect(me.user ?? me).toMatchObject({ totalGenerations: 3 + scenes.length });
  }, 300_000);

  it('cancels a long story mid-generation, and the model is free for the next run', async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    const graph = {
      nodes: [
        { id: 'topic', type: 'input', params: { name: 'topic' } },
        { id: 'story', type: 'story', params: { words: 2000 } },
      ],
      edges: [edge('topic', 'value', 'story', 'prompt')],
    };
    const pipeline = await client.post('/api/pipelines', { name: 'Epic', graph });
    const long = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'the history of the sea' } });
    // Wait until text is streaming, then cancel.
    const res = await fetch(`${stack.baseUrl}/api/runs/${long.body.id}/events`, { headers: { authorization: `Bearer ${token}` } });
    const reader = res.body!.getReader();
    let seen = '';
    while (!seen.includes('"type":"node.progress"')) seen += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect((await client.post(`/api/runs/${long.body.id}/cancel`)).status).toBe(202);
    const cancelled = await waitForRun(client, long.body.id, 30_000);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.nodes.story.status).toBe('cancelled');
    const again = await client.post(`/api/runs/${long.body.id}/cancel`);
    expect([again.status, again.body.error]).toEqual([409, 'run_finished']);

    const short = { ...graph, nodes: [graph.nodes[0], { id: 'story', type: 'story', params: { words: 20 } }] };
    const next = await client.post('/api/pipelines', { name: 'Short', graph: short });
    const run = await client.post(`/api/pipelines/${next.body.id}/runs`, { inputs: { topic: 'a quiet pond' } });
    // A generation left running would hold the one model context for a minute or more.
    const done = await waitForRun(client, run.body.id, 45_000);
    expect(done.status).toBe('succeeded');
  }, 240_000);
});

describe('AI pipeline on a cloud provider (fake OpenAI-compatible server)', () => {
  let stack: Stack;
  let vendors: FakeVendors;
  beforeAll(async () => {
    vendors = await startFakeVendors();
    // The fake vendor listens on loopback: the operator allows it, as one would a LAN server.
    process.env.PROVIDER_ALLOWED_HOSTS = '127.0.0.1';
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(async () => {
    delete process.env.PROVIDER_ALLOWED_HOSTS;
    await stack?.stop();
    await vendors?.stop();
  });

  const storyGraph = {
    nodes: [
      { id: 'topic', type: 'input', params: { name: 'topic' } },
      { id: 'story', type: 'story', params: { provider: 'openai', words: 40 } },
    ],
    edges: [edge('topic', 'value', 'story', 'prompt')],
  };

  async function runWithKey(apiKey: string) {
    const { client } = await registerUser(stack.baseUrl);
    const saved = await client.put('/api/settings/providers/openai', { apiKey, baseUrl: `${vendors.baseUrl}/v1` });
    expect(saved.status).toBe(200);
    // The key is never sent back, neither when saved nor when listed.
    expect(saved.text).not.toContain(apiKey);
    expect((await client.get('/api/settings/providers')).text).not.toContain(apiKey);
    const pipeline = await client.post('/api/pipelines', { name: 'Cloud story', graph: storyGraph });
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'Ada' } });
    return { client, state: await waitForRun(client, run.body.id, 60_000) };
  }

  it("uses the user's own key, retries a 429 after Retry-After, and prices the generation", async () => {
    const { client, state } = await runWithKey('flaky');
    expect(state.status).toBe('succeeded');
    expect(state.nodes.story.attempts).toBe(2);
    expect(state.nodes.story.output.text).toContain('lighthouse keeper');
    const [generation] = (await client.get('/api/settings/generations')).body.generations;
    expect(generation).toMatchObject({ aiService: 'openai', model: 'gpt-4o-mini', tokensUsed: expect.any(Number) });
    expect(generation.costUsd).toBeGreaterThan(0);
    const providers = (await client.get('/api/settings/providers')).body.providers;
    expect(providers).toContainEqual(expect.objectContaining({ provider: 'openai', configured: true, source: 'user' }));
  });

  it('fails at once, without retrying, when the provider rejects the key', async () => {
    const { state } = await runWithKey('bad');
    expect(state.status).toBe('failed');
    expect(state.nodes.story.attempts).toBe(1);
    expect(state.nodes.story.error).toMatch(/rejected the credentials/);
  });
});
