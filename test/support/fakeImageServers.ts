import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import express, { type Request, type Response } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Stand-ins for the image servers people run on their own GPU, answering in their documented shapes:
 * ComfyUI (POST /prompt, GET /history/{id}, GET /queue, GET /view, GET /object_info, POST /interrupt, the /ws
 * messages status / execution_start / executing / progress / executed / execution_success) and AUTOMATIC1111 /
 * Forge with --api (POST /sdapi/v1/txt2img, GET /sdapi/v1/progress, POST /sdapi/v1/interrupt, GET
 * /sdapi/v1/sd-models, GET /sdapi/v1/samplers). Each picture takes `stepMs` per sampling step.
 */
export interface FakeImageServerOptions {
  stepMs?: number;
  /** Every request must carry this Authorization header (else 401). */
  authorization?: string;
  checkpoints?: string[];
}

export interface FakeImageServer {
  baseUrl: string;
  /** Paths asked for, in order (with the query). */
  requests: string[];
  /** The bodies of the jobs queued (ComfyUI: POST /prompt; A1111: POST /sdapi/v1/txt2img). */
  jobs: Record<string, any>[];
  interrupts: number;
  /** How long each finished job took the server itself (ms, from accepting it to having its picture): what a provider adds is the rest. */
  serverMs: number[];
  /** The next `times` job submissions answer `status` (500: server trouble, 400: a rejected request). */
  failNext(status: number, times?: number): void;
  stop(): Promise<void>;
}

export const FAKE_CHECKPOINTS = ['dreamshaper_8.safetensors', 'sd_xl_base_1.0.safetensors'];
export const FAKE_SAMPLERS = ['euler', 'euler_ancestral', 'dpmpp_2m'];
export const FAKE_A1111_SAMPLERS = ['Euler a', 'Euler', 'DPM++ 2M'];

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0);
  return Buffer.concat([head, data, crc]);
}

/** A real, decodable PNG of one colour; `text` adds tEXt chunks, as ComfyUI's SaveImage adds its prompt and workflow. */
export function solidPng(width: number, height: number, text: Record<string, string> = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set([70, 130, 180], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...Object.entries(text).map(([k, v]) => chunk('tEXt', Buffer.from(`${k}\0${v}`, 'latin1'))),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serve(app: express.Express, onUpgrade?: (server: Server) => void): Promise<{ baseUrl: string; server: Server }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  onUpgrade?.(server);
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function common(opts: FakeImageServerOptions) {
  const app = express();
  const state = {
    requests: [] as string[],
    jobs: [] as Record<string, any>[],
    interrupts: 0,
    failures: [] as number[],
    serverMs: [] as number[],
  };
  app.use(express.json({ limit: '5mb' }));
  app.use((req, res, next) => {
    state.requests.push(req.originalUrl);
    if (opts.authorization && req.headers.authorization !== opts.authorization)
      return void res.status(401).json({ detail: 'Not authenticated' });
    next();
  });
  // Not the servers': how the bench (bench/imageServers.ts) reads the server's own time from another process.
  app.get('/__fake/server-ms', (_req, res) => void res.json(state.serverMs));
  const failure = (res: Response, body: (status: number) => unknown): boolean => {
    const status = state.failures.shift();
    if (status === undefined) return false;
    res.status(status).json(body(status));
    return true;
  };
  return { app, state, failure };
}

function handle(state: ReturnType<typeof common>['state'], server: Server, baseUrl: string, beforeStop = () => {}): FakeImageServer {
  return {
    baseUrl,
    requests: state.requests,
    jobs: state.jobs,
    serverMs: state.serverMs,
    get interrupts() {
      return state.interrupts;
    },
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) state.failures.push(status);
    },
    stop: () =>
      new Promise((resolve) => {
        beforeStop();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface ComfyJob {
  id: string;
  acceptedAt: number;
  clientId?: string;
  prompt: Record<string, { class_type: string; inputs: Record<string, any> }>;
  interrupted: boolean;
}

export async function startFakeComfyUI(opts: FakeImageServerOptions = {}): Promise<FakeImageServer> {
  const { app, state, failure } = common(opts);
  const stepMs = opts.stepMs ?? 20;
  const checkpoints = opts.checkpoints ?? FAKE_CHECKPOINTS;
  const sockets = new Map<string, Set<WebSocket>>();
  const history: Record<string, any> = {};
  const images = new Map<string, Buffer>();
  const queue: ComfyJob[] = [];
  let running: ComfyJob | undefined;
  let counter = 0;
  const KNOWN = new Set(['KSampler', 'CheckpointLoaderSimple', 'EmptyLatentImage', 'CLIPTextEncode', 'VAEDecode', 'SaveImage']);

  const send = (clientId: string | undefined, type: string, data: Record<string, unknown>) => {
    for (const ws of clientId ? (sockets.get(clientId) ?? []) : []) ws.send(JSON.stringify({ type, data }));
  };
  const objectInfo = {
    CheckpointLoaderSimple: { input: { required: { ckpt_name: [checkpoints, {}] } }, output: ['MODEL', 'CLIP', 'VAE'] },
    KSampler: {
      input: { required: { sampler_name: [FAKE_SAMPLERS, {}], scheduler: [['normal', 'karras'], {}], steps: ['INT', { default: 20 }] } },
      output: ['LATENT'],
    },
  };

  async function work(): Promise<void> {
    if (running) return;
    while ((running = queue.shift())) {
      const job = running;
      const messages: [string, Record<string, unknown>][] = [['execution_start', { prompt_id: job.id }]];
      send(job.clientId, 'execution_start', { prompt_id: job.id });
      const outputs: Record<string, unknown> = {};
      let error: [string, Record<string, unknown>] | undefined;
      for (const [node, spec] of Object.entries(job.prompt)) {
        send(job.clientId, 'executing', { node, display_node: node, prompt_id: job.id });
        if (spec.class_type === 'KSampler') {
          const steps = Number(spec.inputs.steps);
          for (let value = 1; value <= steps && !job.interrupted; value++) {
            await sleep(stepMs);
            send(job.clientId, 'progress', { value, max: steps, prompt_id: job.id, node });
          }
        }
        if (job.interrupted) {
          error = ['execution_interrupted', { prompt_id: job.id, node_id: node, node_type: spec.class_type, executed: [] }];
          break;
        }
        if (spec.class_type === 'SaveImage') {
          const latent = Object.values(job.prompt).find((n) => n.class_type === 'EmptyLatentImage')?.inputs ?? {};
          const filename = `${spec.inputs.filename_prefix ?? 'ComfyUI'}_${String(++counter).padStart(5, '0')}_.png`;
          images.set(filename, solidPng(Number(latent.width ?? 512), Number(latent.height ?? 512), { prompt: JSON.stringify(job.prompt) }));
          const output = { images: [{ filename, subfolder: '', type: 'output' }] };
          outputs[node] = output;
          send(job.clientId, 'executed', { node, display_node: node, output, prompt_id: job.id });
        }
      }
      if (error) {
        messages.push(error);
        send(job.clientId, error[0], error[1]);
      } else {
        messages.push(['execution_success', { prompt_id: job.id }]);
        send(job.clientId, 'execution_success', { prompt_id: job.id });
      }
      state.serverMs.push(performance.now() - job.acceptedAt);
      send(job.clientId, 'executing', { node: null, prompt_id: job.id });
      history[job.id] = {
        prompt: [0, job.id, job.prompt, { client_id: job.clientId }, Object.keys(outputs)],
        outputs,
        status: { status_str: error ? 'error' : 'success', completed: !error, messages },
        meta: {},
      };
    }
  }

  app.get('/object_info', (_req, res) => void res.json(objectInfo));
  app.get('/object_info/:nodeClass', (req, res) => {
    const info = objectInfo[req.params.nodeClass as keyof typeof objectInfo];
    res.json(info ? { [req.params.nodeClass]: info } : {});
  });
  app.post('/prompt', (req, res) => {
    if (failure(res, (status) => ({ error: { type: 'server_error', message: `Internal error ${status}`, details: '' }, node_errors: {} })))
      return;
    const prompt = req.body?.prompt;
    const bad = Object.entries(prompt ?? {}).find(([, n]: [string, any]) => !KNOWN.has(n?.class_type));
    if (!prompt || typeof prompt !== 'object' || bad) {
      return void res.status(400).json({
        error: { type: 'invalid_prompt', message: 'Cannot execute because a node is missing the class_type property.', details: '' },
        node_errors: bad
          ? {
              [bad[0]]: {
                errors: [{ message: `Node type not found: ${(bad[1] as any)?.class_type}`, details: '' }],
                class_type: (bad[1] as any)?.class_type,
              },
            }
          : {},
      });
    }
    const id = String(req.body.prompt_id ?? crypto.randomUUID());
    state.jobs.push(req.body);
    queue.push({ id, acceptedAt: performance.now(), clientId: req.body.client_id, prompt, interrupted: false });
    res.json({ prompt_id: id, number: state.jobs.length, node_errors: {} });
    void work();
  });
  app.get('/history/:id', (req, res) => void res.json(history[req.params.id] ? { [req.params.id]: history[req.params.id] } : {}));
  app.get(
    '/queue',
    (_req, res) =>
      void res.json({
        queue_running: running ? [[0, running.id, running.prompt, {}, []]] : [],
        queue_pending: queue.map((j, i) => [i + 1, j.id, j.prompt, {}, []]),
      }),
  );
  app.post('/queue', (req, res) => {
    const ids: string[] = req.body?.delete ?? [];
    for (let i = queue.length - 1; i >= 0; i--) if (ids.includes(queue[i].id)) queue.splice(i, 1);
    res.json({});
  });
  app.post('/interrupt', (req, res) => {
    state.interrupts++;
    if (running && (!req.body?.prompt_id || req.body.prompt_id === running.id)) running.interrupted = true;
    res.json({});
  });
  app.get('/view', (req, res) => {
    const png = images.get(String(req.query.filename));
    if (!png) return void res.status(404).end();
    res.type('image/png').send(png);
  });

  app.use((_req, res) => void res.status(404).type('text/plain').send('404: Not Found')); // aiohttp's answer

  const wss = new WebSocketServer({ noServer: true });
  const { baseUrl, server } = await serve(app, (server) =>
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/ws' || (opts.authorization && req.headers.authorization !== opts.authorization)) return void socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => {
        const clientId = url.searchParams.get('clientId') ?? crypto.randomUUID();
        if (!sockets.has(clientId)) sockets.set(clientId, new Set());
        sockets.get(clientId)!.add(ws);
        ws.on('close', () => sockets.get(clientId)?.delete(ws));
        ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: queue.length } }, sid: clientId } }));
      });
    }),
  );
  return handle(state, server, baseUrl, () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  });
}

export async function startFakeA1111(opts: FakeImageServerOptions = {}): Promise<FakeImageServer> {
  const { app, state, failure } = common(opts);
  const stepMs = opts.stepMs ?? 20;
  const checkpoints = opts.checkpoints ?? FAKE_CHECKPOINTS;
  const progress = { job: '', step: 0, steps: 0, interrupted: false, model: checkpoints[0] };

  app.get(
    '/sdapi/v1/sd-models',
    (_req, res) =>
      void res.json(
        checkpoints.map((filename, i) => ({
          title: `${filename} [${(i + 1).toString(16).padStart(10, 'a')}]`,
          model_name: filename.replace(/\.\w+$/, ''),
          hash: (i + 1).toString(16).padStart(8, 'a'),
          sha256: null,
          filename: `/models/Stable-diffusion/${filename}`,
          config: null,
        })),
      ),
  );
  app.get(
    '/sdapi/v1/samplers',
    (_req, res) =>
      void res.json(FAKE_A1111_SAMPLERS.map((name) => ({ name, aliases: [name.toLowerCase().replace(/\W+/g, '_')], options: {} }))),
  );
  app.get(
    '/sdapi/v1/progress',
    (_req, res) =>
      void res.json({
        progress: progress.steps ? progress.step / progress.steps : 0,
        eta_relative: progress.steps ? ((progress.steps - progress.step) * stepMs) / 1000 : 0,
        state: {
          skipped: false,
          interrupted: progress.interrupted,
          job: progress.job,
          job_count: progress.job ? 1 : 0,
          job_timestamp: '20260101000000',
          job_no: 0,
          sampling_step: progress.step,
          sampling_steps: progress.steps,
        },
        current_image: null,
        textinfo: null,
      }),
  );
  app.post('/sdapi/v1/interrupt', (_req, res) => {
    state.interrupts++;
    progress.interrupted = true;
    res.json({});
  });
  app.post('/sdapi/v1/txt2img', async (req: Request, res: Response) => {
    if (failure(res, (status) => ({ error: 'RuntimeError', detail: '', body: '', errors: `Internal error ${status}` }))) return;
    const b = req.body ?? {};
    if (typeof b.prompt !== 'string' || !Number.isInteger(b.width) || b.width % 8) {
      return void res.status(422).json({ detail: [{ loc: ['body', 'width'], msg: 'width must be a multiple of 8', type: 'value_error' }] });
    }
    if (b.sampler_name && !FAKE_A1111_SAMPLERS.includes(b.sampler_name)) {
      return void res.status(404).json({ detail: 'Sampler not found' });
    }
    state.jobs.push(b);
    const acceptedAt = performance.now();
    const model = b.override_settings?.sd_model_checkpoint ?? progress.model;
    Object.assign(progress, { job: 'txt2img', step: 0, steps: b.steps ?? 20, interrupted: false });
    while (progress.step < progress.steps && !progress.interrupted) {
      await sleep(stepMs);
      progress.step++;
    }
    const seed = b.seed === -1 || b.seed === undefined ? 1234 : b.seed;
    const modelName = String(model)
      .replace(/ \[.*\]$/, '')
      .replace(/\.\w+$/, '');
    const infotext = `${b.prompt}\nNegative prompt: ${b.negative_prompt ?? ''}\nSteps: ${b.steps}, Sampler: ${b.sampler_name ?? 'Euler a'}, Seed: ${seed}, Size: ${b.width}x${b.height}, Model: ${modelName}`;
    Object.assign(progress, { job: '', step: 0, steps: 0 });
    state.serverMs.push(performance.now() - acceptedAt);
    res.json({
      images: [solidPng(b.width, b.height, { parameters: infotext }).toString('base64')],
      parameters: b,
      info: JSON.stringify({
        prompt: b.prompt,
        seed,
        sd_model_name: modelName,
        sampler_name: b.sampler_name ?? 'Euler a',
        infotexts: [infotext],
      }),
    });
  });

  app.use((_req, res) => void res.status(404).json({ detail: 'Not Found' })); // FastAPI's answer (the web UI without --api)

  const { baseUrl, server } = await serve(app);
  return handle(state, server, baseUrl);
}
