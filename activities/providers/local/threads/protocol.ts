/** The messages between a model thread and its owner (./modelThread.ts ↔ ./host.ts). */

export type ToThread =
  /** `aborted` is one Int32 the owner sets to 1 when it aborts the job: synchronous model code can see it mid-call. */
  | { type: 'run'; id: number; op: string; input: unknown; aborted: SharedArrayBuffer }
  /** `reason`: the owner's signal.reason, when it is an Error, so that the job's signal gives the same one. */
  | { type: 'abort'; id: number; reason?: { name: string; message: string } };

export type FromThread =
  | { type: 'progress'; id: number; progress: unknown }
  | { type: 'done'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Set for a ProviderError, with its fields. */
  providerError?: boolean;
  retryable?: boolean;
  status?: number;
  retryAfterMs?: number;
}

/**
 * The memory of the Buffers and typed arrays in `value` (itself, or its fields and array items, one level down)
 * that can be moved to the other thread. A view of part of a larger buffer (a small Buffer shares Node's
 * pool) is left to be copied: moving it would detach memory that others still use.
 */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const consider = (v: unknown) => {
    if (!ArrayBuffer.isView(v)) return;
    const { buffer } = v;
    if (buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === buffer.byteLength) found.add(buffer);
  };
  consider(value);
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const v of Array.isArray(value) ? value : Object.values(value)) consider(v);
  }
  return [...found];
}

/** A Uint8Array that crossed threads (structured clone drops the Buffer class), as a Buffer over the same memory. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
