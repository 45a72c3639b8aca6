import type { EventBus } from './common';
import { MemoryEventBus } from './memory';

export { runChannel, type EventBus, type Handler } from './common';
export { bestEffort } from './bestEffort';
export { MemoryEventBus } from './memory';

/**
 * The live-event bus, picked once: Redis pub/sub when `redisUrl` is set (needed as soon as more than one process
 * publishes or subscribes), otherwise in-process.
 */
export async function createEventBus(opts: { redisUrl?: string }): Promise<EventBus> {
  // The Redis client loads only when it is used.
  return opts.redisUrl ? (await import('./redis')).RedisEventBus.open(opts.redisUrl) : new MemoryEventBus();
}
