/** The rate limiter's Redis side (infra/limits.ts picks it when REDIS_URL is set). */
import { RedisStore } from 'rate-limit-redis';
import { createClient } from 'redis';
import type { Backoff, BackoffPolicy, Limits } from './limitTypes';
import { closeClient, connectClient, INITIAL_CONNECT_ATTEMPTS, reconnectStrategy, watchConnection, type RedisClient } from './redis';

const COMMAND_TIMEOUT_MS = 1_000;

export async function openRedisLimits(url: string, prefix: string, reportError: (err: unknown) => void): Promise<Limits> {
  const client = await openClient(url);
  const sendCommand = (...args: string[]) => client.sendCommand<never>(args);
  return {
    kind: 'redis',
    store: (name) => new HealingRedisStore({ sendCommand, prefix: `${prefix}${name}:` }),
    backoff: (name, policy) => redisBackoff(client, `${prefix}${name}:`, policy),
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
