import type WebSocket from 'ws';
import { ProviderError } from '../types';
import { sanitizeDetail } from '../../../infra/vendorText';
import { vendorFetch } from '../cloud/http';

/** How the worker reaches one image server: the user's own (guarded) or the install's (trusted). */
export interface ImageServerConnection {
  baseUrl: string;
  /** Sent as the Authorization header (`Basic …` for AUTOMATIC1111's --api-auth). */
  authorization?: string;
  /** The guarded fetch for a user's own base URL. */
  fetch?: typeof fetch;
  /** Opens a websocket (ComfyUI's /ws); guarded like fetch for a user's own base URL. */
  openSocket?: (url: string, headers: Record<string, string>) => WebSocket;
  /** Deadline of one quick call (queueing, history, progress, the image download). */
  requestTimeoutMs?: number;
  /** How long one picture may take, queue included; a picture that takes longer is retried (and found again, for ComfyUI). */
  imageTimeoutMs?: number;
  /** How often to ask how far along a picture is when nothing is pushed. */
  pollMs?: number;
}

export const SERVER_DEFAULTS = { requestTimeoutMs: 30_000, imageTimeoutMs: 20 * 60_000, pollMs: 500 };

/** FastAPI's `{detail}` (AUTOMATIC1111), ComfyUI's `{error: {message}, node_errors}`, or the text. */
export function describeServerError(body: unknown, text: string): string {
  const b = body as
    | {
        detail?: unknown;
        error?: unknown;
        errors?: unknown;
        node_errors?: Record<string, { errors?: { message?: string; details?: string }[]; class_type?: string }>;
      }
    | undefined;
  if (!b || typeof b !== 'object') return text;
  if (Array.isArray(b.detail))
    return b.detail.map((d: { msg?: string; loc?: unknown[] }) => `${(d.loc ?? []).join('.')}: ${d.msg}`).join('; ');
  if (typeof b.detail === 'string') return b.detail;
  const error = b.error as { message?: string; details?: string } | string | undefined;
  const nodes = Object.entries(b.node_errors ?? {}).flatMap(([id, n]) =>
    (n.errors ?? []).map((e) => `node ${id} (${n.class_type ?? '?'}): ${e.message ?? ''}${e.details ? ` ${e.details}` : ''}`),
  );
  const head = typeof error === 'string' ? error : (error?.message ?? (typeof b.errors === 'string' ? b.errors : ''));
  return [head, ...nodes].filter(Boolean).join('; ') || text;
}

/** One JSON call to an image server, with its deadline and the step's cancellation. */
export async function serverJson<T>(
  vendor: string,
  conn: ImageServerConnection,
  path: string,
  init: { method?: string; body?: unknown; signal: AbortSignal; timeoutMs?: number },
): Promise<T> {
  const res = await vendorFetch(vendor, `${conn.baseUrl.replace(/\/+$/, '')}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/json',
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(conn.authorization ? { authorization: conn.authorization } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    timeoutMs: init.timeoutMs ?? conn.requestTimeoutMs ?? SERVER_DEFAULTS.requestTimeoutMs,
    signal: init.signal,
    describe: describeServerError,
    fetch: conn.fetch,
  }).catch((err: unknown) => {
    // A 404 with the server's own reason (AUTOMATIC1111's "Sampler not found") is that reason; a bare one means no such API.
    if (err instanceof ProviderError && err.status === 404 && /answered 404:?\s*(404: )?(not found)?$/i.test(err.message)) {
      throw new ProviderError(`${vendor} has no ${path.split('?')[0]}: ${hintFor404(vendor)}`, false, 404);
    }
    throw err;
  });
  const text = await res.text();
  try {
    return (text ? JSON.parse(text) : undefined) as T;
  } catch {
    throw new ProviderError(`${vendor} answered something that is not JSON: ${sanitizeDetail(text.slice(0, 200))}`, true, res.status);
  }
}

function hintFor404(vendor: string): string {
  return vendor === 'AUTOMATIC1111'
    ? 'start the web UI with --api (and check the base URL is the server itself, e.g. http://gpu-box:7860)'
    : 'check the base URL is the ComfyUI server itself (e.g. http://gpu-box:8188)';
}

/** A signal that is not the step's: the clean-up calls after a cancellation must still go out. */
export const cleanupSignal = () => AbortSignal.timeout(5_000);

/** Resolves after ms, or at once when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
