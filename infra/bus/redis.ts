import { createClient } from 'redis';
import { deliver, encode, validateChannel, type EventBus, type Handler } from './common';

type Client = ReturnType<typeof createClient>;

interface Subscription {
  handler: Handler;
}

/** One Redis subscription shared by every local subscriber of a channel. */
interface ChannelEntry {
  subs: Set<Subscription>;
  listener: (raw: string) => void;
  /** Resolves once Redis confirmed the SUBSCRIBE. */
  ready: Promise<void>;
}

/** How often the first connection may fail (~5 s of backoff) before startup gives up; later outages retry forever. */
const INITIAL_CONNECT_ATTEMPTS = 8;
const CLOSE_TIMEOUT_MS = 2_000;

function reconnectStrategy(state: { connected: boolean }, url: string, initialAttempts: number) {
  return (retries: number, cause: Error): number | Error => {
    if (!state.connected && retries + 1 >= initialAttempts) {
      return new Error(`Cannot connect to Redis at ${redactUrl(url)}: ${cause.message}`);
    }
    return Math.min(50 * 2 ** retries, 2_000);
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

async function connect(client: Client, state: { connected: boolean }): Promise<void> {
  await client.connect();
  state.connected = true;
}

async function closeClient(client: Client): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) {
    client.destroy(); // disconnected: nothing to flush, and close() would wait for a reconnect
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS)));
  try {
    const outcome = await Promise.race([client.close().then(() => 'closed' as const), timeout]);
    if (outcome === 'timeout') client.destroy();
  } catch {
    if (client.isOpen) client.destroy();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Redis pub/sub: any process publishing reaches subscribers in every process (API replicas, workers). One client
 * publishes, a duplicate() of it subscribes (a subscribed connection can do nothing else). node-redis reconnects
 * and re-subscribes by itself after an outage; messages published while disconnected are lost, as with any
 * pub/sub — durable history belongs in the database.
 */
export class RedisEventBus implements EventBus {
  readonly kind = 'redis' as const;
  private readonly channels = new Map<string, ChannelEntry>();
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly publisher: Client,
    private readonly subscriber: Client,
  ) {}

  static async open(url: string, opts: { initialConnectAttempts?: number } = {}): Promise<RedisEventBus> {
    const attempts = Math.max(1, opts.initialConnectAttempts ?? INITIAL_CONNECT_ATTEMPTS);
    const pubState = { connected: false };
    const subState = { connected: false };
    const publisher: Client = createClient({ url, socket: { reconnectStrategy: reconnectStrategy(pubState, url, attempts) } });
    const subscriber: Client = publisher.duplicate({ socket: { reconnectStrategy: reconnectStrategy(subState, url, attempts) } });
    // Without 'error' listeners a dropped connection would be an uncaught exception; reconnecting is automatic.
    publisher.on('error', (err: Error) => console.error(`[bus] redis publisher: ${err.message}`));
    subscriber.on('error', (err: Error) => console.error(`[bus] redis subscriber: ${err.message}`));
    try {
      await Promise.all([connect(publisher, pubState), connect(subscriber, subState)]);
    } catch (err) {
      await Promise.allSettled([closeClient(publisher), closeClient(subscriber)]);
      throw err;
    }
    return new RedisEventBus(publisher, subscriber);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('EventBus is closed');
  }

  async publish(channel: string, message: unknown): Promise<void> {
    this.assertOpen();
    validateChannel(channel);
    await this.publisher.publish(channel, encode(channel, message));
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
        for (const s of [...subs]) if (subs.has(s)) deliver(channel, s.handler, raw);
      };
      const created: ChannelEntry = { subs, listener, ready: this.subscriber.subscribe(channel, listener) };
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
