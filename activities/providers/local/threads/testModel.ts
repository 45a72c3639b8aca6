/** A stand-in model for modelThread.test.ts: counts, waits, echoes bytes and crashes on request. */
import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import { ProviderError } from '../../types';
import { serveModelJobs, threadOptions } from './host';

let active = 0;
let warmed = 0;

serveModelJobs({
  warm: () => {
    warmed++;
  },
  whoami: () => ({ threadId, warmed, options: threadOptions<unknown>() }),
  /** Reports 1..n as progress, a few ms apart, then returns n. */
  count: async ({ n }: { n: number }, { progress, signal }) => {
    for (let i = 1; i <= n; i++) {
      if (signal.aborted) throw new ProviderError('count cancelled', false);
      progress(i);
      await sleep(2);
    }
    return n;
  },
  /** Holds the thread busy for `ms` and tells how many jobs overlapped with it; stops when aborted. */
  hold: async ({ ms, tag }: { ms: number; tag: string }, { signal }) => {
    active++;
    const overlapped = active;
    try {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        if (signal.aborted) throw new ProviderError(`hold ${tag} cancelled`, false);
        await sleep(5);
      }
      return { tag, overlapped, endedAt: Date.now() };
    } finally {
      active--;
    }
  },
  /** Busy for `ms` without yielding (as a WASM call or canvas drawing is), watching `signal.aborted`. */
  spin: ({ ms }: { ms: number }, { signal }) => {
    const until = Date.now() + ms;
    while (Date.now() < until) if (signal.aborted) throw new ProviderError('spin cancelled', false);
    return 'spun';
  },
  /** Sends the bytes back with every byte inverted. */
  invert: ({ bytes }: { bytes: Uint8Array }) => {
    const out = Buffer.alloc(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = 255 - bytes[i];
    return { bytes: out };
  },
  fail: () => {
    const err = new Error('plain failure');
    err.name = 'AbortError';
    throw err;
  },
  /** Kills the thread from inside, the way a native crash or an uncaught error would. */
  crash: () => {
    setImmediate(() => {
      throw new Error('model blew up');
    });
    return new Promise(() => {});
  },
});
