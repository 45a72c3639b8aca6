import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../infra/config';
import { listen } from '../../infra/launch/listen';
import { closeServer } from '../../infra/launch/processes';
import { openServices, type Services } from '../../infra/services';
import { startDevServer, type DevServer } from '../../infra/temporal';
import { runWorker } from '../../infra/worker';
import { refuseInUnitTests } from '../projects';
import { startS3Server } from './s3server';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh, uniquely named PostgreSQL database on the machine's real server; dropped by the returned function. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  refuseInUnitTests('PostgreSQL');
  const name = `cf_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Stack {
  baseUrl: string;
  config: Config;
  services: Services;
  temporal: DevServer;
  env: Record<string, string>;
  /** Starts the in-process worker (the default); tests of worker crashes run their own instead. */
  worker?: Worker;
  /**
   * Stops the API and the worker (and their connections to the database, bus and Temporal), runs `whileDown`,
   * and starts them again on the same port, database and Temporal server; `services` and `worker` are the new ones.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Rate limits no test meets by accident (tests sign up many users and send thousands of requests from one
 * address); the tests of the limits pass their own through `env`.
 */
export const GENEROUS_LIMITS: Record<string, string> = {
  RATE_LIMIT_PER_IP: '1000000',
  LOGIN_FAILURES_PER_IP: '1000000',
  REGISTRATIONS_PER_IP: '1000000',
  REGISTRATIONS_PER_EMAIL: '1000000',
  LOGIN_FREE_FAILURES: '1000000',
  RUN_LIMITS: 'free=1000000,pro=1000000,team=1000000',
};

/**
 * The whole product for a test: a real Temporal dev server, the API on a free port, and by choice
 * real PostgreSQL + Redis + an S3-protocol server (moto), or the embedded PGlite + memory bus + local files.
 * `env` is added to the environment the stack's config is read from (after GENEROUS_LIMITS).
 */
export async function startStack(opts: {
  backends: 'servers' | 'embedded';
  worker?: boolean;
  redisUrl?: string;
  /** More of the environment the API and worker read their Config from (e.g. WEBHOOKS_ALLOW_PRIVATE). */
  env?: Record<string, string>;
}): Promise<Stack> {
  refuseInUnitTests('the whole stack');
  const dataDir = mkdtempSync(join(tmpdir(), 'cf-stack-'));
  const cleanups: (() => Promise<void>)[] = [];
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    JWT_SECRET: 'test-secret',
    TEMPORAL_TASK_QUEUE: `q-${randomUUID()}`,
    // Stacks sharing the machine's Redis count apart.
    RATE_LIMIT_PREFIX: `cf:rl:test-${randomUUID().slice(0, 8)}:`,
    ...GENEROUS_LIMITS,
  };
  if (opts.backends === 'servers') {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const s3 = await startS3Server();
    cleanups.push(() => s3.stop());
    Object.assign(env, {
      DATABASE_URL: database.url,
      REDIS_URL: opts.redisUrl ?? REDIS_URL,
      S3_BUCKET: 'creativeflow-test',
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'test',
      S3_SECRET_ACCESS_KEY: 'test',
    });
  }
  Object.assign(env, opts.env);
  const temporalPort = await freePort();
  const config = loadConfig({ ...env, PORT: '0' });
  const temporal = await startDevServer(config, { port: temporalPort, uiPort: await freePort() });
  cleanups.unshift(() => temporal.stop()); // run last (cleanups run in reverse)
  env.TEMPORAL_ADDRESS = temporal.address;
  let services: Services | undefined;
  let worker: Awaited<ReturnType<typeof runWorker>> | undefined;
  let server: Server;
  try {
    services = await openServices(config, temporal.address);
    worker = opts.worker === false ? undefined : await runWorker(services);
    server = await listen(services, 0);
  } catch (err) {
    // A stack that fails to start must not leave a Temporal server or a database behind.
    await worker?.stop().catch(() => undefined);
    await services?.close().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const stack: Stack = {
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    services,
    temporal,
    env,
    worker: worker?.worker,
    async restart(whileDown) {
      await closeServer(server);
      await worker?.stop();
      await services!.close();
      await whileDown?.();
      services = await openServices(config, temporal.address);
      worker = opts.worker === false ? undefined : await runWorker(services);
      server = await listen(services, port);
      stack.services = services;
      stack.worker = worker?.worker;
    },
    async stop() {
      await closeServer(server);
      if (worker) {
        await worker.stop();
      }
      await services!.close();
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** A tiny typed client for the REST API, as a script or the studio would use it. */
export function apiClient(baseUrl: string, token?: string) {
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text, headers: res.headers };
  };
  return {
    request,
    get: (path: string) => request('GET', path),
    post: (path: string, body?: unknown) => request('POST', path, body ?? {}),
    put: (path: string, body?: unknown) => request('PUT', path, body),
    patch: (path: string, body?: unknown) => request('PATCH', path, body),
  };
}

export async function registerUser(baseUrl: string, email = `u${randomUUID().slice(0, 8)}@example.com`) {
  const res = await apiClient(baseUrl).post('/api/auth/register', { email, password: 'correct horse battery' });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return { email, token: res.body.token as string, userId: res.body.user.id as string, client: apiClient(baseUrl, res.body.token) };
}

export async function waitForRun(client: ReturnType<typeof apiClient>, runId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.get(`/api/runs/${runId}`);
    if (['succeeded', 'failed', 'cancelled'].includes(res.body?.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${res.body?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads an SSE stream until the run's final status (or the timeout), returning the parsed events. */
export async function readEvents(baseUrl: string, token: string, runId: string, lastEventId?: number, timeoutMs = 30_000) {
  const res = await fetch(`${baseUrl}/api/runs/${runId}/events`, {
    headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': String(lastEventId) } : {}) },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) throw new Error(`events: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const id = block.match(/^id: (\d+)$/m)?.[1];
      return { id: id ? Number(id) : undefined, data: JSON.parse(block.match(/^data: (.*)$/m)![1]) };
    });
}
