import { MemoryStore, type Store } from 'express-rate-limit';

/**
 * The rate limiter's backing store, picked once: Redis when REDIS_URL is set, so every API replica counts
 * against the same numbers, otherwise this process's memory. It hands out express-rate-limit stores (one per
 * limiter) and back-off counters for consecutive failures; code above never knows which it got.
 */
export interface Limits {
  readonly kind: 'memory' | 'redis';
  /** A store for one express-rate-limit limiter (each limiter needs its own); `name` keeps its keys apart. */
  store(name: string): Store;
  /** Consecutive-failure counters with a growing lock-out, e.g. failed logins per account. */
  backoff(name: string, policy: BackoffPolicy): Backoff;
  /** Logs a store failure (a request is let through meanwhile), at most once a minute. */
  reportError(err: unknown): void;
  close(): Promise<void>;
}

export interface BackoffPolicy {
  /** Attempts that cost nothing; each one after them locks the key for a while. */
  freeFailures: number;
  /** The first lock; every further failure doubles it… */
  baseMs: number;
  /** …up to this. */
  maxMs: number;
  /** How long after its lock ends a key's count is kept; then it starts from zero again. */
  memoryMs: number;
}

export type BackoffVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface Backoff {
  /**
   * Counts an attempt, unless the key is locked: then it is refused, uncounted, with the time left. Counting
   * before the outcome is known keeps concurrent attempts from slipping past a lock; `succeeded` undoes it.
   */
  attempt(key: string): Promise<BackoffVerdict>;
  /** The attempt succeeded: the key's count and lock are forgotten. */
  succeeded(key: string): Promise<void>;
}

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
