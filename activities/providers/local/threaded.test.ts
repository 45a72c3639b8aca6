import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { providerSettingsFromEnv } from '../../../infra/providerSettings';
import { decodeWav, wavDuration } from '../audio/wav';
import { createProviders } from '../index';
import { ProviderError } from '../types';
import { createSketchImageProvider } from './sketch';
import { createLocalSpeechProvider } from './speech';
import { abortError, createLocalTextProvider, defaultTextModelPath } from './text';
import { localSketchModel, localSpeechModel, localTextModel } from './threaded';
import { closeModelThreads, runningModelThreads } from './threads/modelThread';

const rootDir = join(import.meta.dirname, '..', '..', '..');
const haveJoe = existsSync(join(rootDir, '.cache', 'models', 'en_US-joe-medium.onnx'));
const signal = () => new AbortController().signal;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const speech = localSpeechModel({ rootDir });
const sketch = localSketchModel();

afterAll(async () => {
  await closeModelThreads();
});

describe('local sketch in its thread', () => {
  it('draws the same bytes as on the calling thread', async () => {
    const inProcess = createSketchImageProvider();
    for (const request of [
      { prompt: 'a city skyline in the rain at dusk', width: 512, height: 512, steps: 20, seed: 5 },
      { prompt: 'a purple dragon flying over a village with snow', width: 280, height: 210, steps: 20, seed: 11, style: 'ink' },
    ]) {
      const threaded = await sketch.generate(request, { signal: signal() });
      expect(Buffer.isBuffer(threaded.png)).toBe(true);
      expect(threaded).toMatchObject({ width: request.width, height: request.height, aiService: 'local-sketch' });
      expect(sha256(threaded.png)).toBe(sha256((await inProcess.generate(request, { signal: signal() })).png));
    }
    // The golden test's hash for the first, so the thread cannot agree with a changed renderer.
    const golden = await sketch.generate(
      { prompt: 'a city skyline in the rain at dusk', width: 512, height: 512, steps: 20, seed: 5 },
      { signal: signal() },
    );
    expect(sha256(golden.png)).toBe('f7a75f11e5924a8628a7a13d4c13018cd1a55ca28d43ce331b0d003cebc2e73d');
    expect(runningModelThreads()).toContain('sketch');
  });

  it('rejects a bad size as the renderer does: a 400, not retried', async () => {
    const err = await sketch
      .generate({ prompt: 'x', width: 10, height: 64, steps: 1, seed: 1 }, { signal: signal() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ retryable: false, status: 400, message: expect.stringContaining('width must be an integer') });
  });

  it('stops a big picture when aborted', async () => {
    const abort = new AbortController();
    const job = sketch.generate(
      { prompt: 'a forest with many trees and birds', width: 2048, height: 2048, steps: 100, seed: 3 },
      { signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 20);
    await expect(job).rejects.toThrow('image generation cancelled');
  });
});

describe('local speech in its thread', () => {
  it('speaks Flite voices byte for byte as on the calling thread', async () => {
    const request = { text: 'The little robot painted a bright yellow sun.', voice: 'slt', speed: 1 };
    const threaded = await speech.synthesize(request, { signal: signal() });
    const inProcess = await createLocalSpeechProvider({ rootDir }).synthesize(request, { signal: signal() });
    expect(Buffer.isBuffer(threaded.audio)).toBe(true);
    expect({ ...threaded, audio: sha256(threaded.audio) }).toEqual({ ...inProcess, audio: sha256(inProcess.audio) });
  });

  it.skipIf(!haveJoe)('reports each Piper sentence in order, then the whole narration', async () => {
    const seen: [number, number][] = [];
    const r = await speech.synthesize(
      { text: 'Hello there. How are you today? I am fine, thanks!', voice: 'joe', speed: 1 },
      { signal: signal(), onSentence: (done, total) => seen.push([done, total]) },
    );
    expect(seen).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(r).toMatchObject({ voice: 'joe', model: 'piper:en_US-joe-medium', mimeType: 'audio/wav' });
    expect(decodeWav(r.audio).sampleRate).toBe(22050);
    expect(wavDuration(r.audio)).toBeGreaterThan(2);
  });

  it.skipIf(!haveJoe)('stops a narration between sentences when aborted, as the provider does', async () => {
    const abort = new AbortController();
    const text = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1} of a long story.`).join(' ');
    let spoken = 0;
    const job = speech.synthesize(
      { text, voice: 'joe', speed: 1 },
      {
        signal: abort.signal,
        onSentence: (done) => {
          spoken = done;
          if (done === 1) abort.abort();
        },
      },
    );
    const err = await job.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ message: 'speech synthesis cancelled', retryable: false });
    expect(spoken).toBeLessThan(12);
  });

  it('rejects an unknown voice with the provider error (400, not retried)', async () => {
    const err = await speech.synthesize({ text: 'hi', voice: 'nope', speed: 1 }, { signal: signal() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ retryable: false, status: 400, message: expect.stringContaining("unknown local voice 'nope'") });
  });
});

describe('local text model in its thread', () => {
  // The small model the tests use (vitest.config.ts), else the default.
  const modelPath = process.env.LOCAL_TEXT_MODEL || defaultTextModelPath(rootDir);
  const request = {
    system: 'You are a concise creative writer.',
    prompt: 'Write one sentence about a lighthouse.',
    maxTokens: 24,
    temperature: 0,
  };

  it('streams tokens in order and writes what the calling thread writes', async () => {
    const text = localTextModel({ modelPath });
    const chunks: string[] = [];
    const threaded = await text.generate(request, { signal: signal(), onToken: (c) => chunks.push(c) });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(threaded.text);
    const inProcess = createLocalTextProvider({ modelPath });
    try {
      expect(await inProcess.generate(request, { signal: signal() })).toEqual(threaded);
    } finally {
      await inProcess.dispose();
    }
    expect(runningModelThreads()).toContain(`text ${basename(modelPath)}`);
    await text.dispose();
    expect(runningModelThreads()).not.toContain(`text ${basename(modelPath)}`);
  });

  it('stops generating when aborted, with the AbortError the provider gives, and serves the next request', async () => {
    const text = localTextModel({ modelPath });
    await text.warmup();
    const abort = new AbortController();
    const chunks: string[] = [];
    const err = await text
      .generate(
        { prompt: 'Tell a long story about a dragon.', maxTokens: 400, temperature: 0.7, seed: 1 },
        {
          signal: abort.signal,
          onToken: (c) => {
            chunks.push(c);
            if (chunks.length === 3) abort.abort(new Error('the step was cancelled'));
          },
        },
      )
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(err).toBeInstanceOf(Error);
    expect([err?.name, err?.message]).toEqual(['AbortError', 'generation aborted: the step was cancelled']);
    expect(err?.message).toBe(abortError(abort.signal).message);
    expect(chunks.length).toBeLessThan(50);
    expect((await text.generate(request, { signal: signal() })).completionTokens).toBeGreaterThan(0);
    await text.dispose();
  });

  it('rejects a model it does not serve, without retry', async () => {
    const text = localTextModel({ modelPath });
    await expect(text.generate({ ...request, model: 'other.gguf' }, { signal: signal() })).rejects.toMatchObject({
      name: 'ProviderError',
      retryable: false,
    });
    await text.dispose();
  });
});

describe('where the worker runs its local models', () => {
  it('in threads by default, on the calling thread with LOCAL_MODELS_IN_PROCESS=1; close stops the threads', async () => {
    await closeModelThreads();
    const request = { text: 'Hello.', voice: 'slt', speed: 1 };

    const inProcess = createProviders(providerSettingsFromEnv(rootDir, { LOCAL_MODELS_IN_PROCESS: '1' }));
    await (await inProcess.speech('local', 'user')).synthesize(request, { signal: signal() });
    expect(runningModelThreads()).toEqual([]);
    await inProcess.close();

    const threaded = createProviders(providerSettingsFromEnv(rootDir, {}));
    await (await threaded.speech('local', 'user')).synthesize(request, { signal: signal() });
    expect(runningModelThreads()).toEqual(['speech']);
    await threaded.close();
    expect(runningModelThreads()).toEqual([]);
  });

  it('warming the providers up (worker start) starts and loads every local model in its thread', async () => {
    await closeModelThreads();
    const modelPath = process.env.LOCAL_TEXT_MODEL || defaultTextModelPath(rootDir);
    const providers = createProviders(providerSettingsFromEnv(rootDir, { LOCAL_TEXT_MODEL: modelPath }));
    await providers.warmup();
    expect(runningModelThreads().sort()).toEqual(['sketch', 'speech', `text ${basename(modelPath)}`]);
    await providers.close();
    expect(runningModelThreads()).toEqual([]);
  });
});
