import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../test/support/tcpProxy';
import { bestEffort, createEventBus, type EventBus } from './index';
import { RedisEventBus } from './redis';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = randomUUID().slice(0, 8);
let n = 0;
/** A channel name no other test (or test run) uses. */
const channel = (label: string) => `test:bus:${runId}:${label}:${++n}`;

/** Resolves with the first `count` messages a subscription receives. */
function collector(count = 1) {
  const messages: unknown[] = [];
  let resolve!: (m: unknown[]) => void;
  const done = new Promise<unknown[]>((r) => (resolve = r));
  const handler = (m: unknown) => {
    messages.push(m);
    if (messages.length === count) resolve(messages);
  };
  return { messages, handler, done: withTimeout(done, 5_000, `waiting for ${count} message(s)`) };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out ${what}`)), ms))),
  ]);
}

/**
 * Waits until everything published on `bus` before this call has been delivered: a marker sent after it on
 * another channel arrives last (one connection, one order, for Redis; microtask order in memory).
 */
async function flush(bus: EventBus): Promise<void> {
  const marker = channel('flush');
  const c = collector();
  const off = await bus.subscribe(marker, c.handler);
  await bus.publish(marker, 'flush');
  await c.done;
  await off();
}

async function numSub(name: string): Promise<number> {
  const admin = createClient({ url: REDIS_URL });
  await admin.connect();
  try {
    const result = (await admin.pubSubNumSub(name)) as Record<string, number>;
    return Number(result[name] ?? 0);
  } finally {
    await admin.close();
  }
}

const kinds = [
  { kind: 'memory' as const, open: () => createEventBus({}) },
  { kind: 'redis' as const, open: () => createEventBus({ redisUrl: REDIS_URL }) },
];

describe.each(kinds)('EventBus ($kind)', ({ kind, open }) => {
  let bus: EventBus;
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

  beforeAll(async () => {
    bus = await open();
  });
  afterAll(async () => {
    await bus?.close();
  });
  afterEach(() => {
    errors.mockClear();
  });

  it('reports its kind', () => {
    expect(bus.kind).toBe(kind);
  });

  it('is connected and answers a ping', async () => {
    expect(bus.connected).toBe(true);
    await expect(bus.ping()).resolves.toBeUndefined();
  });

  it('delivers a published message to a subscriber', async () => {
    const ch = channel('basic');
    const c = collector();
    await bus.subscribe(ch, c.handler);
    await bus.publish(ch, { type: 'run.status', seq: 1, status: 'running', nested: { list: [1, 'two', null, true] } });
    expect(await c.done).toEqual([{ type: 'run.status', seq: 1, status: 'running', nested: { list: [1, 'two', null, true] } }]);
  });

  it('delivers asynchronously, in publish order, JSON-decoded', async () => {
    const ch = channel('order');
    const c = collector(50);
    await bus.subscribe(ch, c.handler);
    for (let i = 1; i <= 50; i++) {
      const publishing = bus.publish(ch, { i, at: new Date(0) });
      expect(c.messages.length).toBeLessThan(i); // the handler is never called from inside publish()
      await publishing;
    }
    const got = await c.done;
    expect(got.map((m) => (m as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((got[0] as { at: unknown }).at).toBe('1970-01-01T00:00:00.000Z'); // a Date arrives as JSON does
  });

  it('supports primitive messages', async () => {
    const ch = channel('primitives');
    const c = collector(4);
    await bus.subscribe(ch, c.handler);
    for (const m of ['text', 42, null, false]) await bus.publish(ch, m);
    expect(await c.done).toEqual(['text', 42, null, false]);
  });

  it('rejects messages that are not JSON-serialisable', async () => {
    const ch = channel('bad');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(bus.publish(ch, cyclic)).rejects.toThrow(/JSON/);
    await expect(bus.publish(ch, undefined)).rejects.toThrow(/JSON/);
    await expect(bus.publish(ch, 10n)).rejects.toThrow(/JSON/);
  });

  it('does not deliver to other channels', async () => {
    const a = channel('a');
    const b = channel('b');
    const got: unknown[] = [];
    await bus.subscribe(a, (m) => got.push(m));
    await bus.publish(b, 'for b');
    await flush(bus);
    expect(got).toEqual([]);
  });

  it('stops delivering after unsubscribe (which is idempotent)', async () => {
    const ch = channel('unsub');
    const c = collector();
    const unsubscribe = await bus.subscribe(ch, c.handler);
    await bus.publish(ch, 1);
    await c.done;
    await unsubscribe();
    await unsubscribe();
    await bus.publish(ch, 2);
    await flush(bus);
    expect(c.messages).toEqual([1]);
  });

  it('does not deliver a message already in flight to a handler that unsubscribed', async () => {
    const ch = channel('inflight');
    const got: unknown[] = [];
    const unsubscribe = await bus.subscribe(ch, (m) => got.push(m));
    const publishing = bus.publish(ch, 'late');
    await unsubscribe();
    await publishing;
    await flush(bus);
    if (kind === 'memory') expect(got).toEqual([]);
    else expect(got.length).toBeLessThanOrEqual(1); // over the network the message may already have arrived
  });

  it('delivers to two subscribers; unsubscribing one keeps the other', async () => {
    const ch = channel('two');
    const first: unknown[] = [];
    const second: unknown[] = [];
    const offFirst = await bus.subscribe(ch, (m) => first.push(m));
    await bus.subscribe(ch, (m) => second.push(m));
    await bus.publish(ch, 'both');
    await flush(bus);
    expect(first).toEqual(['both']);
    expect(second).toEqual(['both']);

    await offFirst();
    await bus.publish(ch, 'second only');
    await flush(bus);
    expect(first).toEqual(['both']);
    expect(second).toEqual(['both', 'second only']);
  });

  it('treats the same function subscribed twice as two subscriptions', async () => {
    const ch = channel('same-fn');
    const got: unknown[] = [];
    const handler = (m: unknown) => got.push(m);
    const off1 = await bus.subscribe(ch, handler);
    await bus.subscribe(ch, handler);
    await bus.publish(ch, 'x');
    await flush(bus);
    expect(got).toEqual(['x', 'x']);
    await off1();
    await bus.publish(ch, 'y');
    await flush(bus);
    expect(got).toEqual(['x', 'x', 'y']);
  });

  it('gives each subscriber its own copy', async () => {
    const ch = channel('copies');
    const seen: unknown[] = [];
    await bus.subscribe(ch, (m) => {
      (m as { n: number }).n = 999;
    });
    await bus.subscribe(ch, (m) => seen.push(m));
    const original = { n: 1 };
    await bus.publish(ch, original);
    await flush(bus);
    expect(seen).toEqual([{ n: 1 }]);
    expect(original).toEqual({ n: 1 });
  });

  it('isolates handler exceptions and rejections', async () => {
    const ch = channel('throws');
    const good = collector(2);
    let thrown = 0;
    await bus.subscribe(ch, () => {
      thrown++;
      throw new Error('handler boom');
    });
    await bus.subscribe(ch, (async () => {
      throw new Error('async handler boom');
    }) as (m: unknown) => void);
    await bus.subscribe(ch, good.handler);
    await bus.publish(ch, 'one');
    await bus.publish(ch, 'two');
    expect(await good.done).toEqual(['one', 'two']);
    await flush(bus);
    expect(thrown).toBe(2);
    // Still working afterwards (for Redis: the connection survived).
    const after = collector();
    const ch2 = channel('after-throw-2');
    await bus.subscribe(ch2, after.handler);
    await bus.publish(ch2, 'still alive');
    expect(await after.done).toEqual(['still alive']);
    await new Promise((r) => setTimeout(r, 10));
    const logged = errors.mock.calls.map((args) => args.map(String).join(' ')).join('\n');
    expect(logged).toMatch(/handler boom/);
    expect(logged).toMatch(/async handler boom/);
  });

  it('a handler may unsubscribe itself or subscribe others while being called', async () => {
    const ch = channel('reentrant');
    const got: unknown[] = [];
    const late = collector();
    let off: (() => Promise<void>) | undefined;
    off = await bus.subscribe(ch, (m) => {
      got.push(m);
      void off?.();
      void bus.subscribe(channel('inner'), () => undefined);
    });
    await bus.publish(ch, 1);
    await flush(bus);
    await bus.subscribe(ch, late.handler);
    await bus.publish(ch, 2);
    await late.done;
    expect(got).toEqual([1]);
  });

  it('refuses use after close', async () => {
    const other = await open();
    await other.close();
    await other.close(); // idempotent
    await expect(other.publish(channel('closed'), 1)).rejects.toThrow(/closed/);
    await expect(other.subscribe(channel('closed'), () => undefined)).rejects.toThrow(/closed/);
    await expect(other.ping()).rejects.toThrow(/closed/);
  });
});

describe('EventBus (redis) across instances', () => {
  let a: EventBus;
  let b: EventBus;
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

  beforeAll(async () => {
    a = await createEventBus({ redisUrl: REDIS_URL });
    b = await createEventBus({ redisUrl: REDIS_URL });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    errors.mockRestore();
  });

  it('delivers messages published by one instance to subscribers of another, both ways', async () => {
    const ch = channel('cross');
    const onA = collector(2);
    const onB = collector(2);
    await a.subscribe(ch, onA.handler);
    await b.subscribe(ch, onB.handler);
    await a.publish(ch, { from: 'a' });
    await b.publish(ch, { from: 'b' });
    expect(await onB.done).toEqual([{ from: 'a' }, { from: 'b' }]);
    expect(await onA.done).toEqual([{ from: 'a' }, { from: 'b' }]);
  });

  it('a replica that unsubscribed stops receiving while the other keeps going', async () => {
    const ch = channel('cross-unsub');
    const onA = collector();
    const onB = collector(2);
    const offA = await a.subscribe(ch, onA.handler);
    await b.subscribe(ch, onB.handler);
    await a.publish(ch, 1);
    await onA.done;
    await offA();
    await a.publish(ch, 2);
    expect(await onB.done).toEqual([1, 2]);
    await flush(a);
    expect(onA.messages).toEqual([1]);
  });

  it('shares one Redis subscription among the subscribers of a channel in one process', async () => {
    const ch = channel('shared');
    const off1 = await a.subscribe(ch, () => undefined);
    const off2 = await a.subscribe(ch, () => undefined);
    const off3 = await a.subscribe(ch, () => undefined);
    expect(await numSub(ch)).toBe(1);
    const offB = await b.subscribe(ch, () => undefined);
    expect(await numSub(ch)).toBe(2);
    await off1();
    await off2();
    expect(await numSub(ch)).toBe(2);
    await off3();
    await offB();
    expect(await numSub(ch)).toBe(0);
    // ...and subscribing again afterwards works.
    const again = collector();
    await a.subscribe(ch, again.handler);
    await b.publish(ch, 'again');
    expect(await again.done).toEqual(['again']);
  });

  it('subscribe right after the last unsubscribe of a channel still receives', async () => {
    const ch = channel('resub');
    const off = await a.subscribe(ch, () => undefined);
    const c = collector();
    const [, unsubscribeNext] = await Promise.all([off(), a.subscribe(ch, c.handler)]);
    await b.publish(ch, 'after resubscribe');
    expect(await c.done).toEqual(['after resubscribe']);
    await unsubscribeNext();
  });

  it('fails startup clearly when Redis is unreachable', async () => {
    await expect(RedisEventBus.open('redis://127.0.0.1:1', { initialConnectAttempts: 2 })).rejects.toThrow(/127\.0\.0\.1:1/);
  });
});

describe('EventBus (redis) through an outage', () => {
  let proxy: TcpProxy;
  let bus: EventBus; // reaches Redis through the proxy
  let direct: EventBus;
  let errors: MockInstance<typeof console.error>;

  beforeAll(async () => {
    errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { hostname, port } = new URL(REDIS_URL);
    proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) });
    bus = await createEventBus({ redisUrl: `redis://127.0.0.1:${proxy.port}` });
    direct = await createEventBus({ redisUrl: REDIS_URL });
  });
  afterAll(async () => {
    await Promise.all([bus?.close(), direct?.close()]);
    await proxy?.close();
    errors.mockRestore();
  });

  async function until(what: string, ok: () => boolean, ms = 10_000) {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('fails publish and ping at once while Redis is away, resumes subscriptions when it is back', async () => {
    const ch = channel('outage');
    const got = collector(1);
    await bus.subscribe(ch, got.handler);
    expect(bus.connected).toBe(true);
    await expect(bus.ping()).resolves.toBeUndefined();

    await proxy.cut();
    await until('the bus notices', () => !bus.connected);
    const started = Date.now();
    await expect(bus.publish(ch, 'into the void')).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1/);
    await expect(bus.ping()).rejects.toThrow(/Redis at/);
    expect(Date.now() - started).toBeLessThan(500); // not queued until Redis returns

    // Subscribing while away waits for Redis (it does not fail), and then works.
    const lateChannel = channel('outage-late');
    const late = collector(1);
    let lateReady = false;
    const lateSubscribed = bus.subscribe(lateChannel, late.handler).then(() => (lateReady = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(lateReady).toBe(false);

    await proxy.restore();
    await until('the bus reconnects', () => bus.connected);
    await lateSubscribed;
    await expect(bus.ping()).resolves.toBeUndefined();
    await direct.publish(ch, 'after the outage');
    await direct.publish(lateChannel, 'after the outage');
    expect(await got.done).toEqual(['after the outage']);
    expect(await late.done).toEqual(['after the outage']);
    await bus.publish(ch, 'published by the recovered bus');
    await flush(bus);
  });

  it('logs an outage once, not on every reconnect attempt', async () => {
    errors.mockClear();
    await proxy.cut();
    await new Promise((r) => setTimeout(r, 1500)); // several reconnect attempts
    await proxy.restore();
    await until('the bus reconnects', () => bus.connected);
    const lines = errors.mock.calls.map((args) => args.map(String).join(' '));
    expect(lines.filter((l) => /publisher: .*reconnecting/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /subscriber: .*reconnecting/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /connected again/.test(l))).toHaveLength(2);
  });
});

describe('bestEffort(bus)', () => {
  let warn: MockInstance<typeof console.warn>;
  let error: MockInstance<typeof console.error>;
  beforeAll(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterAll(() => {
    warn.mockRestore();
    error.mockRestore();
  });

  it('never rejects a publish, logs a failing streak once and its end once, and passes the rest through', async () => {
    let down = true;
    const real = await createEventBus({});
    const flaky: EventBus = {
      kind: 'redis',
      get connected() {
        return !down;
      },
      ping: () => real.ping(),
      subscribe: (c, h) => real.subscribe(c, h),
      close: () => real.close(),
      publish: async (c, m) => {
        if (down) throw new Error('Redis at redis://x: connection refused');
        return real.publish(c, m);
      },
    };
    const bus = bestEffort(flaky);
    const ch = channel('best-effort');
    const got = collector(1);
    await bus.subscribe(ch, got.handler);
    expect(bus.kind).toBe('redis');
    expect(bus.connected).toBe(false);
    for (let i = 0; i < 5; i++) await expect(bus.publish(ch, i)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/not being published \(Redis at redis:\/\/x: connection refused\)/);
    down = false;
    await bus.publish(ch, 'back');
    expect(await got.done).toEqual(['back']);
    expect(warn).toHaveBeenCalledTimes(2);
    await expect(bus.publish(ch, 10n)).resolves.toBeUndefined();
    expect(String(error.mock.calls.at(-1)?.[0])).toMatch(/dropped a live event: .*JSON/);
    await bus.close();
  });
});
