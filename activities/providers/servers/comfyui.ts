import { createHash, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  comfyMarkers,
  fillComfyWorkflow,
  objectInfoChoices,
  parseComfyWorkflow,
  type ComfyGraph,
  type ComfyObjectInfo,
} from '../../../workflows/pipeline/comfyWorkflow';
import { vendorFetch } from '../cloud/http';
import { ProviderError, type ImageProgress, type ImageProvider } from '../types';
import { cleanupSignal, describeServerError, SERVER_DEFAULTS, serverJson, type ImageServerConnection } from './connection';
import { infotext, withPngText } from './png';

const VENDOR = 'ComfyUI';
/** How many failed jobs of one picture (server-side interruptions, crashes) a step looks past before giving up on reuse. */
const MAX_FAILED_JOBS = 10;

/** ComfyUI's stock text-to-image graph in API format, with the step's values marked. */
export const DEFAULT_COMFY_WORKFLOW: ComfyGraph = {
  '3': {
    class_type: 'KSampler',
    inputs: {
      seed: '{{seed}}',
      steps: '{{steps}}',
      cfg: 7,
      sampler_name: '{{sampler}}',
      scheduler: 'normal',
      denoise: 1,
      model: ['4', 0],
      positive: ['6', 0],
      negative: ['7', 0],
      latent_image: ['5', 0],
    },
  },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: '{{model}}' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: '{{negative}}', clip: ['4', 1] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'CreativeFlow', images: ['8', 0] } },
};

interface HistoryEntry {
  status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
  outputs?: Record<string, { images?: { filename: string; subfolder?: string; type?: string }[] }>;
}
type QueueItem = [number, string, ...unknown[]];
interface QueueAnswer {
  queue_running?: QueueItem[];
  queue_pending?: QueueItem[];
}

/** A prompt id that every attempt at the same picture shares (a UUID made from the step's key). */
export function promptIdFor(key: string): string {
  const h = createHash('sha256').update(`creativeflow/comfyui/${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * ComfyUI: queues the workflow (POST /prompt) under a prompt id derived from the step, so a retry finds the job an
 * earlier attempt queued (GET /history/{id}, GET /queue) instead of drawing it twice; follows it on the websocket
 * (/ws: executing, progress, executed) and, when that says nothing, by polling the history; downloads the picture
 * (GET /view). A cancelled step takes its job off the queue and interrupts it (POST /interrupt).
 */
export function createComfyUIImageProvider(conn: ImageServerConnection): ImageProvider {
  const base = conn.baseUrl.replace(/\/+$/, '');
  const pollMs = conn.pollMs ?? SERVER_DEFAULTS.pollMs;
  const openSocket = conn.openSocket ?? ((url, headers) => new WebSocket(url, { headers }));
  const json = <T>(path: string, init: { method?: string; body?: unknown; signal: AbortSignal }) => serverJson<T>(VENDOR, conn, path, init);

  return {
    id: 'comfyui',
    async generate(request, { signal, onProgress }) {
      const graph = request.workflow ? parsedWorkflow(request.workflow) : DEFAULT_COMFY_WORKFLOW;
      const marks = comfyMarkers(JSON.stringify(graph));
      const clientId = request.key ? promptIdFor(request.key) : randomUUID();
      let promptId: string | undefined; // known once an earlier attempt's jobs are looked at
      const cancel = () => {
        if (!promptId) return;
        void json('/queue', { method: 'POST', body: { delete: [promptId] }, signal: cleanupSignal() }).catch(() => undefined);
        void json('/interrupt', { method: 'POST', body: { prompt_id: promptId }, signal: cleanupSignal() }).catch(() => undefined);
      };
      signal.addEventListener('abort', cancel, { once: true });
      // The websocket opens while the rest is asked; it must be open before the job is queued, not to miss its start.
      const watching = watch(clientId, graph, signal, onProgress);
      try {
        const model = request.model || (marks.has('model') ? await defaultCheckpoint(signal) : '');
        const prompt = request.style ? `${request.prompt}, ${request.style} style` : request.prompt;
        const sampler = request.sampler || 'euler';
        const filled = fillComfyWorkflow(graph, {
          prompt,
          negative: request.negativePrompt ?? '',
          seed: request.seed,
          width: request.width,
          height: request.height,
          steps: request.steps,
          model,
          sampler,
        });
        const job = await earlierJob(request.key, clientId, signal);
        promptId = job.id;
        let entry = job.entry;
        const socket = await watching;
        socket.follow(job.id);
        if (!entry && !job.waiting) {
          await json('/prompt', { method: 'POST', body: { prompt: filled, client_id: clientId, prompt_id: job.id }, signal });
        }
        const waitMs = conn.imageTimeoutMs ?? SERVER_DEFAULTS.imageTimeoutMs;
        const deadline = Date.now() + waitMs;
        while (!finished(entry)) {
          if (Date.now() > deadline)
            throw new ProviderError(`${VENDOR} did not finish the picture within ${Math.ceil(waitMs / 1000)} s`, true);
          await socket.next(pollMs * 4, signal);
          signal.throwIfAborted();
          entry = await historyOf(job.id, signal);
        }
        const failure = failureOf(entry!);
        if (failure) throw failure;
        const png = await download(entry!, signal);
        // What the workflow took from the step (a custom one keeps its own steps, sampler… where it does not mark them).
        const parameters = infotext({
          prompt,
          negativePrompt: marks.has('negative') ? request.negativePrompt : undefined,
          steps: marks.has('steps') ? request.steps : undefined,
          sampler: marks.has('sampler') ? sampler : undefined,
          seed: marks.has('seed') ? request.seed : undefined,
          width: png.readUInt32BE(16),
          height: png.readUInt32BE(20),
          model: model || undefined,
        });
        return {
          png: withPngText(png, 'parameters', parameters),
          width: png.readUInt32BE(16),
          height: png.readUInt32BE(20),
          model: model || 'workflow',
          aiService: 'comfyui',
        };
      } finally {
        signal.removeEventListener('abort', cancel);
        void watching.then((socket) => socket.close());
      }
    },
  };

  function parsedWorkflow(text: string): ComfyGraph {
    const parsed = parseComfyWorkflow(text);
    if ('problem' in parsed) throw new ProviderError(`workflow: ${parsed.problem}`, false);
    return parsed.graph;
  }

  async function defaultCheckpoint(signal: AbortSignal): Promise<string> {
    const info = await json<ComfyObjectInfo>('/object_info/CheckpointLoaderSimple', { signal });
    const [first] = objectInfoChoices(info, 'CheckpointLoaderSimple', 'ckpt_name');
    if (!first) throw new ProviderError(`${VENDOR} has no checkpoints: put a model file in ComfyUI's models/checkpoints folder`, false);
    return first;
  }

  async function historyOf(promptId: string, signal: AbortSignal): Promise<HistoryEntry | undefined> {
    const history = await json<Record<string, HistoryEntry>>(`/history/${promptId}`, { signal });
    return history?.[promptId];
  }

  /**
   * The job of this picture: one an earlier attempt finished (reused) or queued (waited for), else a new id. Ids are
   * derived from the step's key; a job an earlier attempt saw fail is not this attempt's answer, so each such
   * failure moves on to the next derived id.
   */
  async function earlierJob(key: string | undefined, first: string, signal: AbortSignal) {
    for (let n = 0; key && n < MAX_FAILED_JOBS; n++) {
      const id = n === 0 ? first : promptIdFor(`${key}#${n}`);
      const entry = await historyOf(id, signal);
      if (entry && finished(entry) && failureOf(entry)) continue;
      if (entry && finished(entry)) return { id, entry, waiting: false };
      return { id, entry: undefined, waiting: await queued(id, signal) };
    }
    return { id: key ? promptIdFor(`${key}#${randomUUID()}`) : first, entry: undefined, waiting: false };
  }

  async function queued(promptId: string, signal: AbortSignal): Promise<boolean> {
    const queue = await json<QueueAnswer>('/queue', { signal });
    return [...(queue?.queue_running ?? []), ...(queue?.queue_pending ?? [])].some((item) => item[1] === promptId);
  }

  async function download(entry: HistoryEntry, signal: AbortSignal): Promise<Buffer> {
    const image = Object.values(entry.outputs ?? {}).flatMap((o) => o.images ?? [])[0];
    if (!image) throw new ProviderError(`${VENDOR} finished the workflow but it saved no image: end it with a SaveImage node`, false);
    const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder ?? '', type: image.type ?? 'output' });
    const res = await vendorFetch(VENDOR, `${base}/view?${query}`, {
      headers: conn.authorization ? { authorization: conn.authorization } : {},
      timeoutMs: conn.requestTimeoutMs ?? SERVER_DEFAULTS.requestTimeoutMs,
      signal,
      describe: describeServerError,
      fetch: conn.fetch,
    });
    const png = Buffer.from(await res.arrayBuffer());
    if (png.length < 24 || png.toString('latin1', 1, 4) !== 'PNG')
      throw new ProviderError(`${VENDOR} returned an image that is not a PNG`, true);
    return png;
  }

  /**
   * Follows the job on ComfyUI's websocket: progress goes to onProgress, in the order ComfyUI sends it; `next`
   * resolves when something about the job happened (or after `ms`, so a socket that is away costs only polling).
   */
  async function watch(clientId: string, graph: ComfyGraph, signal: AbortSignal, onProgress?: (p: ImageProgress) => void) {
    let promptId: string | undefined; // news about other jobs of this client (an earlier attempt's) is not this one's
    let wake: (() => void) | undefined;
    let nudged = false; // news that came while nobody waited
    const nudge = () => {
      nudged = true;
      wake?.();
    };
    let socket: WebSocket | undefined;
    try {
      socket = openSocket(
        `${base.replace(/^http/, 'ws')}/ws?clientId=${clientId}`,
        conn.authorization ? { authorization: conn.authorization } : {},
      );
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer')), 5_000);
        socket!.once('open', () => (clearTimeout(timer), resolve()));
        socket!.once('error', (err) => (clearTimeout(timer), reject(err)));
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      socket.on('error', () => undefined);
      socket.on('message', (data, isBinary) => {
        if (isBinary) return; // live previews
        let message: { type?: string; data?: { prompt_id?: string; node?: string | null; value?: number; max?: number } };
        try {
          message = JSON.parse(String(data));
        } catch {
          return;
        }
        const d = message.data;
        if (!d || !promptId || (d.prompt_id !== undefined && d.prompt_id !== promptId)) return;
        if (message.type === 'executing' && d.node) {
          onProgress?.({ message: `running ${graph[d.node]?._meta?.title ?? graph[d.node]?.class_type ?? `node ${d.node}`}` });
        } else if (message.type === 'progress' && d.max) {
          onProgress?.({ fraction: Math.min(1, (d.value ?? 0) / d.max), message: `step ${d.value}/${d.max}` });
        }
        if (['executing', 'executed', 'execution_success', 'execution_error', 'execution_interrupted'].includes(message.type ?? '')) {
          if (message.type !== 'executing' || d.node === null) nudge();
        }
      });
      socket.on('close', nudge);
    } catch {
      socket?.terminate();
      socket = undefined; // progress is a courtesy: the history says when the picture is done
    }
    return {
      follow: (id: string) => {
        promptId = id;
      },
      next: (ms: number, stop: AbortSignal) =>
        new Promise<void>((resolve) => {
          if (nudged) {
            nudged = false;
            return resolve();
          }
          const timer = setTimeout(done, socket?.readyState === WebSocket.OPEN ? ms : pollMs);
          wake = done;
          stop.addEventListener('abort', done, { once: true });
          function done() {
            nudged = false;
            wake = undefined;
            clearTimeout(timer);
            stop.removeEventListener('abort', done);
            resolve();
          }
        }),
      close: () => socket?.terminate(),
    };
  }
}

function finished(entry: HistoryEntry | undefined): boolean {
  return (
    !!entry && (entry.status?.completed === true || entry.status?.status_str === 'error' || Object.keys(entry.outputs ?? {}).length > 0)
  );
}

/** A job that ended in an error: a bad workflow will not get better by trying again; a job someone interrupted may. */
function failureOf(entry: HistoryEntry): ProviderError | undefined {
  if (entry.status?.status_str !== 'error') return undefined;
  const messages = entry.status.messages ?? [];
  const interrupted = messages.some(([type]) => type === 'execution_interrupted');
  if (interrupted) return new ProviderError(`${VENDOR}: the job was interrupted on the server`, true);
  const error = messages.find(([type]) => type === 'execution_error')?.[1] as
    { node_id?: string; node_type?: string; exception_message?: string } | undefined;
  const where = error?.node_id ? ` in node ${error.node_id} (${error.node_type ?? '?'})` : '';
  return new ProviderError(`${VENDOR} failed${where}: ${error?.exception_message?.trim() ?? 'unknown error'}`, false);
}
