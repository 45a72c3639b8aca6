import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngText } from '../activities/providers/servers/png';
import { createCredentialStore } from '../infra/credentials';
import { artifactUrl } from '../workflows/pipeline';
import { FAKE_A1111_SAMPLERS, FAKE_CHECKPOINTS, startFakeA1111, startFakeComfyUI, type FakeImageServer } from './support/fakeImageServers';
import { startFakeVendors, type FakeVendors } from './support/fakeVendors';
import { edge } from './support/graphs';
import { readEvents, registerUser, startStack, waitForRun, type Stack } from './support/stack';

/**
 * The illustration node on the image servers people run themselves, end to end: the install's ComfyUI and
 * AUTOMATIC1111 (COMFYUI_BASE_URL, A1111_BASE_URL: trusted, on loopback) as fakes that keep to the servers' shapes.
 */
const ENV = { IMAGE_SERVER_POLL_MS: '20' };

const pictureGraph = (params: Record<string, unknown>) => ({
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'art', type: 'illustration', params: { size: '512x512', steps: 8, seed: 11, ...params } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'art', 'prompt'), edge('art', 'image', 'publish', 'file')],
});

describe('illustrations on ComfyUI and AUTOMATIC1111', () => {
  let stack: Stack;
  let comfy: FakeImageServer;
  let a1111: FakeImageServer;
  let vendors: FakeVendors;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    [comfy, a1111, vendors] = await Promise.all([startFakeComfyUI({ stepMs: 25 }), startFakeA1111({ stepMs: 25 }), startFakeVendors()]);
    // The worker and the API read the providers' environment from the process (as in production).
    Object.assign(ENV, {
      COMFYUI_BASE_URL: comfy.baseUrl,
      A1111_BASE_URL: a1111.baseUrl,
      OPENAI_API_KEY: 'sk-ok',
      OPENAI_BASE_URL: `${vendors.baseUrl}/v1`,
      STABILITY_API_KEY: 'bad',
      STABILITY_BASE_URL: vendors.baseUrl,
    });
    for (const [name, value] of Object.entries(ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await stack?.stop();
    await Promise.all([comfy?.stop(), a1111?.stop(), vendors?.stop()]);
  });

  async function start(params: Record<string, unknown>, topic = 'a lighthouse at dusk') {
    const user = await registerUser(stack.baseUrl);
    const pipeline = await user.client.post('/api/pipelines', { name: 'Picture', graph: pictureGraph(params) });
    expect(pipeline.status, pipeline.text).toBe(201);
    const run = await user.client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic } });
    expect(run.status, run.text).toBe(201);
    return { ...user, runId: run.body.id as string };
  }

  it.each([
    ['comfyui', { negativePrompt: 'blurry' }, FAKE_CHECKPOINTS[0]],
    ['automatic1111', { negativePrompt: 'blurry', sampler: FAKE_A1111_SAMPLERS[2], model: FAKE_CHECKPOINTS[1] }, 'sd_xl_base_1.0'],
  ])(
    'draws through %s: the PNG keeps its parameters, progress streams in order, the generation records model, seed and no cost',
    async (provider, params, model) => {
      const { client, token, runId } = await start({ provider, ...params });
      const events = readEvents(stack.baseUrl, token, runId, undefined, 60_000);
      const done = await waitForRun(client, runId);
      expect(done.status, JSON.stringify(done.nodes.art)).toBe('succeeded');
      const image = done.nodes.art.output.image;
      expect(image).toMatchObject({ mimeType: 'image/png', width: 512, height: 512, generator: provider });
      const png = Buffer.from(
        await (await fetch(stack.baseUrl + artifactUrl(image), { headers: { authorization: `Bearer ${token}` } })).arrayBuffer(),
      );
      expect(pngText(png, 'parameters')).toMatch(/^a lighthouse at dusk.*\nNegative prompt: blurry\nSteps: 8, .*Seed: 11, Size: 512x512/s);
      expect(done.nodes.publish.output.media).toMatchObject({ mimeType: 'image/png' });

      const progress = (await events).filter((e) => e.data.type === 'node.progress' && e.data.nodeId === 'art' && e.data.fraction > 0);
      const fractions = progress.map((e) => e.data.fraction as number);
      expect(fractions.length).toBeGreaterThan(2);
      expect(fractions, 'in the order the server sent them').toEqual([...fractions].sort((a, b) => a - b));
      const ids = progress.map((e) => e.id!);
      expect(ids).toEqual(ids.toSorted((a, b) => a - b));

      const [generation] = (await client.get('/api/settings/generations')).body.generations;
      expect(generation).toMatchObject({ aiService: provider, model, costUsd: 0, status: 'completed' });
      expect(generation.parameters).toMatchObject({ seed: 11, steps: 8, negativePrompt: 'blurry' });
    },
  );

  it('puts the prompt and seed where a custom ComfyUI workflow marks them', async () => {
    const workflow = JSON.stringify({
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'my_favourite.safetensors' } },
      '2': { class_type: 'CLIPTextEncode', inputs: { text: 'oil painting of {{prompt}}', clip: ['1', 1] } },
      '3': { class_type: 'CLIPTextEncode', inputs: { text: 'watermark', clip: ['1', 1] } },
      '4': { class_type: 'EmptyLatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: 1 } },
      '5': {
        class_type: 'KSampler',
        inputs: {
          seed: '{{seed}}',
          steps: 3,
          cfg: 6,
          sampler_name: 'dpmpp_2m',
          scheduler: 'karras',
          denoise: 1,
          model: ['1', 0],
          positive: ['2', 0],
          negative: ['3', 0],
          latent_image: ['4', 0],
        },
      },
      '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
      '7': { class_type: 'SaveImage', inputs: { filename_prefix: 'mine', images: ['6', 0] } },
    });
    const { client, runId } = await start({ provider: 'comfyui', workflow, seed: 4242 }, 'two otters');
    const done = await waitForRun(client, runId);
    expect(done.status, JSON.stringify(done.nodes.art)).toBe('succeeded');
    const job = comfy.jobs.find((j) => j.prompt['2']?.inputs.text === 'oil painting of two otters, watercolor style')!;
    expect(job, 'the marked prompt').toBeDefined();
    expect(job.prompt['5'].inputs).toMatchObject({ seed: 4242, steps: 3, sampler_name: 'dpmpp_2m' });
    expect(job.prompt['4'].inputs).toMatchObject({ width: 512, height: 512 });
    expect(job.prompt['3'].inputs.text).toBe('watermark');
  });

  it('refuses, when the pipeline is saved, a workflow with nowhere to put the prompt', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const workflow = JSON.stringify({ '1': { class_type: 'CLIPTextEncode', inputs: { text: 'fixed' } } });
    const res = await client.post('/api/pipelines', { name: 'Unmarked', graph: pictureGraph({ provider: 'comfyui', workflow }) });
    expect(res.status).toBe(400);
    expect(res.body.problems).toContainEqual({
      nodeId: 'art',
      message: expect.stringMatching(/^params\.workflow: must mark where the prompt goes/),
    });
  });

  it.each(['comfyui', 'automatic1111'] as const)('retries a 500 from %s and draws the picture once', async (provider) => {
    const server = provider === 'comfyui' ? comfy : a1111;
    const jobs = server.jobs.length;
    server.failNext(500);
    const { client, runId } = await start({ provider });
    const done = await waitForRun(client, runId);
    expect(done.status, JSON.stringify(done.nodes.art)).toBe('succeeded');
    expect(done.nodes.art.attempts).toBe(2);
    expect(server.jobs.length).toBe(jobs + 1);
  });

  it('does not retry a request the server refuses, and says why', async () => {
    const comfyRefused = await start({
      provider: 'comfyui',
      workflow: JSON.stringify({ '1': { class_type: 'NoSuchNode', inputs: { text: '{{prompt}}' } } }),
    });
    const a1111Refused = await start({ provider: 'automatic1111', sampler: 'No such sampler' });
    for (const [{ client, runId }, message] of [
      [comfyRefused, /ComfyUI answered 400: .*node 1 \(NoSuchNode\): Node type not found/],
      [a1111Refused, /AUTOMATIC1111 .*Sampler not found/],
    ] as const) {
      const failed = await waitForRun(client, runId);
      expect(failed.status).toBe('failed');
      expect(failed.nodes.art.attempts).toBe(1);
      expect(failed.nodes.art.error).toMatch(message);
    }
  });

  it.each(['comfyui', 'automatic1111'] as const)('cancelling the run interrupts %s', async (provider) => {
    const server = provider === 'comfyui' ? comfy : a1111;
    const interrupts = server.interrupts;
    const jobs = server.jobs.length;
    const { client, runId } = await start({ provider, steps: 100 });
    await expect.poll(() => server.jobs.length, { timeout: 20_000 }).toBe(jobs + 1);
    expect((await client.post(`/api/runs/${runId}/cancel`)).status).toBe(202);
    const cancelled = await waitForRun(client, runId, 30_000);
    expect(cancelled.status).toBe('cancelled');
    await expect.poll(() => server.interrupts, { timeout: 10_000 }).toBe(interrupts + 1);
  });

  it("tests the install's providers and servers, listing their models; a user's own private address is refused, saved or not", async () => {
    const { client, userId } = await registerUser(stack.baseUrl);
    const listed = (await client.get('/api/settings/providers')).body.providers;
    expect(listed).toContainEqual(expect.objectContaining({ provider: 'comfyui', configured: true, source: 'environment' }));
    const comfyTest = await client.post('/api/settings/providers/comfyui/test', {});
    expect(comfyTest.body).toMatchObject({ ok: true, models: FAKE_CHECKPOINTS });
    const a1111Test = await client.post('/api/settings/providers/automatic1111/test', {});
    expect(a1111Test.body).toMatchObject({ ok: true, samplers: FAKE_A1111_SAMPLERS });
    // The cloud ones: a cheap authenticated call each, against the fake vendors.
    expect((await client.post('/api/settings/providers/openai/test', {})).body).toMatchObject({
      ok: true,
      models: ['dall-e-3', 'gpt-4o-mini', 'tts-1'],
    });
    expect((await client.post('/api/settings/providers/stability/test', {})).body).toEqual({
      ok: false,
      detail: expect.stringMatching(/Stability AI rejected the key \(401\)/),
    });
    const eleven = await client.post('/api/settings/providers/elevenlabs/test', {});
    expect(eleven.body).toEqual({
      ok: false,
      detail: expect.stringMatching(/add a key in Settings → Providers, or set ELEVENLABS_API_KEY/),
    });

    const put = await client.put('/api/settings/providers/comfyui', { baseUrl: comfy.baseUrl });
    expect(put.status).toBe(400);
    expect(put.body.message).toMatch(/baseUrl: 127\.0\.0\.1 is a loopback address.*PROVIDER_ALLOWED_HOSTS/);
    expect(
      (await client.put('/api/settings/providers/comfyui', { apiKey: 'x', baseUrl: 'https://comfy.example.com' })).body.message,
    ).toMatch(/apiKey/);
    expect((await client.put('/api/settings/providers/automatic1111', {})).body.message).toMatch(/baseUrl: required/);

    // A name that resolves to loopback (saved before it did): the test and a run both stop at the guard.
    await createCredentialStore(stack.services.db, stack.config).set(userId, 'comfyui', {
      apiKey: '',
      baseUrl: comfy.baseUrl.replace('127.0.0.1', 'localhost'),
    });
    const requests = comfy.requests.length;
    const blocked = await client.post('/api/settings/providers/comfyui/test', {});
    expect(blocked.body).toMatchObject({ ok: false, detail: expect.stringMatching(/not allowed: localhost is .*loopback/) });
    const pipeline = await client.post('/api/pipelines', { name: 'Mine', graph: pictureGraph({ provider: 'comfyui' }) });
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'x' } });
    const failed = await waitForRun(client, run.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.nodes.art.error).toMatch(/base URL is not allowed/);
    expect(comfy.requests.length).toBe(requests);
  });
});
