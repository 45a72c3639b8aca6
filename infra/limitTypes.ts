import type { Store } from 'express-rate-limit';

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
