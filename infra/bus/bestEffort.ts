import type { EventBus } from './common';

/**
 * The same bus, except that publishing never fails its caller. For live events, which are a courtesy next to
 * the database record: a bus that is away costs watchers the live view, never a run its work. (Redis publishing
 * fails fast and is time-bounded, so awaiting it never stalls the caller either.) A streak of failures is logged
 * once, and its end once; a message that can never be sent (not JSON) is logged every time, being a bug.
 */
export function bestEffort(bus: EventBus): EventBus {
  let failing = false;
  return {
    get kind() {
      return bus.kind;
    },
    get connected() {
      return bus.connected;
    },
    ping: () => bus.ping(),
    subscribe: (channel, handler) => bus.subscribe(channel, handler),
    close: () => bus.close(),
    async publish(channel, message) {
      try {
        await bus.publish(channel, message);
        if (failing) {
          failing = false;
          console.warn('[bus] publishing live events again');
        }
      } catch (err) {
        if (err instanceof TypeError) {
          console.error(`[bus] dropped a live event: ${err.message}`);
        } else if (!failing) {
          failing = true;
          console.warn(`[bus] live events are not being published (${(err as Error).message}); runs carry on`);
        }
      }
    },
  };
}
