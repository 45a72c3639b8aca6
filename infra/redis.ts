import { createClient } from 'redis';

/**
 * Connection habits every Redis client of the product shares (the bus's publisher and subscriber, the rate
 * limiter): a bounded first connect, reconnecting forever afterwards, outages logged once, a close that never
 * hangs, and URLs printed without their password.
 */
export type RedisClient = ReturnType<typeof createClient>;

/** How often the first connection may fail (~5 s of backoff) before startup gives up; later outages retry forever. */
export const INITIAL_CONNECT_ATTEMPTS = 8;
const CLOSE_TIMEOUT_MS = 2_000;

export function reconnectStrategy(state: { connected: boolean }, url: string, initialAttempts: number) {
  return (retries: number, cause: Error): number | Error => {
    if (!state.connected && retries + 1 >= initialAttempts) {
      return new Error(`Cannot connect to Redis at ${redactUrl(url)}: ${cause.message}`);
    }
    return Math.min(50 * 2 ** retries, 2_000);
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

export async function connectClient(client: RedisClient, state: { connected: boolean }): Promise<void> {
  await client.connect();
  state.connected = true;
}

/**
 * Logs a connection's outages once each (node-redis reports every failed reconnect attempt) and remembers the
 * last error, for health checks to report. `label` starts each line, e.g. `[bus] redis publisher`.
 */
export function watchConnection(client: RedisClient, label: string): { lastError: () => string | undefined } {
  let lastError: string | undefined;
  let down = false;
  client.on('error', (err: Error) => {
    // Without an 'error' listener a dropped connection would be an uncaught exception; reconnecting is automatic.
    lastError = err.message || err.constructor.name;
    if (down) return;
    down = true;
    console.error(`${label}: ${lastError}; reconnecting`);
  });
  client.on('ready', () => {
    if (down) console.error(`${label}: connected again`);
    down = false;
    lastError = undefined;
  });
  return { lastError: () => lastError };
}

export async function closeClient(client: RedisClient): Promise<void> {
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
