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
  return new ProviderError(`${vendor} ${what}: ${detail}`.trim(), retryable, status, retryable ? parseRetryAfter(retryAfter) : undefined);
}

/**
 * fetch with a deadline and the activity's cancellation. A timeout becomes a retryable ProviderError;
 * a non-2xx answer becomes a ProviderError carrying the vendor's own message (via `describe`).
 */
export async function vendorFetch(
  vendor: string,
  url: string,
  init: RequestInit & { timeoutMs: number; signal: AbortSignal; describe: (body: unknown, text: string) => string },
): Promise<Response> {
  const timeout = AbortSignal.timeout(init.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.any([init.signal, timeout]) });
  } catch (err) {
    if (init.signal.aborted) throw err;
    if (timeout.aborted) throw new ProviderError(`${vendor} did not answer within ${Math.round(init.timeoutMs / 1000)} s`, true);
    throw new ProviderError(`${vendor} is unreachable: ${(err as Error).message}`, true);
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  throw errorForStatus(vendor, res.status, init.describe(body, text).slice(0, 500), res.headers.get('retry-after'));
}
