import { blockedAddressIn } from '../../../infra/netguard';
import { sanitizeDetail } from '../../../infra/vendorText';
import { ProviderError } from '../types';

/** Seconds or an HTTP date, as vendors send Retry-After; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Whether a status is worth retrying: rate limits, timeouts and server trouble; never a rejected request. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export function errorForStatus(vendor: string, status: number, detail: string, retryAfter?: string | null): ProviderError {
  const retryable = retryableStatus(status);
  const what = status === 401 || status === 403 ? 'rejected the credentials' : status === 429 ? 'is rate limiting' : `answered ${status}`;
  return new ProviderError(
    `${vendor} ${what}: ${sanitizeDetail(detail)}`.trim(),
    retryable,
    status,
    retryable ? parseRetryAfter(retryAfter) : undefined,
  );
}

/** A connection the outbound guard refused (a user's base URL leading to a private address): final, never retried. */
export function blockedConnection(vendor: string, err: unknown): ProviderError | undefined {
  const blocked = blockedAddressIn(err);
  return blocked ? new ProviderError(`${vendor}: the base URL is not allowed: ${blocked.message}`, false) : undefined;
}

/**
 * fetch with a deadline and the activity's cancellation. A timeout becomes a retryable ProviderError;
 * a non-2xx answer becomes a ProviderError carrying the vendor's own message (via `describe`).
 */
export async function vendorFetch(
  vendor: string,
  url: string,
  init: RequestInit & { timeoutMs: number; signal: AbortSignal; describe: (body: unknown, text: string) => string; fetch?: typeof fetch },
): Promise<Response> {
  const timeout = AbortSignal.timeout(init.timeoutMs);
  let res: Response;
  try {
    res = await (init.fetch ?? fetch)(url, { ...init, signal: AbortSignal.any([init.signal, timeout]) });
  } catch (err) {
    if (init.signal.aborted) throw err;
    const blocked = blockedConnection(vendor, err);
    if (blocked) throw blocked;
    if (timeout.aborted) throw new ProviderError(`${vendor} did not answer within ${Math.round(init.timeoutMs / 1000)} s`, true);
    throw new ProviderError(`${vendor} is unreachable: ${(err as Error).message}`, true);
  }
  if (res.ok) return res;
  const text = await readCapped(res, ERROR_BODY_BYTES).catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  throw errorForStatus(vendor, res.status, init.describe(body, text), res.headers.get('retry-after'));
}

const ERROR_BODY_BYTES = 64 * 1024;

/** The start of a response body as text; the rest is not downloaded. */
async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}
