import { MemoryStore, type Store } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { createClient } from 'redis';
import { closeClient, connectClient, INITIAL_CONNECT_ATTEMPTS, reconnectStrategy, watchConnection, type RedisClient } from './redis';

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

const COMMAND_TIMEOUT_MS = 1_000;
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
  const client = await openClient(opts.redisUrl);
  const sendCommand = (...args: string[]) => client.sendCommand<never>(args);
  return {
    kind: 'redis',
    store: (name) => new HealingRedisStore({ sendCommand, prefix: `${opts.prefix}${name}:` }),
    backoff: (name, policy) => redisBackoff(client, `${opts.prefix}${name}:`, policy),
    reportError,
    close: () => closeClient(client),
  };
}

/**
 * rate-limit-redis loads its scripts once, when the limiter is made, and reloads them only when Redis says it
 * lost them: a load that failed (Redis away at that moment) would fail every request after it, forever. This
 * one loads them again on the next request instead.
 */
class HealingRedisStore extends RedisStore {
  override increment(key: string) {
    this.incrementScriptSha = this.incrementScriptSha.catch(() => this.loadIncrementScript());
    return super.increment(key);
  }

  override get(key: string) {
    this.getScriptSha = this.getScriptSha.catch(() => this.loadGetScript());
    return super.get(key);
  }
}

/**
 * Its own connection (a subscriber connection can send nothing else). While Redis is away commands fail at
 * once instead of queueing, so a request never waits for it to come back.
 */
async function openClient(url: string): Promise<RedisClient> {
  const state = { connected: false };
  const client: RedisClient = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: { reconnectStrategy: reconnectStrategy(state, url, INITIAL_CONNECT_ATTEMPTS) },
  });
  watchConnection(client, '[limits] redis');
  try {
    await connectClient(client, state);
  } catch (err) {
    await closeClient(client).catch(() => undefined);
    throw err;
  }
  return client;
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

/**
 * The same rule as memoryBackoff, in one script so concurrent attempts on any replica see each other, timed by
 * Redis's clock so replicas' clocks don't matter. Returns {1, 0} (allowed) or {0, ms left}.
 */
const ATTEMPT_SCRIPT = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local free, base, max, memory = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'attempts', 'lockedUntil')
local attempts = tonumber(state[1]) or 0
local lockedUntil = tonumber(state[2]) or 0
if lockedUntil > now then return {0, lockedUntil - now} end
attempts = attempts + 1
local lock = 0
if attempts >= free then lock = math.min(base * 2 ^ math.min(attempts - free, 40), max) end
lockedUntil = 0
if lock > 0 then lockedUntil = now + lock end
redis.call('HSET', KEYS[1], 'attempts', attempts, 'lockedUntil', string.format('%d', lockedUntil))
redis.call('PEXPIRE', KEYS[1], string.format('%d', lock + memory))
return {1, 0}
`;

function redisBackoff(client: RedisClient, prefix: string, policy: BackoffPolicy): Backoff {
  const args = [policy.freeFailures, policy.baseMs, policy.maxMs, policy.memoryMs].map(String);
  return {
    async attempt(key) {
      const [allowed, retryAfterMs] = await client.sendCommand<[number, number]>(['EVAL', ATTEMPT_SCRIPT, '1', prefix + key, ...args]);
      return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: Number(retryAfterMs) };
    },
    async succeeded(key) {
      await client.sendCommand(['DEL', prefix + key]);
    },
  };
}
