import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../types';
import { decodeWav, rms, wavDuration } from '../audio/wav';
import { createLocalSpeechProvider, phonemeIds, piperPhonemes } from './speech';

const rootDir = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const haveJoe = existsSync(join(rootDir, '.cache', 'models', 'en_US-joe-medium.onnx'));
const provider = createLocalSpeechProvider({ rootDir });
const signal = new AbortController().signal;
// 12 words.
const SENTENCE = 'The little robot painted a bright yellow sun above the quiet harbour.';

async function say(voice: string, speed = 1, text = SENTENCE) {
  const r = await provider.synthesize({ text, voice, speed }, { signal });
  expect(r.mimeType).toBe('audio/wav');
  const wav = decodeWav(r.audio);
  return { r, wav, seconds: wavDuration(r.audio) };
}

describe('local speech: flite voices', () => {
  it('speaks a sentence as 16-bit mono WAV of plausible length and level', async () => {
    const { r, wav, seconds } = await say('slt');
    expect(r.voice).toBe('slt');
    expect(r.model).toBe('flite:cmu_us_slt');
    expect(wav.channels).toBe(1);
    expect(wav.sampleRate).toBe(16000);
    expect(seconds).toBeGreaterThan(2);
    expect(seconds).toBeLessThan(8);
    expect(rms(wav.samples)).toBeGreaterThan(0.02);
  });

  it('speaks faster at speed 1.5', async () => {
    const normal = await say('slt', 1);
    const fast = await say('slt', 1.5);
    expect(fast.seconds).toBeLessThan(normal.seconds * 0.85);
  });
});

describe.skipIf(!haveJoe)('local speech: Piper joe (needs `node infra/setup.mjs`)', () => {
  it('is the default voice and gives intelligible-looking audio', async () => {
    const r = await provider.synthesize({ text: SENTENCE, speed: 1 }, { signal });
    expect(r.voice).toBe('joe');
    expect(r.model).toBe('piper:en_US-joe-medium');
    const wav = decodeWav(r.audio);
    const seconds = wavDuration(r.audio);
    expect(wav.channels).toBe(1);
    expect(wav.sampleRate).toBe(22050);
    expect(seconds).toBeGreaterThan(2);
    expect(seconds).toBeLessThan(8);
    expect(rms(wav.samples)).toBeGreaterThan(0.02);
    // Speech has pauses and loud parts: the 50 ms frame levels must vary a lot.
    const frame = 1102;
    const levels: number[] = [];
    for (let i = 0; i + frame <= wav.samples.length; i += frame) levels.push(rms(wav.samples.subarray(i, i + frame)));
    expect(Math.max(...levels)).toBeGreaterThan(5 * Math.min(...levels) + 0.01);
  });

  it('speaks faster at speed 1.5', async () => {
    const normal = await say('joe', 1);
    const fast = await say('joe', 1.5);
    expect(fast.seconds).toBeLessThan(normal.seconds * 0.85);
  });

  it('joins several sentences with pauses', async () => {
    const one = await say('joe', 1, 'Hello there.');
    const three = await say('joe', 1, 'Hello there. How are you today? I am fine, thanks!');
    expect(three.seconds).toBeGreaterThan(one.seconds * 2);
  });

  it('maps espeak IPA to Piper ids with clause punctuation restored', async () => {
    const ph = await piperPhonemes('Hello world, this is a test!', 'en-us');
    expect(ph).toMatch(/^həlˈoʊ wˈɜːld, ðɪs ɪz ɐ tˈɛst!$/);
    const ids = phonemeIds('ab', { '^': [1], _: [0], $: [2], a: [14], b: [15] });
    expect(ids).toEqual([1, 0, 14, 0, 15, 0, 2]);
  });
});

describe('local speech: errors', () => {
  it('rejects unknown voices and empty text without retry', async () => {
    await expect(provider.synthesize({ text: 'hi', voice: 'nope', speed: 1 }, { signal })).rejects.toMatchObject({
      retryable: false,
    });
    await expect(provider.synthesize({ text: '   ', voice: 'slt', speed: 1 }, { signal })).rejects.toBeInstanceOf(ProviderError);
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(provider.synthesize({ text: 'hi', voice: 'slt', speed: 1 }, { signal: ac.signal })).rejects.toThrow(/cancel/);
  });
});
