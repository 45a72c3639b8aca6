import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { encodeWav } from '../../activities/providers/audio/wav';

/**
 * Local stand-ins for the cloud APIs we can't reach from tests, answering in each vendor's documented
 * request/response shapes (OpenAI chat completions SSE, audio.speech, images.generate; ElevenLabs
 * text-to-speech; Stability Stable Image; the model lists and balance a connection test reads). The API key picks the behaviour:
 * `bad` → 401, `limited` → 429 with Retry-After: 7, `broken` → 500, `slow` → no answer for 5 s,
 * `flaky` → 429 with Retry-After: 1 on the first call to each route, then success; else success.
 */
export interface FakeVendors {
  baseUrl: string;
  requests: { path: string; headers: Record<string, string | string[] | undefined>; body: unknown }[];
  /** Stability refuses (400, as it does a prompt it won't take) a prompt containing any of these; tests push and clear them. */
  refusedPromptMarkers: string[];
  stop(): Promise<void>;
}

/** The start of a PNG (signature + IHDR): enough for clients that read the size from IHDR. */
export function tinyPng(width: number, height: number): Buffer {
  // Signature, IHDR (bytes 16..23 hold width/height), and nothing a reader of IHDR needs beyond that.
  const png = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png, 0);
  png.writeUInt32BE(13, 8);
  png.write('IHDR', 12, 'ascii');
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt8(8, 24);
  png.writeUInt8(6, 25);
  return png;
}

function tone(seconds: number, rate = 24_000): Int16Array {
  const samples = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate));
  return samples;
}

export async function startFakeVendors(): Promise<FakeVendors> {
  const app = express();
  const requests: FakeVendors['requests'] = [];
  const refusedPromptMarkers: string[] = [];
  const flakyFailed = new Set<string>();
  app.use(express.json());
  app.use(express.raw({ type: 'multipart/form-data', limit: '5mb' }));

  const keyOf = (req: Request) => String(req.headers['xi-api-key'] ?? req.headers.authorization ?? '').replace(/^Bearer /, '');

  /** Applies the key's scenario; returns true when it answered (an error or nothing). */
  async function scenario(req: Request, res: Response, errorBody: (status: number, message: string) => unknown): Promise<boolean> {
    requests.push({ path: req.path, headers: req.headers, body: req.body });
    const key = keyOf(req);
    if (key === 'bad') return (void res.status(401).json(errorBody(401, 'Invalid API key provided')), true);
    if (key === 'limited') return (void res.status(429).set('retry-after', '7').json(errorBody(429, 'Rate limit reached')), true);
    if (key === 'flaky' && !flakyFailed.has(req.path)) {
      flakyFailed.add(req.path);
      return (void res.status(429).set('retry-after', '1').json(errorBody(429, 'Rate limit reached')), true);
    }
    if (key === 'broken') return (void res.status(500).json(errorBody(500, 'The server had an error')), true);
    if (key === 'slow') {
      await new Promise((r) => setTimeout(r, 5000));
      if (!res.headersSent) res.status(504).end();
      return true;
    }
    return false;
  }

  const openaiError = (status: number, message: string) => ({
    error: {
      message,
      type: status === 429 ? 'requests' : status === 401 ? 'invalid_request_error' : 'server_error',
      param: null,
      code: status === 401 ? 'invalid_api_key' : null,
    },
  });

  app.post('/v1/chat/completions', async (req, res) => {
    if (await scenario(req, res, openaiError)) return;
    const words = `Once upon a time, a lighthouse keeper named ${String(req.body.messages.at(-1).content).slice(0, 20)} found a cat.`.split(
      ' ',
    );
    res.set('content-type', 'text/event-stream');
    const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: req.body.model };
    words.forEach((w, i) =>
      res.write(
        `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: (i ? ' ' : '') + w }, finish_reason: null }] })}\n\n`,
      ),
    );
    res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    res.write(
      `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 21, completion_tokens: words.length, total_tokens: 21 + words.length } })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
  });

  app.post('/v1/audio/speech', async (req, res) => {
    if (await scenario(req, res, openaiError)) return;
    res.set('content-type', 'audio/wav').send(encodeWav(tone(String(req.body.input).length / 15), 24_000));
  });

  app.post('/v1/images/generations', async (req, res) => {
    if (await scenario(req, res, openaiError)) return;
    const [w, h] = String(req.body.size ?? '1024x1024')
      .split('x')
      .map(Number);
    res.json({ created: 1, data: [{ b64_json: tinyPng(w, h).toString('base64'), revised_prompt: req.body.prompt }] });
  });

  const elevenError = (status: number, message: string) => ({ detail: { status: status === 401 ? 'invalid_api_key' : 'error', message } });
  app.post('/v1/text-to-speech/:voice', async (req, res) => {
    if (await scenario(req, res, elevenError)) return;
    if (typeof req.body?.text !== 'string' || !req.body.text) {
      return void res.status(422).json({ detail: [{ loc: ['body', 'text'], msg: 'field required', type: 'value_error.missing' }] });
    }
    const pcm = tone(req.body.text.length / 15);
    res.set('content-type', 'audio/pcm').send(Buffer.from(pcm.buffer));
  });

  const stabilityError = (status: number, message: string) => ({
    id: 'e1',
    name: status === 401 ? 'unauthorized' : status === 429 ? 'rate_limit_exceeded' : 'internal_error',
    errors: [message],
  });
  app.post('/v2beta/stable-image/generate/:model', async (req, res) => {
    const form = await new Response(new Uint8Array(req.body as Buffer), {
      headers: { 'content-type': String(req.headers['content-type']) },
    }).formData();
    const fields = Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v)]));
    req.body = fields;
    if (await scenario(req, res, stabilityError)) return;
    if (!fields.prompt) return void res.status(400).json({ id: 'e2', name: 'bad_request', errors: ['prompt: cannot be empty'] });
    if (refusedPromptMarkers.some((m) => fields.prompt.includes(m)))
      return void res.status(400).json({ id: 'e3', name: 'invalid_prompts', errors: ['prompt: refused'] });
    if (fields.prompt.includes('forbidden')) return void res.set('finish-reason', 'CONTENT_FILTERED').type('image/png').send(tinyPng(8, 8));
    const [w, h] = fields.aspect_ratio === '16:9' ? [1344, 768] : [1024, 1024];
    res
      .set({ 'finish-reason': 'SUCCESS', seed: fields.seed ?? '0' })
      .type('image/png')
      .send(tinyPng(w, h));
  });

  // What a connection test asks: OpenAI's and ElevenLabs' model lists (one path, told apart by the key's header), Stability's balance.
  app.get('/v1/models', async (req, res) => {
    if (req.headers['xi-api-key']) {
      if (await scenario(req, res, elevenError)) return;
      return void res.json([
        { model_id: 'eleven_multilingual_v2', name: 'Eleven Multilingual v2', can_do_text_to_speech: true },
        { model_id: 'eleven_flash_v2_5', name: 'Eleven Flash v2.5', can_do_text_to_speech: true },
      ]);
    }
    if (await scenario(req, res, openaiError)) return;
    res.json({
      object: 'list',
      data: ['gpt-4o-mini', 'tts-1', 'dall-e-3'].map((id) => ({ id, object: 'model', created: 1, owned_by: 'system' })),
    });
  });
  app.get('/v1/user/balance', async (req, res) => {
    if (await scenario(req, res, stabilityError)) return;
    res.json({ credits: 42.5 });
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    refusedPromptMarkers,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
