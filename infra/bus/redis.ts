import { createClient } from 'redis';
import {
  closeClient,
  connectClient,
  INITIAL_CONNECT_ATTEMPTS,
  reconnectStrategy,
  redactUrl,
  watchConnection,
  type RedisClient as Client,
} from '../redis';
import { deliver, encode, validateChannel, type EventBus, type Handler } from './common';

interface Subscription {
  handler: Handler;
}

/** One Redis subscription shared by every local subscriber of a channel. */
interface ChannelEntry {
  subs: Set<Subscription>;
  listener: (raw: string) => void;
  /** Resolves once Redis confirmed the SUBSCRIBE (after an outage, if one is under way). */
  ready: Promise<void>;
}

/**
 * Longest a PUBLISH (or PING) may take before it counts as failed. While disconnected, publishing fails at once
 * instead (no offline queue): a caller awaiting a live event must never wait for Redis to come back.
 */
export const COMMAND_TIMEOUT_MS = 1_000;
/** Bounds the publisher's queue when Redis stalls without dropping the connection. */
const PUBLISH_QUEUE_MAX = 10_000;

/**
 * Redis pub/sub: any process publishing reaches subscribers in every process (API replicas, workers). One client
 * publishes, another subscribes (a subscribed connection can do nothing else). node-redis reconnects and
 * re-subscribes by itself after an outage; messages published while disconnected are lost, as with any pub/sub —
 * durable history belongs in the database. Publishing never waits for Redis: it fails at once while disconnected
 * and after COMMAND_TIMEOUT_MS when Redis stalls. Subscribing does wait: it resolves when Redis confirmed.
 */
export class RedisEventBus implements EventBus {
  readonly kind = 'redis' as const;
  private readonly channels = new Map<string, ChannelEntry>();
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly url: string,
    private readonly publisher: Client,
    private readonly subscriber: Client,
    private readonly lastError: () => string | undefined,
  ) {}

  static async open(url: string, opts: { initialConnectAttempts?: number } = {}): Promise<RedisEventBus> {
    const attempts = Math.max(1, opts.initialConnectAttempts ?? INITIAL_CONNECT_ATTEMPTS);
    const pubState = { connected: false };
    const subState = { connected: false };
    const publisher: Client = createClient({
      url,
      disableOfflineQueue: true,
      commandsQueueMaxLength: PUBLISH_QUEUE_MAX,
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
      socket: { reconnectStrategy: reconnectStrategy(pubState, url, attempts) },
    });
    const subscriber: Client = createClient({ url, socket: { reconnectStrategy: reconnectStrategy(subState, url, attempts) } });
    const pub = watchConnection(publisher, '[bus] redis publisher');
    const sub = watchConnection(subscriber, '[bus] redis subscriber');
    try {
      await Promise.all([connectClient(publisher, pubState), connectClient(subscriber, subState)]);
    } catch (err) {
      await Promise.allSettled([closeClient(publisher), closeClient(subscriber)]);
      throw err;
    }
    return new RedisEventBus(redactUrl(url), publisher, subscriber, () => pub.lastError() ?? sub.lastError());
  }

  get connected(): boolean {
    return !this.closed && this.publisher.isReady && this.subscriber.isReady;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('EventBus is closed');
  }

  private failure(err: unknown): Error {
    const reason = err instanceof Error && err.message ? err.message : `no answer within ${COMMAND_TIMEOUT_MS} ms`;
    return new Error(`Redis at ${this.url}: ${this.lastError() ?? reason}`, { cause: err });
  }

  async publish(channel: string, message: unknown): Promise<void> {
    this.assertOpen();
    validateChannel(channel);
    const json = encode(channel, message);
    try {
      await this.publisher.publish(channel, json);
    } catch (err) {
      throw this.failure(err);
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
    if (!this.subscriber.isReady) throw this.failure(new Error('subscriber disconnected'));
    try {
      await this.publisher.ping();
    } catch (err) {
      throw this.failure(err);
    }
  }

  async subscribe(channel: string, handler: Handler): Promise<() => Promise<void>> {
    this.assertOpen();
    validateChannel(channel);
    if (typeof handler !== 'function') throw new TypeError('Bus handler must be a function');
    const sub: Subscription = { handler };
    let entry = this.channels.get(channel);
    if (!entry) {
      const subs = new Set<Subscription>();
      const listener = (raw: string) => {
        // Called from the connection's parser: deliver() never lets a handler's error escape into it.
        if (this.closed) return;
        // A copy: a handler may unsubscribe (itself or another) while this loops.
        // oxlint-disable-next-line unicorn/no-useless-spread
        for (const s of [...subs]) if (subs.has(s)) deliver(channel, s.handler, raw);
      };
      const created: ChannelEntry = { subs, listener, ready: Promise.resolve() };
      created.ready = this.subscribeUntilConfirmed(channel, created);
      created.ready.catch(() => {
        if (this.channels.get(channel) === created) this.channels.delete(channel);
      });
      this.channels.set(channel, created);
      entry = created;
    }
    entry.subs.add(sub);
    try {
      await entry.ready;
    } catch (err) {
      entry.subs.delete(sub);
      throw err;
    }
    const joined = entry;
    let unsubscribing: Promise<void> | undefined;
    return () => (unsubscribing ??= this.leave(channel, joined, sub));
  }

  /**
   * SUBSCRIBE, again if the connection dropped while it was in flight (node-redis rejects what awaited a reply
   * then; one sent while disconnected waits in its queue for the reconnect instead).
   */
  private async subscribeUntilConfirmed(channel: string, entry: ChannelEntry): Promise<void> {
    for (;;) {
      try {
        await this.subscriber.subscribe(channel, entry.listener);
        return;
      } catch (err) {
        const abandoned = this.closed || this.channels.get(channel) !== entry;
        if (abandoned || this.subscriber.isReady) throw err; // Redis refused it: not a connection problem
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async leave(channel: string, entry: ChannelEntry, sub: Subscription): Promise<void> {
    entry.subs.delete(sub);
    if (entry.subs.size > 0 || this.channels.get(channel) !== entry) return;
    // Last local subscriber gone: drop the Redis subscription. A later subscribe makes a new entry; node-redis
    // sends its SUBSCRIBE after this UNSUBSCRIBE on the same connection, so the order holds.
    this.channels.delete(channel);
    if (this.closed) return;
    try {
      await this.subscriber.unsubscribe(channel, entry.listener);
    } catch (err) {
      if (!this.closed) throw err; // closing drops every subscription anyway
    }
  }

  close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    return (this.closing ??= Promise.allSettled([closeClient(this.subscriber), closeClient(this.publisher)]).then(() => undefined));
  }
}
