import { Worker } from 'node:worker_threads';
import type { QueryOptions, Results } from '@electric-sql/pglite';
import type { PGliteLike } from './pglite-dialect';

type Reply = { id: number; result?: unknown; error?: Record<string, unknown> };

/** The thread's error as an Error again, with PostgreSQL's fields (code, detail, constraint…) on it. */
function revived(data: Record<string, unknown>): Error {
  return Object.assign(new Error(String(data.message)), data);
}

/**
 * PGlite in a worker thread of its own, behind the same `query`/`close` the dialect uses: each query is a message
 * to the thread and its result a message back. The dialect's mutex still hands the one connection to one holder at
 * a time. Options other than `rowMode` stay in this thread (functions can't cross): the thread sets the parsers.
 */
export async function openPGliteThread(dataDir: string): Promise<PGliteLike> {
  const worker = new Worker(new URL('./pgliteThread.worker.mjs', import.meta.url), { workerData: { dataDir } });
  const waiting = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const failAll = (err: Error) => {
    failure = err;
    for (const { reject } of waiting.values()) reject(err);
    waiting.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (first: { ready: boolean; error?: Record<string, unknown> }) =>
      first.ready ? resolve() : reject(revived(first.error ?? { message: 'the embedded database did not open' })),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the embedded database's thread exited (${code}) while opening`)));
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  worker.on('message', ({ id, result, error }: Reply) => {
    const pending = waiting.get(id);
    if (!pending) return;
    waiting.delete(id);
    if (error) pending.reject(revived(error));
    else pending.resolve(result);
  });
  worker.on('error', (err: Error) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`the embedded database's thread stopped (exit ${code})`)));
  const ask = <T>(message: Record<string, unknown>): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, ...message });
    });
  };
  return {
    query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
      return ask<Results<T>>({ sql, params, options: options?.rowMode ? { rowMode: options.rowMode } : undefined });
    },
    async close() {
      if (failure) return;
      await ask({ close: true });
      await worker.terminate();
    },
  };
}
