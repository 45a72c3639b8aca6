import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { estimateRun } from '../infra/estimate';
import { loadPrices } from '../infra/prices';
import { scheduledRunId, temporalScheduleId } from '../infra/scheduleIds';
import { validateGraph, validateRunInputs } from '../workflows/pipeline';
import type { ScheduledRunActivities, ScheduledRunStart } from './contract';
import type { NewScheduledRun, ScheduledRunStore } from './scheduledRunStore';
import { metrics } from '../infra/telemetry';

export type { ScheduledRunActivities, ScheduledRunArgs, ScheduledRunStart } from './contract';

/**
 * The first step of a scheduled run: Temporal starts it without an API request, so it records its own run
 * (the id derived from its workflow id, so a retry finds the same run) after checking the pipeline version
 * and the inputs as the API would. Runs the API started never come here: the API records them itself.
 */
export function createScheduledRunActivities(store: ScheduledRunStore): ScheduledRunActivities {
  return {
    async recordScheduledRun(args) {
      const workflowId = Context.current().info.workflowExecution?.workflowId;
      if (!workflowId) throw ApplicationFailure.nonRetryable('recordScheduledRun runs only inside a scheduled workflow', 'NoWorkflow');
      const runId = scheduledRunId(workflowId);
      const schedule = await store.findSchedule(args.scheduleId);
      if (!schedule || schedule.userId !== args.userId || schedule.pipelineId !== args.pipelineId) {
        await deleteOrphan(args.scheduleId);
        return { kind: 'orphaned', reason: `Schedule ${args.scheduleId} no longer exists` };
      }
      // A retry after the run was recorded keeps the version it was recorded with.
      const recorded = await store.findRun(runId);
      const pipeline = await store.findPipeline(args.userId, args.pipelineId, recorded?.version ?? args.version);
      if (!pipeline) {
        await deleteOrphan(args.scheduleId);
        return { kind: 'orphaned', reason: `Pipeline ${args.pipelineId} version ${args.version ?? 'current'} no longer exists` };
      }
      const run: NewScheduledRun = {
        id: runId,
        userId: args.userId,
        projectId: pipeline.projectId,
        pipelineId: args.pipelineId,
        version: pipeline.version,
        inputs: args.inputs,
        trigger: { kind: 'schedule', scheduleId: args.scheduleId },
      };
      const refuse = async (error: string): Promise<ScheduledRunStart> => {
        await store.createRefusedRun(run, error);
        return { kind: 'refused', runId, error };
      };
      if (recorded && recorded.status !== 'queued') {
        // Refused on an earlier attempt, or (a history reset) already run: never twice.
        return { kind: 'refused', runId, error: `Run ${runId} was already recorded as ${recorded.status}` };
      }

      const checked = validateGraph(pipeline.graph);
      if (!checked.graph) {
        return refuse(`Version ${pipeline.version} of the pipeline is not valid: ${checked.problems.map((p) => p.message).join('; ')}`);
      }
      const inputProblems = validateRunInputs(checked.graph, args.inputs);
      if (inputProblems.length > 0) {
        return refuse(
          `The schedule's inputs do not fit version ${pipeline.version} of the pipeline: ${inputProblems.map((p) => p.message).join('; ')}`,
        );
      }
      // The plan's limits hold for scheduled runs as for runs the API starts (the API answers 402; this records why).
      const overQuota = await store.quotaRefusal(args.userId, checked.graph.nodes.length);
      if (overQuota) return refuse(overQuota.message);
      // As a start from the API: the project's budget, and the estimate to compare the run's cost with.
      const trigger = {
        ...run.trigger,
        ...(pipeline.budgetUsd === undefined ? {} : { budgetUsd: pipeline.budgetUsd }),
        estimate: estimateRun(loadPrices(), checked.graph, args.inputs),
      };
      await store.createQueuedRun(
        { ...run, trigger },
        checked.graph.nodes.map((n) => n.id),
      );
      if (!recorded) metrics.runsStarted.inc({ trigger: 'schedule' });
      return {
        kind: 'start',
        run: {
          runId,
          userId: args.userId,
          projectId: pipeline.projectId,
          pipelineId: args.pipelineId,
          graph: checked.graph,
          inputs: args.inputs,
          lean: true,
        },
      };
    },
  };
}

/** A schedule whose record is gone would fire for nobody forever: it removes itself (best effort, next firing again). */
async function deleteOrphan(scheduleId: string): Promise<void> {
  try {
    await Context.current().client.schedule.getHandle(temporalScheduleId(scheduleId)).delete();
  } catch (err) {
    log.warn(`Could not delete orphaned schedule ${scheduleId}: ${(err as Error).message}`);
  }
}
