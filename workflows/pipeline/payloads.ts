import type { ActivityExecution } from './catalog';
import { isArtifactRef, type ArtifactRef } from './graph';

/**
 * How big the values that travel in Temporal payloads (activity inputs and results, progress reports, the
 * run's result) may be. Temporal refuses a payload over 2 MB and a workflow task over 4 MB, and a refused
 * workflow task is retried for ever: the run would wedge. So a node output value above MAX_INLINE_VALUE_BYTES
 * is stored as an artifact by an activity and only its ref travels; what still can't fit fails the node.
 * Sizes are bytes of JSON (UTF-8), measured the same way on both sides. Workflow-safe.
 */
export const MAX_INLINE_VALUE_BYTES = 64 * 1024;

/** The smallest share of MAX_INLINE_VALUE_BYTES an item of a fanned-out node gets (a ref is ~150 bytes). */
const MIN_ITEM_VALUE_BYTES = 1024;

/** The most one activity may be handed: under Temporal's 2 MB per payload, with room for its envelope. */
export const MAX_STEP_INPUT_BYTES = 1536 * 1024;

/**
 * The most the activity inputs of one run may add up to while in flight: everything scheduled in one workflow
 * task stays well under Temporal's 4 MB per task.
 */
export const MAX_IN_FLIGHT_INPUT_BYTES = 2048 * 1024;

/**
 * The events of progress reports go in batches of at most this much (a larger event alone); the last batch also
 * carries the run's outputs. Reports are local activities, whose input stays in the worker, so this bounds the
 * database writes and bus messages per report rather than a Temporal payload.
 */
export const MAX_REPORT_BYTES = 256 * 1024;

/** The run's result (and state query) carries node outputs only while the whole stays under this. */
export const MAX_RESULT_BYTES = 256 * 1024;

/** "12 KB": sizes in messages. */
export function kilobytes(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KB`;
}

/** Bytes of `value` as UTF-8 JSON; 0 for undefined. Deterministic: the workflow measures with it too. */
export function jsonBytes(value: unknown): number {
  const json = JSON.stringify(value);
  if (json === undefined) return 0;
  let bytes = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    // JSON.stringify escapes lone surrogates, so each surrogate here is half of a 4-byte pair.
    bytes += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}

/**
 * How big each output value of one item of a fanned-out node may be: the items share the limit, so the lists
 * they are gathered into stay small too.
 */
export function itemValueLimit(items: number): number {
  return Math.max(MIN_ITEM_VALUE_BYTES, Math.floor(MAX_INLINE_VALUE_BYTES / Math.max(1, items)));
}

/** Whether every output value is within `limit` (else the node's step must run where it can store them). */
export function outputFits(output: Record<string, unknown>, limit: number): boolean {
  return Object.values(output).every((value) => jsonBytes(value) <= limit);
}

/** The mime type of an artifact holding a plain value: texts as text, anything else as JSON. */
export function valueMimeType(value: unknown): 'text/plain' | 'application/json' {
  return typeof value === 'string' ? 'text/plain' : 'application/json';
}

/** An artifact that stands for a text or JSON value (an oversized output), which a step may read back. */
export function isValueRef(value: unknown): value is ArtifactRef {
  return isArtifactRef(value) && (value.mimeType === 'text/plain' || value.mimeType === 'application/json');
}

/** Whether an input (or an item of an input list) is a value ref: then only an activity can read it. */
export function holdsValueRef(inputs: Record<string, unknown>): boolean {
  return Object.values(inputs).some((v) => isValueRef(v) || (Array.isArray(v) && v.some(isValueRef)));
}

/** Where an inline node's step runs when its inputs or outputs are too big for the workflow to handle. */
export const INLINE_STEP_EXECUTION: ActivityExecution = {
  mode: 'activity',
  activity: 'runInlineStep',
  startToCloseMs: 5 * 60_000,
  retry: {
    maximumAttempts: 3,
    initialIntervalMs: 1000,
    backoffCoefficient: 2,
    maximumIntervalMs: 30_000,
    nonRetryableErrorTypes: ['InvalidInput', 'OutputTooLarge'],
  },
};
