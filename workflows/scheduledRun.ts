import { ChildWorkflowFailure, executeChild, isCancellation, ParentClosePolicy, proxyActivities } from '@temporalio/workflow';
import type { ScheduledRunActivities, ScheduledRunArgs, ScheduledRunStart } from '../activities/contract';
import type { RunStatus } from './pipeline/statuses';
import { runPipeline } from './runPipeline';

export type { ScheduledRunArgs } from '../activities/contract';

/** The workflow id of a run's pipeline workflow: the same as api/services/runs.ts workflowIdOf (a test holds them equal). */
export const runWorkflowId = (runId: string) => `run-${runId}`;

const { recordScheduledRun } = proxyActivities<ScheduledRunActivities>({
  startToCloseTimeout: '1m',
  // The database may be away for a while: keep trying (the activity is idempotent), never give up on a firing.
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

export type ScheduledRunResult = Exclude<ScheduledRunStart, { kind: 'start' }> | { kind: 'finished'; runId: string; status: RunStatus };

/**
 * What a schedule starts at each firing: records the run (Temporal starts this without an API request), then runs
 * the pipeline as the child workflow `run-<runId>`, exactly as a run the API starts, so history, events, cancel
 * and counting are the same. It lasts as long as the run does, so the schedule's overlap policy applies to runs;
 * cancelled by that policy, it cancels the run (and a parent that is gone asks its run to cancel).
 */
export async function scheduledRun(args: ScheduledRunArgs): Promise<ScheduledRunResult> {
  const start = await recordScheduledRun(args);
  if (start.kind !== 'start') return start;
  const { runId } = start.run;
  try {
    await executeChild(runPipeline, {
      workflowId: runWorkflowId(runId),
      args: [start.run],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    return { kind: 'finished', runId, status: 'succeeded' };
  } catch (err) {
    // The run's outcome is in its own record; this workflow only reports it.
    if (err instanceof ChildWorkflowFailure) return { kind: 'finished', runId, status: isCancellation(err.cause) ? 'cancelled' : 'failed' };
    throw err;
  }
}
