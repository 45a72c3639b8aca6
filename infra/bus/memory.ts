import { deliver, encode, validateChannel, type EventBus, type Handler } from './common';

interface Subscription {
  handler: Handler;
}

/**
 * In-process bus: one process only (embedded mode). Messages go through JSON like on Redis, so subscribers get
 * the same copies and the same failures for unserialisable messages, and are delivered asynchronously.
 */
export class MemoryEventBus implements EventBus {
  readonly kind = 'memory' as const;
  readonly connected = true;
  private readonly channels = new Map<string, Set<Subscription>>();
  private closed = false;

  private assertOpen(): void {
    if (this.closed) throw new Error('EventBus is closed');
  }

  async publish(channel: string, message: unknown): Promise<void> {
    this.assertOpen();
    validateChannel(channel);
    const json = encode(channel, message);
    const subs = this.channels.get(channel);
    if (!subs) return;
    // A copy: a subscriber may leave while this loops.
    // oxlint-disable-next-line unicorn/no-useless-spread
    for (const sub of [...subs]) {
      queueMicrotask(() => {
        // Skip subscribers that left between publish and delivery.
        if (this.channels.get(channel)?.has(sub)) deliver(channel, sub.handler, json);
      });
    }
  }

  async subscribe(channel: string, handler: Handler): Promise<() => Promise<void>> {
    this.assertOpen();
    validateChannel(channel);
    if (typeof handler !== 'function') throw new TypeError('Bus handler must be a function');
    const sub: Subscription = { handler }; // its own identity, so the same function can subscribe twice
    let subs = this.channels.get(channel);
    if (!subs) this.channels.set(channel, (subs = new Set()));
    subs.add(sub);
    return async () => {
      const current = this.channels.get(channel);
      if (!current) return;
      current.delete(sub);
      if (current.size === 0) this.channels.delete(channel);
    };
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
  }
}
