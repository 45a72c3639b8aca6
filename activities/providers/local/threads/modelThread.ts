/**
 * A local model's jobs, run in a worker thread of their own so that synchronous model work (WASM phonemes,
 * ONNX post-processing, canvas drawing) never stalls the thread that runs the API and the other activities.
 *
 * - The thread starts on the first job (or `warm()`) and stays warm; while it is idle it does not keep the
 *   process alive.
 * - At most `concurrency` jobs (1 by default) are in the thread at once; the others wait here, in order.
 * - Progress and abort travel as messages. A job aborted while it waits rejects at once with `abortError()`;
 *   one already running is told to stop and rejects the way its model does (its error comes back as it was thrown).
 *   Its signal reads a shared flag too, so synchronous code that checks `signal.aborted` (the sketch renderer
 *   between subjects) stops mid-call, which it cannot do on the thread that aborts it.
 * - A thread that dies fails the jobs it held with a retryable ProviderError; the next job gets a fresh thread.
 * - The thread side is a module calling `serveModelJobs` (./host.ts), loaded through ./entry.mjs so that the
 *   TypeScript source runs under tsx and vitest alike.
 */
import { Worker } from 'node:worker_threads';
import { ProviderError } from '../../types';
import { transferablesOf, type FromThread, type SerializedError, type ToThread } from './protocol';

export interface ModelThreadOptions {
  /** Shown in errors and as the thread's name ("speech", "sketch"). */
  name: string;
  /** The thread-side module (a file calling serveModelJobs). */
  module: URL;
  /** Passed to the module as `workerData.options`. */
  options?: unknown;
  /** Jobs in the thread at once (default 1). */
  concurrency?: number;
  /** What a job aborted before it reached the thread rejects with. */
  abortError: (signal: AbortSignal) => Error;
}

export interface JobOptions<P> {
  signal: AbortSignal;
  onProgress?: (progress: P) => void;
}

export interface ModelThread {
  readonly name: string;
  /** Whether its thread is up (started and not yet stopped or crashed). */
  readonly running: boolean;
  /** Runs `op` of the thread's module on `input`; Buffers and typed arrays that own their memory are moved, not copied. */
  run<R, P = unknown>(op: string, input: unknown, opts: JobOptions<P>): Promise<R>;
  /** Starts the thread now and runs its module's `warm` op, if it has one. */
  warm(): Promise<void>;
  /** Stops the thread; jobs still held fail. A later job starts a fresh one. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  op: string;
  input: unknown;
  signal: AbortSignal;
  onProgress?: (progress: unknown) => void;
  resolve(value: unknown): void;
  reject(err: Error): void;
  onAbort?: () => void;
  aborted: Int32Array;
}

interface Running {
  worker: Worker;
  jobs: Map<number, Job>;
}

const ENTRY = new URL('./entry.mjs', import.meta.url);
const open = new Set<ModelThread>();

/** Stops every model thread of this process (worker shutdown). */
export async function closeModelThreads(): Promise<void> {
  await Promise.all([...open].map((t) => t.close()));
}

/** The names of the model threads that are up in this process. */
export function runningModelThreads(): string[] {
  return [...open].filter((t) => t.running).map((t) => t.name);
}

export function createModelThread(opts: ModelThreadOptions): ModelThread {
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
  const waiting: Job[] = [];
  let current: Running | undefined;
  let nextId = 1;

  const fail = (job: Job, err: Error) => {
    if (job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    job.reject(err);
  };
  const settle = (running: Running, id: number, outcome: { value: unknown } | { error: Error }) => {
    const job = running.jobs.get(id);
    if (!job) return;
    running.jobs.delete(id);
    if (job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    if ('error' in outcome) job.reject(outcome.error);
    else job.resolve(outcome.value);
    if (running.jobs.size === 0) running.worker.unref();
    pump();
  };

  const start = (): Running => {
    const worker = new Worker(ENTRY, {
      name: `model:${opts.name}`,
      workerData: {
        module: opts.module.href,
        options: opts.options,
      },
    });
    const running: Running = { worker, jobs: new Map() };
    worker.unref();
    worker.on('message', (msg: FromThread) => {
      if (msg.type === 'progress') running.jobs.get(msg.id)?.onProgress?.(msg.progress);
      else if (msg.type === 'done') settle(running, msg.id, { value: msg.value });
      else settle(running, msg.id, { error: revive(msg.error) });
    });
    const died = (why: string) => {
      if (current === running) current = undefined;
      const jobs = [...running.jobs.values()];
      running.jobs.clear();
      for (const job of jobs) fail(job, new ProviderError(`local ${opts.name} model thread ${why}`, true));
      pump();
    };
    worker.on('error', (err: unknown) => died(`crashed: ${err instanceof Error ? err.message : String(err)}`));
    worker.on('exit', (code) => died(code === 0 ? 'stopped' : `exited with code ${code}`));
    return running;
  };

  const pump = () => {
    while (waiting.length > 0 && (current?.jobs.size ?? 0) < concurrency) {
      const job = waiting.shift()!;
      current ??= start();
      current.jobs.set(job.id, job);
      current.worker.ref();
      const message: ToThread = { type: 'run', id: job.id, op: job.op, input: job.input, aborted: job.aborted.buffer as SharedArrayBuffer };
      current.worker.postMessage(message, transferablesOf(job.input));
    }
  };

  const thread: ModelThread = {
    name: opts.name,
    get running() {
      return current !== undefined;
    },
    run<R, P>(op: string, input: unknown, { signal, onProgress }: JobOptions<P>): Promise<R> {
      if (signal.aborted) return Promise.reject(opts.abortError(signal));
      open.add(thread);
      return new Promise<R>((resolve, reject) => {
        const job: Job = {
          id: nextId++,
          op,
          input,
          signal,
          onProgress: onProgress as ((p: unknown) => void) | undefined,
          resolve: resolve as (v: unknown) => void,
          reject,
          aborted: new Int32Array(new SharedArrayBuffer(4)),
        };
        job.onAbort = () => {
          const at = waiting.indexOf(job);
          if (at >= 0) {
            waiting.splice(at, 1);
            fail(job, opts.abortError(signal));
          } else if (current?.jobs.has(job.id)) {
            Atomics.store(job.aborted, 0, 1);
            const reason: unknown = signal.reason;
            current.worker.postMessage({
              type: 'abort',
              id: job.id,
              ...(reason instanceof Error ? { reason: { name: reason.name, message: reason.message } } : {}),
            } satisfies ToThread);
          }
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
        waiting.push(job);
        pump();
      });
    },
    async warm() {
      await thread.run('warm', undefined, { signal: new AbortController().signal });
    },
    async close() {
      open.delete(thread);
      for (const job of waiting.splice(0)) fail(job, new ProviderError(`local ${opts.name} model closed`, true));
      const running = current;
      current = undefined;
      if (!running) return;
      const jobs = [...running.jobs.values()];
      running.jobs.clear();
      for (const job of jobs) fail(job, new ProviderError(`local ${opts.name} model closed`, true));
      await running.worker.terminate();
    },
  };
  return thread;
}

/** The thread's error as the caller would have seen it in process: a ProviderError stays one, names are kept. */
function revive(e: SerializedError): Error {
  const err = e.providerError ? new ProviderError(e.message, e.retryable ?? false, e.status, e.retryAfterMs) : new Error(e.message);
  if (!e.providerError) err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
