import { randomInt, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MAX_SEED, takesSeed, validateGraph, validateRunInputs, type RunInputs, type RunTrigger } from '../../workflows/pipeline';
import { batchWorkflowId, runBatch, type RunBatchArgs } from '../../workflows';
import type { QuotaRefusal } from '../../infra/quotas';
import { HttpError, notFound, quotaExceeded } from '../http';
import type { BatchRepository, NewBatchRun } from '../repositories/batches';
import type { PipelineRepository } from '../repositories/pipelines';
import type { CancellingBatch, StartedBatch } from '../schemas';

/** `seeds` different seeds, the same for every item of a batch (variation k of each item is comparable). */
function distinctSeeds(count: number): number[] {
  const seeds = new Set<number>();
  while (seeds.size < count) seeds.add(randomInt(0, MAX_SEED));
  return [...seeds];
}

export function createBatchService(deps: {
  pipelines: PipelineRepository;
  batches: BatchRepository;
  temporal: Client;
  taskQueue: string;
  /** Runs of one batch in flight at once. */
  concurrency: number;
  /** The plan's limits that `runCount` runs of this many nodes would go past (infra/quotas.ts checkRunStart). */
  checkQuota: (userId: string, nodeCount: number, runCount: number) => Promise<QuotaRefusal | undefined>;
}) {
  const { pipelines, batches, temporal } = deps;
  return {
    /**
     * Validates every item's inputs as a run's, records the batch and all its runs as queued (the plan counts
     * each), then starts the batch's workflow, which runs them `concurrency` at a time as ordinary runs.
     */
    async start(
      userId: string,
      pipelineId: string,
      request: { items: { inputs: RunInputs }[]; seeds?: number },
      trigger: RunTrigger,
    ): Promise<StartedBatch> {
      const pipeline = await pipelines.find(userId, pipelineId);
      if (!pipeline) throw notFound('Pipeline');
      const checked = validateGraph(pipeline.graph);
      if (!checked.graph) throw new HttpError(400, 'invalid_graph', 'The saved pipeline is not valid', checked.problems);
      const graph = checked.graph;
      if (request.seeds !== undefined && !graph.nodes.some((n) => takesSeed(n.type))) {
        throw new HttpError(
          400,
          'invalid_request',
          'seeds: no step of this pipeline takes a seed (Story, LLM and Illustration do), so its variations would all be the same',
        );
      }
      const problems = request.items.flatMap((item, i) =>
        validateRunInputs(graph, item.inputs).map((p) => ({ ...p, message: `items.${i}.${p.message}` })),
      );
      if (problems.length > 0) throw new HttpError(400, 'invalid_inputs', problems.map((p) => p.message).join('; '), problems);

      const seeds = request.seeds === undefined ? [null] : distinctSeeds(request.seeds);
      const runs: NewBatchRun[] = request.items.flatMap((item) =>
        seeds.map((seed) => ({ runId: randomUUID(), seed, inputs: item.inputs })),
      );
      const refusal = await deps.checkQuota(userId, graph.nodes.length, runs.length);
      if (refusal) throw quotaExceeded(refusal);

      const id = randomUUID();
      await batches.create({
        id,
        userId,
        projectId: pipeline.projectId,
        pipelineId,
        version: pipeline.graphVersion,
        concurrency: deps.concurrency,
        seeds: request.seeds ?? null,
        trigger,
        nodeIds: graph.nodes.map((n) => n.id),
        runs,
      });
      const args: RunBatchArgs = {
        batchId: id,
        userId,
        projectId: pipeline.projectId,
        pipelineId,
        graph,
        runs: runs.map((run) => ({ runId: run.runId, inputs: run.inputs, ...(run.seed === null ? {} : { seed: run.seed }) })),
        concurrency: deps.concurrency,
      };
      try {
        await temporal.workflow.start(runBatch, { taskQueue: deps.taskQueue, workflowId: batchWorkflowId(id), args: [args] });
      } catch (err) {
        await batches.markFailed(id, `Could not start: ${(err as Error).message}`);
        throw new HttpError(503, 'engine_unavailable', `The batch could not be started: ${(err as Error).message}`);
      }
      return { id, runIds: runs.map((run) => run.runId) };
    },

    async get(userId: string, id: string) {
      const batch = await batches.find(userId, id);
      if (!batch) throw notFound('Batch');
      return batch;
    },

    /** Cancels the batch's workflow: Temporal cancels its runs in flight, and the workflow records the waiting ones as cancelled. */
    async cancel(userId: string, id: string): Promise<CancellingBatch> {
      const batch = await batches.find(userId, id);
      if (!batch) throw notFound('Batch');
      if (batch.status !== 'running') throw new HttpError(409, 'batch_finished', `Every run of the batch has ended (${batch.status})`);
      try {
        await temporal.workflow.getHandle(batchWorkflowId(id)).cancel();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'batch_finished', 'The batch has ended');
        throw err;
      }
      return { id, status: 'cancelling' };
    },
  };
}
export type BatchService = ReturnType<typeof createBatchService>;
