import {
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  defineSignal,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { BatchActivities } from '../activities/contract';
import type { Graph, RunInputs } from './pipeline/graph';
import { withSeed } from './pipeline/seeds';
import type { RunStatus } from './pipeline/statuses';
import { runPipeline } from './runPipeline';
import { runWorkflowId } from './scheduledRun';

const { cancelQueuedRuns } = proxyActivities<BatchActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/** What the API starts a batch with: its runs, already recorded as queued, and one graph for all of them. */
export interface RunBatchArgs {
  batchId: string;
  userId: string;
  projectId: string;
  pipelineId: string;
  /** Validated and normalised by the API, as a run's. */
  graph: Graph;
  /** In order: item-major, each item's seeds in turn. `seed` absent: the graph's own params. */
  runs: { runId: string; inputs: RunInputs; seed?: number }[];
  /** Runs in flight at once. */
  concurrency: number;
}

export interface RunBatchResult {
  statuses: Record<string, RunStatus>;
}

/** Cancels one run of the batch: the child if it is running, or keeps it from starting. */
export const cancelBatchRunSignal = defineSignal<[runId: string]>('cancelBatchRun');

export const batchWorkflowId = (batchId: string) => `batch-${batchId}`;

/**
 * Runs a batch: each run is the child workflow `run-<runId>`, exactly as a run the API starts (same history,
 * events, cancel), at most `concurrency` at once, in order. Cancelled, it cancels the runs in flight and records
 * the ones it never started as cancelled; one run failing or being cancelled leaves the others going.
 */
export async function runBatch(args: RunBatchArgs): Promise<RunBatchResult> {
  const statuses: Record<string, RunStatus> = {};
  const waiting = [...args.runs];
  const inFlight = new Map<string, CancellationScope>();
  const skipped = new Set<string>();
  setHandler(cancelBatchRunSignal, (runId) => {
    const scope = inFlight.get(runId);
    if (scope) scope.cancel();
    else skipped.add(runId);
  });

  const runOne = async (run: RunBatchArgs['runs'][number]): Promise<RunStatus> => {
    const scope = new CancellationScope();
    inFlight.set(run.runId, scope);
    try {
      await scope.run(() =>
        executeChild(runPipeline, {
          workflowId: runWorkflowId(run.runId),
          args: [
            {
              runId: run.runId,
              userId: args.userId,
              projectId: args.projectId,
              pipelineId: args.pipelineId,
              graph: run.seed === undefined ? args.graph : withSeed(args.graph, run.seed),
              inputs: run.inputs,
              lean: true,
            },
          ],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        }),
      );
      return 'succeeded';
    } catch (err) {
      // The run's outcome is in its own record; the batch only keeps count.
      if (err instanceof ChildWorkflowFailure) return isCancellation(err.cause) ? 'cancelled' : 'failed';
      if (isCancellation(err)) return 'cancelled';
      throw err;
    } finally {
      inFlight.delete(run.runId);
    }
  };

  const batchCancelled = () => CancellationScope.current().consideredCancelled;
  const lane = async () => {
    for (let run = waiting.shift(); run && !batchCancelled(); run = waiting.shift()) {
      if (skipped.has(run.runId)) {
        await CancellationScope.nonCancellable(() => cancelQueuedRuns([run.runId]));
        statuses[run.runId] = 'cancelled';
      } else {
        statuses[run.runId] = await runOne(run);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(args.concurrency, args.runs.length)) }, lane));

  if (batchCancelled()) {
    const neverStarted = args.runs.map((r) => r.runId).filter((id) => statuses[id] === undefined);
    await CancellationScope.nonCancellable(() => cancelQueuedRuns(neverStarted));
    throw new CancelledFailure('Batch cancelled');
  }
  return { statuses };
}
