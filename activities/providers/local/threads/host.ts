/**
 * The thread side of a model thread (see ./modelThread.ts): a model module calls `serveModelJobs` with its
 * operations; each job gets an AbortSignal that fires when its owner aborts it, and a `progress` callback.
 * An operation named `warm` is what ModelThread.warm() runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProviderError } from '../../types';
import { transferablesOf, type FromThread, type SerializedError, type ToThread } from './protocol';

export interface JobContext {
  signal: AbortSignal;
  progress(progress: unknown): void;
}

export type ModelOperations = Record<string, (input: never, ctx: JobContext) => unknown>;

/** What the owner passed as ModelThreadOptions.options. */
export function threadOptions<T>(): T {
  return (workerData as { options: T }).options;
}

export function serveModelJobs(operations: ModelOperations): void {
  const port = parentPort;
  if (!port) throw new Error('serveModelJobs runs only inside a model thread');
  const running = new Map<number, AbortController>();
  const send = (msg: FromThread) => port.postMessage(msg, msg.type === 'done' ? transferablesOf(msg.value) : []);

  port.on('message', (msg: ToThread) => {
    if (msg.type === 'abort') {
      const reason = msg.reason && Object.assign(new Error(msg.reason.message), { name: msg.reason.name });
      running.get(msg.id)?.abort(reason);
      return;
    }
    const { id, op, input } = msg;
    const controller = new AbortController();
    running.set(id, controller);
    watchSharedFlag(controller.signal, new Int32Array(msg.aborted));
    const fn = operations[op];
    void (async () => {
      try {
        if (!fn) {
          if (op !== 'warm') throw new Error(`model thread has no operation '${op}'`);
          send({ type: 'done', id, value: undefined });
          return;
        }
        const ctx: JobContext = { signal: controller.signal, progress: (progress) => send({ type: 'progress', id, progress }) };
        const value = await fn(input as never, ctx);
        send({ type: 'done', id, value });
      } catch (err) {
        send({ type: 'error', id, error: serialize(err) });
      } finally {
        running.delete(id);
      }
    })();
  });
}

/**
 * Makes `signal.aborted` true as soon as the owner sets the job's shared flag, before the abort message can be
 * read (it waits for synchronous code to finish); the abort event itself still comes with the message.
 */
function watchSharedFlag(signal: AbortSignal, flag: Int32Array): void {
  const aborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;
  Object.defineProperty(signal, 'aborted', { get: () => Atomics.load(flag, 0) === 1 || (aborted.call(signal) as boolean) });
}

function serialize(err: unknown): SerializedError {
  if (err instanceof ProviderError) {
    return {
      name: err.name,
      message: err.message,
      stack: err.stack,
      providerError: true,
      retryable: err.retryable,
      status: err.status,
      retryAfterMs: err.retryAfterMs,
    };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}
