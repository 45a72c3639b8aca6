/**
 * The local text provider against the real default model (fetched by `node infra/setup.mjs`).
 * Token budgets are small: the whole file stays well under a minute on two busy cores.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../types';
import { createLocalTextProvider, defaultTextModelPath, type LocalTextProvider } from './text';

const root = resolve(import.meta.dirname, '../../..');
const modelPath = defaultTextModelPath(root);
const never = () => new AbortController().signal;
const STORY = 'Write a two-sentence story about a lighthouse keeper who finds a lost cat.';

let provider: LocalTextProvider;
let greedyStory = '';

beforeAll(async () => {
  if (!existsSync(modelPath)) throw new Error(`${modelPath} is missing: run \`node infra/setup.mjs\` first`);
  provider = createLocalTextProvider({ modelPath });
  await provider.warmup();
});

afterAll(async () => {
  await provider?.dispose();
});

describe('defaultTextModelPath', () => {
  it('points at the file named by infra/models/text.json under .cache/models', () => {
    expect(modelPath).toBe(resolve(root, '.cache/models', basename(modelPath)));
    expect(basename(modelPath)).toMatch(/\.gguf$/);
  });
});

describe('local text provider', () => {
  it('writes a story about the subject of the prompt and reports the GGUF file as the model', async () => {
    const res = await provider.generate(
      { system: 'You are a concise creative writer.', prompt: STORY, maxTokens: 32, temperature: 0 },
      { signal: never() },
    );
    greedyStory = res.text;
    expect(provider.id).toBe('local');
    expect(res.model).toBe(basename(modelPath));
    expect(res.text.toLowerCase()).toMatch(/lighthouse|cat|kitten|keeper/);
    expect(res.completionTokens).toBeGreaterThan(0);
    expect(res.completionTokens).toBeLessThanOrEqual(32);
    // system prompt + user turn + chat template tokens
    expect(res.promptTokens).toBeGreaterThan(STORY.split(' ').length);
  });

  it('streams chunks through onToken that concatenate to the returned text', async () => {
    const chunks: string[] = [];
    const res = await provider.generate(
      { prompt: 'Name three colours of the rainbow.', maxTokens: 20, temperature: 0 },
      { signal: never(), onToken: (c) => chunks.push(c) },
    );
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(res.text);
    expect(res.completionTokens).toBeGreaterThanOrEqual(chunks.length);
  });

  it('gives the same text for the same seed and temperature', async () => {
    const req = { prompt: 'Invent a name for a friendly dragon and describe it.', maxTokens: 20, temperature: 0.9, seed: 1234 };
    const a = await provider.generate(req, { signal: never() });
    const b = await provider.generate(req, { signal: never() });
    expect(a.text.length).toBeGreaterThan(0);
    expect(b.text).toBe(a.text);
  });

  it('stops generating soon after the signal aborts and rejects with an AbortError', async () => {
    const ac = new AbortController();
    const chunks: string[] = [];
    const started = performance.now();
    const run = provider.generate(
      { prompt: 'Write a very long essay about the history of the ocean.', maxTokens: 400, temperature: 0 },
      {
        signal: ac.signal,
        onToken: (c) => {
          chunks.push(c);
          if (chunks.length === 3) ac.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(chunks.length).toBeLessThan(10);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('serialises concurrent requests without cross-talk, and drops a queued request at once when it is aborted', async () => {
    const queued = new AbortController();
    const first = provider.generate(
      { system: 'You are a concise creative writer.', prompt: STORY, maxTokens: 32, temperature: 0 },
      { signal: never() },
    );
    const dropped = provider.generate({ prompt: 'Count to ten.', maxTokens: 30, temperature: 0 }, { signal: queued.signal });
    const second = provider.generate({ prompt: 'Name three colours of the rainbow.', maxTokens: 12, temperature: 0 }, { signal: never() });
    queued.abort();
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await expect(dropped).rejects.toMatchObject({ name: 'AbortError' });
    expect(firstDone).toBe(false);
    const [a, b] = await Promise.all([first, second]);
    // the same greedy request alone gave the same text: the concurrent one did not disturb it
    expect(a.text).toBe(greedyStory);
    expect(b.text.length).toBeGreaterThan(0);
    expect(b.completionTokens).toBeLessThanOrEqual(12);
  });

  it('rejects a request for a model it does not serve as not retryable', async () => {
    const err = await provider
      .generate({ prompt: 'hi', maxTokens: 4, temperature: 0, model: 'gpt-4o' }, { signal: never() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).retryable).toBe(false);
  });

  it('fails with a non-retryable ProviderError when the model file is missing', async () => {
    const missing = createLocalTextProvider({ modelPath: resolve(root, '.cache/models/no-such-model.gguf') });
    const err = await missing.generate({ prompt: 'hi', maxTokens: 4, temperature: 0 }, { signal: never() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).retryable).toBe(false);
    await missing.dispose();
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(provider.generate({ prompt: 'hi', maxTokens: 4, temperature: 0 }, { signal: ac.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
