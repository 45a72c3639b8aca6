import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, Migrator, PostgresDialect, sql, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { migrationProvider } from './migrations';
import { PGliteDialect } from './pglite-dialect';
import type { Database } from './schema';

export type { Database } from './schema';
export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Closes the pool / the embedded database. Idempotent. */
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; when unset an embedded PGlite database is used. */
  databaseUrl?: string;
  /** PGlite keeps its files in `${dataDir}/pg`. */
  dataDir: string;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Opens the database and brings its schema up to date. With `databaseUrl` it is a `pg` pool,
 * otherwise PGlite persisted under `${dataDir}/pg`. Several processes may start against the same
 * PostgreSQL at once: Kysely's migrator serialises them with an advisory lock.
 */
export async function createDatabase(opts: DatabaseOptions): Promise<DatabaseHandle> {
  const { db, kind } = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : await openPGlite(opts.dataDir);
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy().catch(() => {});
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    db,
    kind,
    close: () => (closing ??= db.destroy()),
  };
}

/** Throws when the database cannot answer a trivial query. */
export async function ping<DB>(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Applies every pending migration; throws naming the migration that failed. */
export async function migrate(db: Kysely<any>, provider: MigrationProvider = migrationProvider): Promise<MigrationResultSet> {
  // Migrations are numbered as they are written, and features can land out of that order: a database that
  // already ran a later number still takes an earlier one that arrives after it.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const resultSet = await migrator.migrateToLatest();
  const { error, results } = resultSet;
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(failed ? `Database migration "${failed.migrationName}" failed: ${message}` : `Database migrations failed: ${message}`, {
      cause: error,
    });
  }
  return resultSet;
}

async function openPostgres(connectionString: string): Promise<{ db: Kysely<Database>; kind: 'postgres' }> {
  const { default: pg } = await import('pg'); // loaded only when used, as PGlite is below
  // Per-pool type parsers (not pg's global registry): bigint as a JS number, numeric stays a string.
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, 'text', (value: string) => Number(value));
  types.setTypeParser(NUMERIC_OID, 'text', (value: string) => value);
  const pool = new pg.Pool({ connectionString, types, connectionTimeoutMillis: 30_000 });
  // An idle client losing its connection (database restart, network) must not crash the process;
  // the pool drops it and the next query gets a fresh one.
  pool.on('error', (err) => console.error('[db] idle PostgreSQL client error:', err.message));
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), kind: 'postgres' };
}

/** PGlite directories open in this process: a second instance on the same files would corrupt them. */
const openPGliteDirs = new Set<string>();

async function openPGlite(dataDir: string): Promise<{ db: Kysely<Database>; kind: 'pglite' }> {
  const dir = resolve(join(dataDir, 'pg'));
  if (openPGliteDirs.has(dir)) {
    throw new Error(`The embedded database at ${dir} is already open in this process; share the handle instead.`);
  }
  openPGliteDirs.add(dir);
  try {
    if (!existsSync(join(dir, 'PG_VERSION'))) await initPGliteDir(dir);
    // On this thread, not a worker thread of its own: tried (commit f346017), its message round trip per query made
    // run starts slower (bench/overhead.ts: start p50 +78 ms over bare Temporal, against +39 ms here) and cost more CPU.
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create({
      dataDir: dir,
      // Same conventions as the pg pool: bigint -> number (PGlite would give a BigInt above 2^53).
      parsers: { [INT8_OID]: (value: string) => Number(value) },
    });
    const dialect = new PGliteDialect({
      pglite: {
        query: pglite.query.bind(pglite),
        close: async () => {
          try {
            await pglite.close();
          } finally {
            openPGliteDirs.delete(dir);
          }
        },
      },
    });
    return { db: new Kysely<Database>({ dialect }), kind: 'pglite' };
  } catch (err) {
    openPGliteDirs.delete(dir);
    throw err;
  }
}

/**
 * A new embedded database's cluster (PGlite's initdb: about as long as everything else in a first start together)
 * is made by a process of its own, so that this thread loads and starts the rest meanwhile; it is made beside `dir`
 * and moved into place whole, so that a start stopped half-way leaves no half-made cluster behind.
 */
async function initPGliteDir(dir: string): Promise<void> {
  const partial = `${dir}.init-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  const script = `import { PGlite } from '@electric-sql/pglite'; const db = await PGlite.create({ dataDir: process.argv[1] }); await db.close();`;
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, partial], {
      cwd: dirname(fileURLToPath(import.meta.url)), // where @electric-sql/pglite resolves from
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`creating the embedded database failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`)),
    );
  });
  await rm(dir, { recursive: true, force: true }); // an empty folder (or one without a cluster) gives way to the new one
  await rename(partial, dir);
}
