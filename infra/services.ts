import { Client, Connection } from '@temporalio/client';
import { createBlobStore, type BlobStore } from './blobs';
import { createEventBus, type EventBus } from './bus';
import type { Config } from './config';
import { createDatabase, type DatabaseHandle } from './db';
import { openLimits, type Limits } from './limits';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema';
import { clientInterceptors } from './tracing';

/** The backing services, each picked once from the environment: code above never knows which it got. */
export interface Services {
  config: Config;
  db: Kysely<Database>;
  dbKind: 'postgres' | 'pglite';
  bus: EventBus;
  blobs: BlobStore;
  /** The rate limiter's store (Redis with REDIS_URL, else memory). */
  limits: Limits;
  temporal: Client;
  temporalAddress: string;
  close(): Promise<void>;
}

export async function connectTemporal(address: string, timeoutMs = 60_000): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await Connection.connect({ address, connectTimeout: 2_000 });
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Cannot reach Temporal at ${address}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Opens every backing service. The address may still be on its way (a dev server starting): the database opens and
 * migrates meanwhile, and only the Temporal connection waits for it.
 */
export async function openServices(
  config: Config,
  temporalAddressOrStarting: string | Promise<string>,
  /** The database, when its opening began before this module loaded (`npm start`). */
  opening?: Promise<DatabaseHandle>,
): Promise<Services> {
  const database = await (opening ?? createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  // What opened is closed again when a later part fails (a Temporal that never answers): the embedded database's files
  // are then left closed cleanly, not half-written.
  const opened: { close(): Promise<unknown> }[] = [database];
  let bus: Awaited<ReturnType<typeof createEventBus>>;
  let blobs: Awaited<ReturnType<typeof createBlobStore>>;
  let limits: Awaited<ReturnType<typeof openLimits>>;
  let temporalAddress: string;
  let connection: Awaited<ReturnType<typeof connectTemporal>>;
  try {
    bus = await createEventBus({ redisUrl: config.redisUrl });
    opened.push(bus);
    blobs = await createBlobStore({ s3: config.s3, dataDir: config.dataDir });
    limits = await openLimits({ redisUrl: config.redisUrl, prefix: config.limits.prefix });
    opened.push(limits);
    temporalAddress = await temporalAddressOrStarting;
    connection = await connectTemporal(temporalAddress);
  } catch (err) {
    for (const part of opened.reverse()) await part.close().catch(() => undefined);
    throw err;
  }
  const temporal = new Client({ connection, namespace: config.temporalNamespace, interceptors: await clientInterceptors() });
  return {
    config,
    db: database.db,
    dbKind: database.kind,
    bus,
    blobs,
    limits,
    temporal,
    temporalAddress,
    async close() {
      await connection.close();
      await bus.close();
      await limits.close();
      await database.close();
    },
  };
}
