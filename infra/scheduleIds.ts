import { createHash } from 'node:crypto';

/**
 * The names a schedule goes by in Temporal, and the id of each run it starts: shared by the API (which creates
 * schedules and joins their recent actions with runs) and the worker (whose first activity records the run).
 */

/** Temporal's id for the schedule with this (API) id. */
export const temporalScheduleId = (scheduleId: string) => `schedule-${scheduleId}`;

/** The workflow id the schedule's action starts with; Temporal appends each fire time to it. */
export const scheduledWorkflowId = (scheduleId: string) => `scheduled-${scheduleId}`;

/** Namespace of the name-based (RFC 9562 version 5) ids of scheduled runs. */
const SCHEDULED_RUNS = Buffer.from('6b1d3c2a9f4e4d0b8c7a5e3f2d1c0b9a', 'hex');

/**
 * The run id of the scheduled workflow with this id (one per firing): the same every time it is asked,
 * so recording the run is idempotent and the API finds the run a schedule's action started.
 */
export function scheduledRunId(workflowId: string): string {
  const hash = createHash('sha1').update(SCHEDULED_RUNS).update(workflowId).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
