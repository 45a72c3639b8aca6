import type { PGliteInterface, QueryOptions, Results } from '@electric-sql/pglite';
import {
  AbortedTransactionError,
  type CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** The part of a PGlite instance the dialect uses (so a PGliteWorker fits too). */
export type PGliteLike = Pick<PGliteInterface, 'query' | 'close'>;

export interface PGliteDialectConfig {
  /** The database, or a factory called once by `Driver.init()`. It is closed by `db.destroy()`. */
  pglite: PGliteLike | (() => Promise<PGliteLike>);
  /** Extra per-query options (e.g. `parsers`), merged into every `pglite.query` call. */
  queryOptions?: Omit<QueryOptions, 'rowMode'>;
}

/**
 * A Kysely dialect for PGlite. PGlite is a single in-process backend, so the driver hands out one
 * connection guarded by a mutex: whoever holds it (a query, a `db.transaction()`, `db.connection()`)
 * runs alone and everybody else waits. Consequence: inside `db.transaction().execute(trx => ...)`
 * use `trx`, never `db` -- a query on `db` would wait for the transaction that is waiting for it.
 */
export class PGliteDialect implements Dialect {
  readonly #config: PGliteDialectConfig;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#config);
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

/** FIFO async mutex: `lock()` resolves with the release function once every earlier holder released. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let unlock!: () => void;
    const held = new Promise<void>((resolve) => (unlock = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      unlock();
    };
    return previous.then(() => release);
  }
}

class PGliteDriver implements Driver {
  readonly #config: PGliteDialectConfig;
  readonly #mutex = new Mutex();
  #pglite: PGliteLike | undefined;
  #connection: PGliteConnection | undefined;
  #release: (() => void) | undefined;
  #destroyed = false;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }

  async init(): Promise<void> {
    const { pglite } = this.#config;
    this.#pglite = typeof pglite === 'function' ? await pglite() : pglite;
    this.#connection = new PGliteConnection(this.#pglite, this.#config.queryOptions ?? {});
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#mutex.lock();
    if (this.#destroyed || !this.#connection) {
      release();
      throw new Error('PGlite driver has been destroyed (or was never initialised)');
    }
    this.#release = release;
    return this.#connection;
  }

  async releaseConnection(_connection: DatabaseConnection): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      statement = 'start transaction';
      if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) statement += ` ${settings.accessMode}`;
    }
    await asPGlite(connection).run(statement);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const result = await asPGlite(connection).run('commit');
    // PostgreSQL answers COMMIT with a ROLLBACK tag when an earlier error aborted the transaction.
    if (result.command === 'ROLLBACK') throw new AbortedTransactionError();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await asPGlite(connection).run('rollback');
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await asPGlite(connection).run(`savepoint ${quoteIdentifier(name)}`);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await asPGlite(connection).run(`rollback to savepoint ${quoteIdentifier(name)}`);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await asPGlite(connection).run(`release savepoint ${quoteIdentifier(name)}`);
  }

  /** Waits for the current holder of the connection (graceful shutdown), then closes PGlite. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    const release = await this.#mutex.lock();
    try {
      await this.#pglite?.close();
    } finally {
      this.#pglite = undefined;
      this.#connection = undefined;
      release();
    }
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function asPGlite(connection: DatabaseConnection): PGliteConnection {
  if (!(connection instanceof PGliteConnection)) throw new Error('Not a PGlite connection');
  return connection;
}

const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGliteLike;
  readonly #options: QueryOptions;

  constructor(pglite: PGliteLike, options: Omit<QueryOptions, 'rowMode'>) {
    this.#pglite = pglite;
    this.#options = { ...options, rowMode: 'object' };
  }

  run<R>(statement: string, parameters: readonly unknown[] = []): Promise<Results<R>> {
    return this.#pglite.query<R>(statement, [...parameters], this.#options);
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.run<R>(compiledQuery.sql, compiledQuery.parameters);
    const command = result.command?.toUpperCase();
    return {
      rows: result.rows ?? [],
      numAffectedRows: command && WRITE_COMMANDS.has(command) ? BigInt(result.rowCount ?? result.affectedRows ?? 0) : undefined,
    };
  }

  /** PGlite has no cursors over this API: the query runs once and its rows are handed out in chunks. */
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new Error('chunkSize must be a positive integer');
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}
