import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  decisionProblem,
  jsonBytes,
  kilobytes,
  TERMINAL_STATUSES,
  validateGraph,
  validateRunInputs,
  type ApprovalDecision,
  type Graph,
  type CostEstimate,
  type RunInputs,
  type RunTrigger,
} from '../../workflows/pipeline';
import { approvalDecisionUpdate, batchWorkflowId, cancelBatchRunSignal, runPipeline, type RunPipelineArgs } from '../../workflows';
import { estimateRun } from '../../infra/estimate';
import type { PriceTable } from '../../infra/prices';
import type { QuotaRefusal } from '../../infra/quotas';
import { metrics } from '../../infra/telemetry';
import { HttpError, notFound, quotaExceeded } from '../http';
import type { PipelineRepository } from '../repositories/pipelines';
import { IDEMPOTENCY_TTL_HOURS, type IdempotentRequest, type RunRepository } from '../repositories/runs';
import type { ApprovalAnswer, CancellingRun, RunDetail, Wire } from '../schemas';
import { planItemReuse, planRerun, type RerunChoice } from './rerunPlan';

export const workflowIdOf = (runId: string) => `run-${runId}`;

/** A start's answer: the run, and whether this call started it (false: its Idempotency-Key found an earlier start). */
export interface StartOutcome {
  id: string;
  created: boolean;
}

/** JSON with object keys sorted, so the same request hashes the same whatever order its fields came in. */
const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

const requestHashOf = (pipelineId: string, request: { inputs: RunInputs; version?: number; budgetUsd?: number }) =>
  createHash('sha256')
    .update(
      canonicalJson({
        pipelineId,
        inputs: request.inputs,
        version: request.version ?? null,
        ...(request.budgetUsd === undefined ? {} : { budgetUsd: request.budgetUsd }),
      }),
    )
    .digest('hex');

/** The most a re-run's reused outputs may weigh together: they go into the workflow's start arguments beside the graph. */
const MAX_SEEDED_BYTES = 1024 * 1024;

/** How often a ?wait asks again for a workflow that a concurrent, idempotent start recorded but has not started yet. */
const NOT_STARTED_RETRY_MS = 100;

export function createRunService(deps: {
  pipelines: PipelineRepository;
  runs: RunRepository;
  temporal: Client;
  taskQueue: string;
  /** The plan's limits a run of this many nodes would go past (infra/quotas.ts checkRunStart). */
  checkQuota: (userId: string, nodeCount: number) => Promise<QuotaRefusal | undefined>;
  /** The price table the worker charges by, for estimates. */
  prices: PriceTable;
}) {
  const { pipelines, runs, temporal } = deps;

  /** The run this key started within the TTL, when it was asked for the same request. */
  const earlierStart = async (userId: string, idempotency: IdempotentRequest): Promise<StartOutcome | undefined> => {
    const earlier = await runs.findIdempotent(userId, idempotency.key);
    if (!earlier) return undefined;
    if (earlier.requestHash !== idempotency.requestHash) {
      throw new HttpError(
        409,
        'idempotency_conflict',
        `Idempotency-Key '${idempotency.key}' was used for a different request within the last ${IDEMPOTENCY_TTL_HOURS} hours (run ${earlier.runId}): use a new key for a new request`,
      );
    }
    return { id: earlier.runId, created: false };
  };

  /** Starts a recorded run's workflow (workflow id = run id: at most one), or marks it failed when the engine refuses. */
  const startWorkflow = async (args: RunPipelineArgs, trigger: RunTrigger, release: () => unknown): Promise<void> => {
    try {
      await temporal.workflow.start(runPipeline, {
        taskQueue: deps.taskQueue,
        workflowId: workflowIdOf(args.runId),
        args: [{ ...args, lean: true }],
      });
      metrics.runsStarted.inc({ trigger: trigger.kind });
    } catch (err) {
      await runs.markFailed(args.runId, `Could not start: ${(err as Error).message}`);
      // This run never started: a retry with the same key may start one.
      await release();
      throw new HttpError(503, 'engine_unavailable', `The run could not be started: ${(err as Error).message}`);
    }
  };

  /** The pipeline (its latest version, or `version`) and its checked graph, with the run's inputs checked against it. */
  const runnable = async (
    userId: string,
    pipelineId: string,
    request: { inputs: RunInputs; version?: number; graph?: unknown },
    allowMissing = false,
  ) => {
    const pipeline = await pipelines.findRunnable(userId, pipelineId, request.version);
    if (!pipeline) throw notFound(request.version ? `Pipeline version ${request.version}` : 'Pipeline');
    const checked = validateGraph(request.graph ?? pipeline.graph);
    if (!checked.graph) {
      throw new HttpError(
        400,
        'invalid_graph',
        request.graph ? 'The graph is not valid' : 'The saved pipeline is not valid',
        checked.problems,
      );
    }
    const inputProblems = validateRunInputs(checked.graph, request.inputs).filter(
      (p) => !(allowMissing && /required pipeline input is (missing|empty)$/.test(p.message)),
    );
    if (inputProblems.length > 0) {
      throw new HttpError(400, 'invalid_inputs', inputProblems.map((p) => p.message).join('; '), inputProblems);
    }
    return { pipeline, graph: checked.graph };
  };

  return {
    /** What a run of the pipeline with these inputs is estimated to cost (infra/estimate.ts). */
    async estimate(
      userId: string,
      pipelineId: string,
      request: { inputs: RunInputs; version?: number; graph?: unknown },
    ): Promise<CostEstimate> {
      // Before the inputs are typed there is still an estimate: an input not given yet counts as a short prompt.
      const { graph } = await runnable(userId, pipelineId, request, true);
      return estimateRun(deps.prices, graph, request.inputs);
    },

    /**
     * Validates, records the run as queued, then starts its workflow (workflow id = run id: at most one). With an
     * Idempotency-Key, a start that the same key already made within 24 h answers that run instead (created:
     * false), or 409 `idempotency_conflict` when it asked for something else. Concurrent starts with one key,
     * on any replica, are decided by the key's row in the database (see runs.create).
     */
    async start(
      userId: string,
      pipelineId: string,
      request: { inputs: RunInputs; version?: number; budgetUsd?: number; cache?: 'use' | 'fresh' },
      trigger: RunTrigger,
      idempotencyKey?: string,
    ): Promise<StartOutcome> {
      const idempotency =
        idempotencyKey === undefined ? undefined : { key: idempotencyKey, requestHash: requestHashOf(pipelineId, request) };
      const earlier = idempotency && (await earlierStart(userId, idempotency));
      if (earlier) return earlier;

      const { pipeline, graph } = await runnable(userId, pipelineId, request);
      const refusal = await deps.checkQuota(userId, graph.nodes.length);
      if (refusal) throw quotaExceeded(refusal);

      // The activities read the budget from the run's row: the workflow and its history stay as they were.
      const budgetUsd = request.budgetUsd ?? pipeline.projectBudgetUsd;
      const runId = randomUUID();
      const recorded = await runs.create(
        {
          id: runId,
          userId,
          projectId: pipeline.projectId,
          pipelineId,
          version: pipeline.graphVersion,
          inputs: request.inputs,
          trigger: {
            ...trigger,
            ...(budgetUsd === undefined ? {} : { budgetUsd }),
            estimate: estimateRun(deps.prices, graph, request.inputs),
          },
          nodeIds: graph.nodes.map((n) => n.id),
        },
        idempotency,
      );
      if (!recorded) {
        // A concurrent start with the same key won the race.
        const winner = await earlierStart(userId, idempotency!);
        if (winner) return winner;
        throw new HttpError(409, 'idempotency_conflict', `Idempotency-Key '${idempotency!.key}' is being used by another request: retry`);
      }
      const args: RunPipelineArgs = {
        runId,
        userId,
        projectId: pipeline.projectId,
        pipelineId,
        graph,
        inputs: request.inputs,
        ...(request.cache === 'fresh' ? { cache: 'fresh' as const } : {}),
      };
      await startWorkflow(args, trigger, () => idempotency && runs.releaseIdempotencyKey(userId, idempotency.key, runId));
      return { id: runId, created: true };
    },

    /**
     * Starts a new run of the pipeline's current version from a finished, failed or cancelled one: the chosen
     * nodes (and what depends on them, or on anything changed since) run; the rest reuse the parent's recorded
     * outputs (planRerun), with no step, no call and no cost.
     */
    async rerun(userId: string, parentId: string, request: RerunChoice & { inputs?: RunInputs }): Promise<StartOutcome> {
      const parent = await runs.find(userId, parentId);
      if (!parent) throw notFound('Run');
      if (!TERMINAL_STATUSES.includes(parent.status)) {
        throw new HttpError(409, 'run_active', `Run is still ${parent.status}: cancel it or wait until it ends, then re-run it`);
      }
      const pipeline = await pipelines.findRunnable(userId, parent.pipelineId);
      if (!pipeline) throw notFound('Pipeline');
      const checked = validateGraph(pipeline.graph);
      if (!checked.graph) throw new HttpError(400, 'invalid_graph', 'The saved pipeline is not valid', checked.problems);
      const graph = checked.graph;
      if (request.fromNodeId !== undefined && !graph.nodes.some((n) => n.id === request.fromNodeId)) {
        throw new HttpError(400, 'invalid_request', `fromNodeId: the pipeline's current version has no node '${request.fromNodeId}'`);
      }
      if (request.onlyFailed && request.fromNodeId === undefined && Object.values(parent.nodes).every((n) => n.status === 'succeeded')) {
        throw new HttpError(409, 'nothing_failed', 'onlyFailed: every node of this run succeeded; give fromNodeId to run from a node');
      }
      // The parent's inputs, for the inputs the current version still declares, with the given ones over them.
      const declared = new Set(graph.nodes.filter((n) => n.type === 'input').map((n) => String(n.params.name)));
      const inputs = { ...Object.fromEntries(Object.entries(parent.inputs).filter(([name]) => declared.has(name))), ...request.inputs };
      const inputProblems = validateRunInputs(graph, inputs);
      if (inputProblems.length > 0) {
        throw new HttpError(400, 'invalid_inputs', inputProblems.map((p) => p.message).join('; '), inputProblems);
      }
      const refusal = await deps.checkQuota(userId, graph.nodes.length);
      if (refusal) throw quotaExceeded(refusal);

      const before = await pipelines.findRunnable(userId, parent.pipelineId, parent.pipelineVersion);
      const parentGraph = before && validateGraph(before.graph).graph;
      const seeded = parentGraph
        ? planRerun(
            graph,
            inputs,
            { id: parent.id, graph: parentGraph, inputs: parent.inputs, nodes: parent.nodes, costs: parent.costs },
            request,
          )
        : {}; // the version it ran no longer reads as a valid graph: nothing is known to be the same
      const seededItems = parentGraph
        ? planItemReuse(
            graph,
            inputs,
            { id: parent.id, graph: parentGraph, inputs: parent.inputs, nodes: parent.nodes, costs: parent.costs },
            request,
            seeded,
          )
        : {};

      // The plan travels in the workflow's start arguments, which Temporal caps (2 MB with the graph).
      const seededBytes = jsonBytes(seeded) + jsonBytes(seededItems);
      if (seededBytes > MAX_SEEDED_BYTES) {
        throw new HttpError(
          422,
          'rerun_too_large',
          `fromNodeId: the outputs to reuse upstream of it are ${kilobytes(seededBytes)} together, more than a run can be handed (${kilobytes(MAX_SEEDED_BYTES)}): run from an earlier node`,
        );
      }
      const budgetUsd = pipeline.projectBudgetUsd;
      const runId = randomUUID();
      await runs.create({
        id: runId,
        userId,
        projectId: pipeline.projectId,
        pipelineId: parent.pipelineId,
        version: pipeline.graphVersion,
        inputs,
        trigger: { kind: 'rerun', ...(budgetUsd === undefined ? {} : { budgetUsd }), estimate: estimateRun(deps.prices, graph, inputs) },
        nodeIds: graph.nodes.map((n) => n.id),
        parentRunId: parent.id,
      });
      // What a re-run runs, it runs again: the chosen node and its downstream are not answered from the cache.
      const args: RunPipelineArgs = {
        runId,
        userId,
        projectId: pipeline.projectId,
        pipelineId: parent.pipelineId,
        graph,
        inputs,
        seeded,
        ...(Object.keys(seededItems).length > 0 ? { seededItems } : {}),
        cache: 'fresh',
      };
      await startWorkflow(args, { kind: 'rerun' }, () => undefined);
      return { id: runId, created: true };
    },

    /**
     * The run once it has ended, or as it is after `seconds` (or once `signal` aborts: the client left). Waits on
     * the workflow's result (a long poll on Temporal, no polling here), then reads the run, which the workflow
     * recorded before it returned.
     */
    async waitForEnd(userId: string, runId: string, seconds: number, signal?: AbortSignal): Promise<Wire<typeof RunDetail> | undefined> {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), seconds * 1000);
      const stop = () => deadline.abort();
      signal?.addEventListener('abort', stop);
      const handle = temporal.workflow.getHandle(workflowIdOf(runId));
      try {
        while (seconds > 0 && !deadline.signal.aborted) {
          try {
            await temporal.withAbortSignal(deadline.signal, () => handle.result());
            break;
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) break; // it failed or was cancelled (it ended), or time is up
            const run = await runs.find(userId, runId);
            if (!run || TERMINAL_STATUSES.includes(run.status)) break; // it could not start
            await new Promise((resolve) => setTimeout(resolve, NOT_STARTED_RETRY_MS));
          }
        }
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', stop);
      }
      return runs.find(userId, runId);
    },

    async cancel(userId: string, runId: string): Promise<CancellingRun> {
      const run = await runs.find(userId, runId);
      if (!run) throw notFound('Run');
      if (TERMINAL_STATUSES.includes(run.status)) {
        throw new HttpError(409, 'run_finished', `Run already ${run.status}`);
      }
      try {
        await temporal.workflow.getHandle(workflowIdOf(runId)).cancel();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError) || !run.batchId) throw err;
        // A batch's run waiting for its turn: the batch's workflow keeps it from starting (or cancels it if it just did).
        await temporal.workflow.getHandle(batchWorkflowId(run.batchId)).signal(cancelBatchRunSignal, runId);
      }
      return { id: runId, status: 'cancelling' };
    },

    /**
     * Delivers a person's decision to a waiting approval node, as a workflow update: the workflow accepts it only
     * while that node waits (it may have timed out meanwhile), so the answer says whether it took.
     */
    async decide(userId: string, runId: string, nodeId: string, decision: ApprovalDecision): Promise<Wire<typeof ApprovalAnswer>> {
      const run = await runs.find(userId, runId);
      if (!run) throw notFound('Run');
      const pipeline = await pipelines.find(userId, run.pipelineId, run.pipelineVersion);
      const node = (pipeline?.graph as Graph | undefined)?.nodes?.find((n) => n.id === nodeId);
      const state = run.nodes[nodeId];
      if (!node || !state) throw notFound(`Node '${nodeId}' of this run`);
      if (node.type !== 'approval')
        throw new HttpError(409, 'not_an_approval', `Node '${nodeId}' is a ${node.type} step, not an approval step`);
      if (state.status !== 'waiting') {
        throw new HttpError(409, 'not_waiting', `Node '${nodeId}' is not waiting for a decision: it is ${state.status}`);
      }
      const problem = decisionProblem(state.output?.out, decision);
      if (problem) throw new HttpError(400, 'invalid_request', `Invalid body: ${problem}`);
      try {
        await temporal.workflow.getHandle(workflowIdOf(runId)).executeUpdate(approvalDecisionUpdate, { args: [{ nodeId, ...decision }] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
          throw new HttpError(
            409,
            'not_waiting',
            `Node '${nodeId}' is no longer waiting for a decision: ${(err.cause as Error | undefined)?.message ?? err.message}`,
          );
        }
        throw err;
      }
      return { id: runId, nodeId, decision: decision.approve ? 'approved' : 'rejected' };
    },
  };
}
export type RunService = ReturnType<typeof createRunService>;
