export type Handler = (message: unknown) => void;

export interface EventBus {
  kind: 'memory' | 'redis';
  /** Sends a JSON-serialisable message to every current subscriber of `channel` (in any process, for Redis). */
  publish(channel: string, message: unknown): Promise<void>;
  /**
   * Calls `handler` with each message published on `channel` from now on (after the returned promise resolves),
   * in publish order. Each handler gets its own decoded copy. A handler that throws (or rejects) is logged and
   * affects nothing else. Returns the unsubscribe function (idempotent).
   */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>>;
  /** Drops all subscriptions and releases connections. Idempotent; publish/subscribe afterwards throw. */
  close(): Promise<void>;
  /**
   * Whether messages flow right now (always, in memory). While Redis is away this is false: publish fails fast,
   * subscribe waits, and existing subscriptions resume (receiving nothing published meanwhile) once it is back.
   */
  readonly connected: boolean;
  /** Resolves if the bus answers within a moment; rejects saying why otherwise (health checks). */
  ping(): Promise<void>;
}

/** The channel a run's live events travel on: activities and the workflow's reports publish, the API's event stream subscribes. */
export function runChannel(runId: string): string {
  return `run:${runId}`;
}

export function validateChannel(channel: unknown): string {
  if (typeof channel !== 'string' || channel.length === 0) throw new TypeError(`Invalid bus channel ${JSON.stringify(channel)}`);
  return channel;
}

/** JSON-encodes a message, failing loudly for what JSON cannot carry (undefined, functions, cycles, BigInt). */
export function encode(channel: string, message: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (err) {
    throw new TypeError(`Bus message for "${channel}" is not JSON-serialisable: ${(err as Error).message}`, { cause: err });
  }
  if (json === undefined) throw new TypeError(`Bus message for "${channel}" is not JSON-serialisable (${typeof message})`);
  return json;
}

/** Runs one handler on one message, so that nothing it does (throw, reject) can reach the bus or other handlers. */
export function deliver(channel: string, handler: Handler, json: string): void {
  try {
    const result: unknown = handler(JSON.parse(json));
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as Promise<unknown>).then(undefined, (err: unknown) => reportHandlerError(channel, err));
    }
  } catch (err) {
    reportHandlerError(channel, err);
  }
}

export function reportHandlerError(channel: string, err: unknown): void {
  console.error(`[bus] a subscriber of "${channel}" failed:`, err);
}
