import { MemoryStore } from 'express-rate-limit';
import type { Backoff, BackoffPolicy, Limits } from './limitTypes';

export type { Backoff, BackoffPolicy, BackoffVerdict, Limits } from './limitTypes';

/** How long a lock lasts after the n-th counted attempt (none before the free ones are used up). */
export function lockMs(policy: BackoffPolicy, attempts: number): number {
  if (attempts < policy.freeFailures) return 0;
  return Math.min(policy.baseMs * 2 ** Math.min(attempts - policy.freeFailures, 40), policy.maxMs);
}

const ERROR_LOG_INTERVAL_MS = 60_000;

export async function openLimits(opts: { redisUrl?: string; prefix: string }): Promise<Limits> {
  let lastLogged = 0;
  const reportError = (err: unknown) => {
    if (Date.now() - lastLogged < ERROR_LOG_INTERVAL_MS) return;
    lastLogged = Date.now();
    console.error(`[limits] the rate limit store failed, requests pass unlimited meanwhile: ${(err as Error)?.message ?? err}`);
  };
  if (!opts.redisUrl) {
    return {
      kind: 'memory',
      store: () => new MemoryStore(),
      backoff: (_name, policy) => memoryBackoff(policy),
      reportError,
      close: async () => undefined,
    };
  }
  // The Redis client and its rate-limit store load only when they are used.
  return (await import('./limitsRedis')).openRedisLimits(opts.redisUrl, opts.prefix, reportError);
}

function memoryBackoff(policy: BackoffPolicy): Backoff {
  const keys = new Map<string, { attempts: number; lockedUntil: number; forgetAt: number }>();
  let nextSweep = 0;
  const sweep = (now: number) => {
    if (now < nextSweep) return;
    nextSweep = now + 60_000;
    for (const [key, entry] of keys) if (entry.forgetAt <= now) keys.delete(key);
  };
  return {
    async attempt(key) {
      const now = Date.now();
      sweep(now);
      const known = keys.get(key);
      const entry = known && known.forgetAt > now ? known : { attempts: 0, lockedUntil: 0, forgetAt: 0 };
      if (entry.lockedUntil > now) return { allowed: false, retryAfterMs: entry.lockedUntil - now };
      entry.attempts += 1;
      const lock = lockMs(policy, entry.attempts);
      entry.lockedUntil = lock ? now + lock : 0;
      entry.forgetAt = now + lock + policy.memoryMs;
      keys.set(key, entry);
      return { allowed: true };
    },
    async succeeded(key) {
      keys.delete(key);
    },
  };
}
