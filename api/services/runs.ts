import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { TERMINAL_STATUSES, validateGraph, validateRunInputs, type RunInputs } from '../../workflows/pipeline';
import { runPipeline, type RunPipelineArgs } from '../../workflows';
import type { QuotaRefusal } from '../../infra/quotas';
import { HttpError, notFound, quotaExceeded } from '../http';
import type { PipelineRepository } from '../repositories/pipelines';
import type { RunRepository } from '../repositories/runs';
import type { CancellingRun, StartedRun } from '../schemas';

export const workflowIdOf = (runId: string) => `run-${runId}`;

export function createRunService(deps: {
  pipelines: PipelineRepository;
  runs: RunRepository;
  temporal: Client;
  taskQueue: string;
  /** The plan's limits a run of this many nodes would go past (infra/quotas.ts checkRunStart). */
  checkQuota: (userId: string, nodeCount: number) => Promise<QuotaRefusal | undefined>;
}) {
  const { pipelines, runs, temporal } = deps;
  return {
    /** Validates, records the run as queued, then starts its workflow (workflow id = run id: at most one). */
    async start(userId: string, pipelineId: string, request: { inputs: RunInputs; version?: number }, trigger: string): Promise<StartedRun> {
      const pipeline = await pipelines.find(userId, pipelineId, request.version);
      if (!pipeline) throw notFound(request.version ? `Pipeline version ${request.version}` : 'Pipeline');
      const checked = validateGraph(pipeline.graph);
      if (!checked.graph) throw new HttpError(400, 'invalid_graph', 'The saved pipeline is not valid', checked.problems);
      const inputProblems = validateRunInputs(checked.graph, request.inputs);
      if (inputProblems.length > 0) {
        throw new HttpError(400, 'invalid_inputs', inputProblems.map((p) => p.message).join('; '), inputProblems);
      }
      const refusal = await deps.checkQuota(userId, checked.graph.nodes.length);
      if (refusal) throw quotaExceeded(refusal);

      const runId = randomUUID();
      await runs.create({
        id: runId,
        userId,
        projectId: pipeline.projectId,
        pipelineId,
        version: pipeline.graphVersion,
        inputs: request.inputs,
        trigger,
        nodeIds: checked.graph.nodes.map((n) => n.id),
      });
      const args: RunPipelineArgs = {
        runId,
        userId,
        projectId: pipeline.projectId,
        pipelineId,
        graph: checked.graph,
        inputs: request.inputs,
      };
      try {
        await temporal.workflow.start(runPipeline, { taskQueue: deps.taskQueue, workflowId: workflowIdOf(runId), args: [args] });
      } catch (err) {
        await runs.markFailed(runId, `Could not start: ${(err as Error).message}`);
        throw new HttpError(503, 'engine_unavailable', `The run could not be started: ${(err as Error).message}`);
      }
      return { id: runId };
    },

    async cancel(userId: string, runId: string): Promise<CancellingRun> {
      const run = await runs.find(userId, runId);
      if (!run) throw notFound('Run');
      if (TERMINAL_STATUSES.includes(run.status)) {
        throw new HttpError(409, 'run_finished', `Run already ${run.status}`);
      }
      await temporal.workflow.getHandle(workflowIdOf(runId)).cancel();
      return { id: runId, status: 'cancelling' };
    },
  };
}
export type RunService = ReturnType<typeof createRunService>;
