import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeA1111, startFakeComfyUI, solidPng, FAKE_CHECKPOINTS, type FakeImageServer } from '../../../test/support/fakeImageServers';
import { ProviderError, type ImageProgress, type ImageRequest } from '../types';
import { createAutomatic1111ImageProvider } from './automatic1111';
import { createComfyUIImageProvider, promptIdFor } from './comfyui';
import { pngText, withPngText } from './png';

const request: ImageRequest = { prompt: 'a lighthouse at dusk', width: 512, height: 384, steps: 6, seed: 42, negativePrompt: 'blurry' };
const failureOf = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
};

describe('PNG parameters', () => {
  it('adds a parameters text chunk the PNG keeps, in UTF-8 when Latin-1 cannot hold it, and leaves one that is there', () => {
    const png = solidPng(4, 3);
    const latin = withPngText(png, 'parameters', 'a fox\nSteps: 20, Seed: 1');
    expect(pngText(latin, 'parameters')).toBe('a fox\nSteps: 20, Seed: 1');
    expect(latin.readUInt32BE(16)).toBe(4);
    const unicode = withPngText(png, 'parameters', 'un renard 🦊 dans la forêt');
    expect(pngText(unicode, 'parameters')).toBe('un renard 🦊 dans la forêt');
    expect(withPngText(latin, 'parameters', 'other')).toBe(latin);
  });
});

describe('AUTOMATIC1111 / Forge provider', () => {
  let server: FakeImageServer;
  beforeAll(async () => {
    server = await startFakeA1111({ stepMs: 30, authorization: 'Basic dXNlcjpwYXNz' });
  });
  afterAll(() => server?.stop());
  const provider = () => createAutomatic1111ImageProvider({ baseUrl: server.baseUrl, authorization: 'Basic dXNlcjpwYXNz', pollMs: 10 });

  it('draws with the chosen model, sampler, seed and negative prompt, keeps the parameters in the PNG and reports steps in order', async () => {
    const progress: ImageProgress[] = [];
    const result = await provider().generate(
      { ...request, model: FAKE_CHECKPOINTS[1], sampler: 'DPM++ 2M' },
      { signal: new AbortController().signal, onProgress: (p) => progress.push(p) },
    );
    expect(result).toMatchObject({ width: 512, height: 384, model: 'sd_xl_base_1.0', aiService: 'automatic1111' });
    expect(server.jobs.at(-1)).toMatchObject({
      prompt: 'a lighthouse at dusk',
      negative_prompt: 'blurry',
      seed: 42,
      steps: 6,
      width: 512,
      height: 384,
      sampler_name: 'DPM++ 2M',
      override_settings: { sd_model_checkpoint: FAKE_CHECKPOINTS[1] },
    });
    expect(pngText(result.png, 'parameters')).toMatch(
      /^a lighthouse at dusk\nNegative prompt: blurry\nSteps: 6, Sampler: DPM\+\+ 2M, Seed: 42/,
    );
    const fractions = progress.map((p) => p.fraction!);
    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(progress.at(-1)!.message).toMatch(/^step \d\/6$/);
  });

  it('retries a 500 but not a rejected request, and says what to fix', async () => {
    server.failNext(500);
    expect(await failureOf(provider().generate(request, { signal: new AbortController().signal }))).toMatchObject({
      retryable: true,
      status: 500,
    });
    const rejected = await failureOf(provider().generate({ ...request, width: 500 }, { signal: new AbortController().signal }));
    expect(rejected).toMatchObject({ retryable: false, status: 422 });
    expect(rejected.message).toMatch(/width must be a multiple of 8/);
    const noApi = await failureOf(
      createAutomatic1111ImageProvider({ baseUrl: `${server.baseUrl}/nothing`, authorization: 'Basic dXNlcjpwYXNz' }).generate(request, {
        signal: new AbortController().signal,
      }),
    );
    expect(noApi).toMatchObject({ retryable: false });
    expect(noApi.message).toMatch(/--api/);
  });

  it('interrupts the server when the step is cancelled', async () => {
    const before = server.interrupts;
    const controller = new AbortController();
    const pending = provider().generate({ ...request, steps: 50 }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 150));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => server.interrupts).toBe(before + 1);
  });
});

describe('ComfyUI provider', () => {
  let server: FakeImageServer;
  beforeAll(async () => {
    server = await startFakeComfyUI({ stepMs: 20 });
  });
  afterAll(() => server?.stop());
  const provider = (extra: { openSocket?: () => never } = {}) =>
    createComfyUIImageProvider({ baseUrl: server.baseUrl, pollMs: 20, ...extra });

  it("runs the built-in graph with the prompt, seed, size and the server's first checkpoint, following the websocket in order", async () => {
    const progress: ImageProgress[] = [];
    const result = await provider().generate(
      { ...request, key: 'run-1/art/0' },
      { signal: new AbortController().signal, onProgress: (p) => progress.push(p) },
    );
    expect(result).toMatchObject({ width: 512, height: 384, model: FAKE_CHECKPOINTS[0], aiService: 'comfyui' });
    const job = server.jobs.at(-1)!;
    expect(job.prompt_id).toBe(promptIdFor('run-1/art/0'));
    expect(job.client_id).toBe(job.prompt_id);
    expect(job.prompt['3'].inputs).toMatchObject({ seed: 42, steps: 6, sampler_name: 'euler' });
    expect(job.prompt['4'].inputs.ckpt_name).toBe(FAKE_CHECKPOINTS[0]);
    expect(job.prompt['5'].inputs).toMatchObject({ width: 512, height: 384 });
    expect(job.prompt['6'].inputs.text).toBe('a lighthouse at dusk');
    expect(job.prompt['7'].inputs.text).toBe('blurry');
    const steps = progress.filter((p) => p.fraction !== undefined).map((p) => p.message);
    expect(steps).toEqual(['step 1/6', 'step 2/6', 'step 3/6', 'step 4/6', 'step 5/6', 'step 6/6']);
    expect(progress[0].message).toBe('running KSampler'); // the graph's first node
    expect(pngText(result.png, 'parameters')).toMatch(/Seed: 42, Size: 512x384, Model: dreamshaper_8/);
    expect(pngText(result.png, 'prompt')).toBeDefined(); // ComfyUI's own chunks stay
  });

  it('finds the job an earlier attempt queued instead of drawing it again', async () => {
    const before = server.jobs.length;
    const key = 'run-2/art/0';
    const first = await provider().generate({ ...request, key }, { signal: new AbortController().signal });
    const again = await provider().generate({ ...request, key }, { signal: new AbortController().signal });
    expect(server.jobs.length).toBe(before + 1);
    expect(again.png.equals(first.png)).toBe(true);
  });

  it('queues anew, under the next id, a picture whose earlier job failed on the server', async () => {
    const key = 'run-5/art/0';
    const first = provider().generate({ ...request, steps: 60, key }, { signal: new AbortController().signal });
    await expect.poll(() => server.jobs.some((j) => j.prompt_id === promptIdFor(key))).toBe(true);
    await fetch(`${server.baseUrl}/interrupt`, { method: 'POST' }); // someone at the server's own UI
    expect(await failureOf(first)).toMatchObject({ retryable: true, message: expect.stringMatching(/interrupted on the server/) });
    const jobs = server.jobs.length;
    const retried = await provider().generate({ ...request, key }, { signal: new AbortController().signal });
    expect(retried.width).toBe(512);
    expect(server.jobs.length).toBe(jobs + 1);
    expect(server.jobs.at(-1)!.prompt_id).toBe(promptIdFor(`${key}#1`));
    expect(server.jobs.at(-1)!.client_id).toBe(promptIdFor(key));
  });

  it('puts the prompt and seed where a custom workflow marks them, and leaves the rest as exported', async () => {
    const workflow = JSON.stringify({
      '10': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'my_favourite.safetensors' } },
      '11': {
        class_type: 'CLIPTextEncode',
        inputs: { text: 'masterpiece, {{prompt}}, golden hour', clip: ['10', 1] },
        _meta: { title: 'Positive' },
      },
      '12': { class_type: 'CLIPTextEncode', inputs: { text: 'lowres', clip: ['10', 1] } },
      '13': { class_type: 'EmptyLatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: 1 } },
      '14': {
        class_type: 'KSampler',
        inputs: {
          seed: '{{seed}}',
          steps: 4,
          cfg: 5.5,
          sampler_name: 'dpmpp_2m',
          scheduler: 'karras',
          denoise: 1,
          model: ['10', 0],
          positive: ['11', 0],
          negative: ['12', 0],
          latent_image: ['13', 0],
        },
      },
      '15': { class_type: 'VAEDecode', inputs: { samples: ['14', 0], vae: ['10', 2] } },
      '16': { class_type: 'SaveImage', inputs: { filename_prefix: 'mine', images: ['15', 0] } },
    });
    const result = await provider().generate({ ...request, workflow, seed: 777 }, { signal: new AbortController().signal });
    const job = server.jobs.at(-1)!.prompt;
    expect(job['11'].inputs.text).toBe('masterpiece, a lighthouse at dusk, golden hour');
    expect(job['14'].inputs).toMatchObject({ seed: 777, steps: 4, cfg: 5.5, sampler_name: 'dpmpp_2m', scheduler: 'karras' });
    expect(job['13'].inputs).toEqual({ width: 512, height: 384, batch_size: 1 });
    expect(job['10'].inputs.ckpt_name).toBe('my_favourite.safetensors');
    expect(job['12'].inputs.text).toBe('lowres');
    expect(result.model).toBe('workflow');
    // The parameters say what the step put in, not the steps or sampler the workflow keeps as its own.
    expect(pngText(result.png, 'parameters')).toBe('a lighthouse at dusk\nSeed: 777, Size: 512x384');
  });

  it('retries a 500, not a workflow the server refuses, and follows the job by polling when the websocket is away', async () => {
    server.failNext(500);
    expect(await failureOf(provider().generate(request, { signal: new AbortController().signal }))).toMatchObject({
      retryable: true,
      status: 500,
    });
    const bad = JSON.stringify({ '1': { class_type: 'NoSuchNode', inputs: { text: '{{prompt}}' } } });
    const refused = await failureOf(provider().generate({ ...request, workflow: bad }, { signal: new AbortController().signal }));
    expect(refused).toMatchObject({ retryable: false, status: 400 });
    expect(refused.message).toMatch(/node 1 \(NoSuchNode\): Node type not found/);
    const polled = await provider({
      openSocket: () => {
        throw new Error('refused');
      },
    }).generate(request, { signal: new AbortController().signal });
    expect(polled.width).toBe(512);
  });

  it('takes the job off the queue and interrupts it when the step is cancelled', async () => {
    const before = server.interrupts;
    const controller = new AbortController();
    const pending = provider().generate({ ...request, steps: 80, key: 'run-3/art/0' }, { signal: controller.signal });
    await expect.poll(() => server.jobs.some((j) => j.prompt_id === promptIdFor('run-3/art/0'))).toBe(true);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => server.interrupts).toBe(before + 1);
    expect(server.requests.filter((r) => r === '/queue').length).toBeGreaterThan(0);
  });
});
