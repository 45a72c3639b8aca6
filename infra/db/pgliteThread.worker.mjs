// The embedded database's own thread (infra/db/pgliteThread.ts): PGlite runs here, so its queries — WebAssembly
// and synchronous file writes — never hold up the thread that answers HTTP requests and runs activities.
// Plain JavaScript: it needs no build step, under tsx, vitest or plain node alike.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const INT8_OID = 20;

/** An error as plain data (a thread boundary drops prototypes): PostgreSQL's fields (code, detail…) kept. */
const plain = (err) => ({ ...err, name: err?.name ?? 'Error', message: err?.message ?? String(err) });

let db;
try {
  // Same conventions as the pg pool: bigint -> number (PGlite would give a BigInt above 2^53).
  db = await PGlite.create({ dataDir: workerData.dataDir, parsers: { [INT8_OID]: (value) => Number(value) } });
  parentPort.postMessage({ ready: true });
} catch (err) {
  parentPort.postMessage({ ready: false, error: plain(err) });
}

parentPort.on('message', async ({ id, close, sql, params, options }) => {
  try {
    if (close) {
      await db?.close();
      parentPort.postMessage({ id, result: null });
      parentPort.close();
      return;
    }
    parentPort.postMessage({ id, result: await db.query(sql, params, options) });
  } catch (err) {
    parentPort.postMessage({ id, error: plain(err) });
  }
});
