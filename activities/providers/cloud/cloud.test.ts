import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch } from '../../../infra/guardedFetch';
import { outboundPolicyFromEnv, PUBLIC_ONLY } from '../../../infra/netguard';
import { startFakeVendors, type FakeVendors } from '../../../test/support/fakeVendors';
import { asTemporalFailure } from '../../failures';
import { decodeWav } from '../audio/wav';
import { ProviderError } from '../types';
import { createElevenLabsSpeechProvider } from './elevenlabs';
import { parseRetryAfter } from './http';
import { createOpenAIImageProvider, createOpenAISpeechProvider, createOpenAITextProvider } from './openai';
import { createStabilityImageProvider } from './stability';

let vendors: FakeVendors;
beforeAll(async () => {
  vendors = await startFakeVendors();
});
afterAll(() => vendors?.stop());

const signal = () => new AbortController().signal;
const openai = (apiKey: string, timeoutMs?: number) => ({ apiKey, baseUrl: `${vendors.baseUrl}/v1`, timeoutMs });
const vendor = (apiKey: string, timeoutMs?: number) => ({ apiKey, baseUrl: vendors.baseUrl, timeoutMs });
const failureOf = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
};

describe('OpenAI-compatible provider', () => {
  it('streams chat completion tokens and reports usage', async () => {
    const chunks: string[] = [];
    const result = await createOpenAITextProvider(openai('sk-ok')).generate(
      { system: 'Be brief.', prompt: 'Alice', maxTokens: 50, temperature: 0.5, seed: 7 },
      { signal: signal(), onToken: (c) => chunks.push(c) },
    );
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.join('')).toBe(result.text);
    expect(result.text).toContain('lighthouse keeper');
    expect(result).toMatchObject({ model: 'gpt-4o-mini', promptTokens: 21 });
    const sent = vendors.requests.at(-1)!;
    expect(sent.body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 50, temperature: 0.5, seed: 7, stream: true });
    expect((sent.body as { messages: unknown[] }).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Alice' },
    ]);
  });

  it('returns speech as WAV and images as PNG of the asked size', async () => {
    const speech = await createOpenAISpeechProvider(openai('sk-ok')).synthesize(
      { text: 'Hello there, listener.', speed: 1 },
      { signal: signal() },
    );
    expect(speech.mimeType).toBe('audio/wav');
    expect(decodeWav(speech.audio).samples.length).toBeGreaterThan(1000);
    expect(vendors.requests.at(-1)!.body).toMatchObject({ model: 'tts-1', voice: 'alloy', response_format: 'wav' });
    const image = await createOpenAIImageProvider(openai('sk-ok')).generate(
      { prompt: 'a fox', width: 1024, height: 1024, steps: 20, seed: 1 },
      { signal: signal() },
    );
    expect([image.width, image.height]).toEqual([1024, 1024]);
    expect(vendors.requests.at(-1)!.body).toMatchObject({ model: 'dall-e-3', response_format: 'b64_json', n: 1 });
  });

  it('does not retry a 401 and says the credentials were rejected', async () => {
    const err = await failureOf(
      createOpenAITextProvider(openai('bad')).generate({ prompt: 'x', maxTokens: 5, temperature: 0 }, { signal: signal() }),
    );
    expect(err).toMatchObject({ retryable: false, status: 401 });
    expect(err.message).toMatch(/rejected the credentials: Invalid API key/);
    const failure = asTemporalFailure(err) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'ProviderRejected' });
  });

  it('retries a 429 after the Retry-After the vendor gave, and a 500', async () => {
    const limited = await failureOf(
      createOpenAITextProvider(openai('limited')).generate({ prompt: 'x', maxTokens: 5, temperature: 0 }, { signal: signal() }),
    );
    expect(limited).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });
    const failure = asTemporalFailure(limited) as ApplicationFailure;
    expect(failure).toMatchObject({ nonRetryable: false, type: 'ProviderUnavailable', nextRetryDelay: 7000 });
    const broken = await failureOf(createOpenAISpeechProvider(openai('broken')).synthesize({ text: 'x', speed: 1 }, { signal: signal() }));
    expect(broken).toMatchObject({ retryable: true, status: 500 });
  });

  it('turns a request that times out into a retryable failure', async () => {
    const err = await failureOf(
      createOpenAIImageProvider(openai('slow', 300)).generate(
        { prompt: 'x', width: 256, height: 256, steps: 1, seed: 1 },
        { signal: signal() },
      ),
    );
    expect(err.retryable).toBe(true);
  });
});

describe('ElevenLabs provider', () => {
  it('asks for PCM with the documented request and returns WAV', async () => {
    const result = await createElevenLabsSpeechProvider(vendor('xi-ok')).synthesize(
      { text: 'A calm voice reads.', speed: 1.1, voice: 'v123' },
      { signal: signal() },
    );
    const wav = decodeWav(result.audio);
    expect(wav.sampleRate).toBe(24_000);
    expect(wav.samples.length).toBeGreaterThan(10_000);
    const sent = vendors.requests.at(-1)!;
    expect(sent.path).toBe('/v1/text-to-speech/v123');
    expect(sent.headers['xi-api-key']).toBe('xi-ok');
    expect(sent.body).toEqual({ text: 'A calm voice reads.', model_id: 'eleven_multilingual_v2', voice_settings: { speed: 1.1 } });
  });

  it('reports its error bodies: 401 final, 422 naming the field, 429 retried after Retry-After', async () => {
    const speak = (key: string, text = 'x') =>
      createElevenLabsSpeechProvider(vendor(key)).synthesize({ text, speed: 1 }, { signal: signal() });
    expect(await failureOf(speak('bad'))).toMatchObject({
      retryable: false,
      status: 401,
      message: expect.stringContaining('Invalid API key'),
    });
    expect(await failureOf(speak('xi-ok', ''))).toMatchObject({
      retryable: false,
      status: 422,
      message: expect.stringContaining('body.text: field required'),
    });
    expect(await failureOf(speak('limited'))).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(
      await failureOf(createElevenLabsSpeechProvider(vendor('slow', 300)).synthesize({ text: 'x', speed: 1 }, { signal: signal() })),
    ).toMatchObject({ retryable: true });
  });
});

describe('Stability provider', () => {
  it('sends a multipart request and returns the PNG', async () => {
    const image = await createStabilityImageProvider(vendor('sk-ok')).generate(
      { prompt: 'a harbour at dusk', width: 1280, height: 720, steps: 20, seed: 42, style: 'photographic' },
      { signal: signal() },
    );
    expect([image.width, image.height]).toEqual([1344, 768]);
    expect(image).toMatchObject({ aiService: 'stability', model: 'stable-image-core' });
    const sent = vendors.requests.at(-1)!;
    expect(sent.path).toBe('/v2beta/stable-image/generate/core');
    expect(sent.body).toMatchObject({
      prompt: 'a harbour at dusk',
      output_format: 'png',
      aspect_ratio: '16:9',
      seed: '42',
      style_preset: 'photographic',
    });
  });

  it('refuses a filtered image and a bad request without retrying; retries a rate limit', async () => {
    const draw = (key: string, prompt: string) =>
      createStabilityImageProvider(vendor(key)).generate({ prompt, width: 512, height: 512, steps: 1, seed: 1 }, { signal: signal() });
    expect(await failureOf(draw('sk-ok', 'something forbidden'))).toMatchObject({
      retryable: false,
      message: expect.stringContaining('filtered'),
    });
    expect(await failureOf(draw('sk-ok', ''))).toMatchObject({
      retryable: false,
      status: 400,
      message: expect.stringContaining('prompt: cannot be empty'),
    });
    expect(await failureOf(draw('limited', 'x'))).toMatchObject({ retryable: true, retryAfterMs: 7000 });
  });
});

describe('a user-supplied base URL (guarded fetch)', () => {
  const allowLoopback = createGuardedFetch(outboundPolicyFromEnv({ PROVIDER_ALLOWED_HOSTS: '127.0.0.1' }, 'PROVIDER'));
  const publicOnly = createGuardedFetch(PUBLIC_ONLY);

  it('carries every vendor request when the address is allowed: streamed chat, speech, multipart images', async () => {
    const chunks: string[] = [];
    const text = await createOpenAITextProvider({ ...openai('sk-ok'), fetch: allowLoopback }).generate(
      { prompt: 'Alice', maxTokens: 50, temperature: 0.5 },
      { signal: signal(), onToken: (c) => chunks.push(c) },
    );
    expect(chunks.length).toBeGreaterThan(3);
    expect(text.text).toContain('lighthouse keeper');
    const speech = await createElevenLabsSpeechProvider({ ...vendor('xi-ok'), fetch: allowLoopback }).synthesize(
      { text: 'Hello.', speed: 1 },
      { signal: signal() },
    );
    expect(decodeWav(speech.audio).sampleRate).toBe(24_000);
    const image = await createStabilityImageProvider({ ...vendor('sk-ok'), fetch: allowLoopback }).generate(
      { prompt: 'a harbour', width: 1024, height: 1024, steps: 1, seed: 1 },
      { signal: signal() },
    );
    expect(image.width).toBe(1024);
    expect(vendors.requests.at(-1)!.body).toMatchObject({ prompt: 'a harbour', output_format: 'png' });
    expect(
      await failureOf(
        createOpenAITextProvider({ ...openai('bad'), fetch: allowLoopback }).generate(
          { prompt: 'x', maxTokens: 5, temperature: 0 },
          { signal: signal() },
        ),
      ),
    ).toMatchObject({ status: 401, retryable: false });
  });

  it('refuses a loopback address before sending anything, without retrying', async () => {
    const before = vendors.requests.length;
    const viaName = { apiKey: 'sk-ok', baseUrl: vendors.baseUrl.replace('127.0.0.1', 'localhost'), fetch: publicOnly };
    const failures = [
      await failureOf(
        createOpenAITextProvider({ ...viaName, baseUrl: `${viaName.baseUrl}/v1` }).generate(
          { prompt: 'x', maxTokens: 5, temperature: 0 },
          { signal: signal() },
        ),
      ),
      await failureOf(createElevenLabsSpeechProvider(viaName).synthesize({ text: 'x', speed: 1 }, { signal: signal() })),
      await failureOf(
        createStabilityImageProvider({ ...vendor('sk-ok'), fetch: publicOnly }).generate(
          { prompt: 'x', width: 512, height: 512, steps: 1, seed: 1 },
          { signal: signal() },
        ),
      ),
    ];
    for (const err of failures) {
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/base URL is not allowed: .*loopback address/);
    }
    expect(vendors.requests.length).toBe(before);
  });

  it('puts only a short, plain-text excerpt of an error body into the failure', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(`<html><body><h1>Bad gateway</h1>\u0000\u001b[31m${'internal detail '.repeat(5000)}</body></html>`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const err = await failureOf(
        createElevenLabsSpeechProvider({ apiKey: 'k', baseUrl: base, fetch: allowLoopback }).synthesize(
          { text: 'x', speed: 1 },
          { signal: signal() },
        ),
      );
      expect(err.message).toMatch(/^ElevenLabs answered 502: Bad gateway/);
      expect(err.message).not.toMatch(/[<>\u0000\u001b]/);
      expect(err.message.length).toBeLessThan(400);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
