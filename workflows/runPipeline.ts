import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ActivityFailure,
  defineQuery,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { ActivityInput, ActivityResult, Activities, RunReport } from '../activities/contract';
import {
  catalog,
  type ActivityExecution,
  type Graph,
  type GraphNode,
  type NodeState,
  type RunEvent,
  type RunInputs,
  type RunState,
  type RunStatus,
} from './pipeline';

export interface RunPipelineArgs {
  runId: string;
  userId: string;
  projectId: string;
  pipelineId: string;
  pipelineVersion: number;
  /** Already validated and normalised (params with defaults) by the API. */
  graph: Graph;
  inputs: RunInputs;
}

export const runStateQuery = defineQuery<RunState>('runState');

const { reportRunProgress } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', maximumInterval: '10s' },
});

/** Thrown into the dependents of a node that failed, so they fail too (and say why). */
class UpstreamFailed extends Error {
  constructor(readonly nodeId: string) {
    super(`Upstream node '${nodeId}' failed`);
  }
}

/**
 * Runs any valid pipeline graph: each node starts as soon as all its inputs exist, independent
 * branches run in parallel, the first failure cancels what is still running and fails the run.
 */
export async function runPipeline(args: RunPipelineArgs): Promise<RunState> {
  const now = () => new Date().toISOString();
  const state: RunState = {
    status: 'running',
    error: null,
    outputs: null,
    nodes: Object.fromEntries(args.graph.nodes.map((n) => [n.id, queuedNode()])),
  };
  setHandler(runStateQuery, () => state);

  const reporter = createReporter(args.runId, state);
  reporter.emit({ type: 'run.status', at: now(), status: 'running' });

  const byId = new Map(args.graph.nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, Graph['edges']>(args.graph.nodes.map((n) => [n.id, []]));
  for (const edge of args.graph.edges) incoming.get(edge.target)!.push(edge);

  const results = new Map<string, Promise<Record<string, unknown>>>();
  let firstFailure: { nodeId: string; message: string } | null = null;
  const nodesScope = new CancellationScope();

  const setNode = (nodeId: string, patch: Partial<NodeState>) => {
    const next = { ...state.nodes[nodeId], ...patch };
    state.nodes[nodeId] = next;
    reporter.emit({ type: 'node.status', at: now(), nodeId, state: next });
  };

  const resultOf = (nodeId: string): Promise<Record<string, unknown>> => {
    let result = results.get(nodeId);
    if (!result) {
      result = runNode(byId.get(nodeId)!);
      results.set(nodeId, result);
    }
    return result;
  };

  async function gatherInputs(node: GraphNode): Promise<Record<string, unknown>> {
    const edges = incoming.get(node.id)!;
    const settled = await Promise.allSettled(edges.map((e) => resultOf(e.source)));
    const failedUpstream = settled.find(
      (s): s is PromiseRejectedResult => s.status === 'rejected' && !isCancellation(s.reason),
    );
    if (failedUpstream) {
      const cause = failedUpstream.reason;
      throw new UpstreamFailed(cause instanceof UpstreamFailed ? cause.nodeId : edges[settled.indexOf(failedUpstream)].source);
    }
    const cancelled = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (cancelled) throw cancelled.reason;
    return Object.fromEntries(
      edges.map((e, i) => [e.targetHandle, (settled[i] as PromiseFulfilledResult<Record<string, unknown>>).value[e.sourceHandle]]),
    );
  }

  async function runNode(node: GraphNode): Promise<Record<string, unknown>> {
    let inputs: Record<string, unknown>;
    try {
      inputs = await gatherInputs(node);
      if (nodesScope.consideredCancelled) throw new CancelledFailure('Run cancelled');
    } catch (err) {
      if (err instanceof UpstreamFailed) setNode(node.id, { status: 'failed', error: err.message, finishedAt: now() });
      else setNode(node.id, { status: 'cancelled', finishedAt: now() });
      throw err;
    }

    const definition = catalog.get(node.type)!;
    setNode(node.id, { status: 'running', startedAt: now(), attempts: 1 });
    try {
      let output: Record<string, unknown>;
      let attempts = 1;
      if (definition.execution.mode === 'inline') {
        output = definition.execution.run(node.params, inputs, { pipelineInputs: args.inputs });
      } else {
        const result = await callActivity(definition.execution, {
          runId: args.runId,
          nodeId: node.id,
          userId: args.userId,
          projectId: args.projectId,
          pipelineId: args.pipelineId,
          itemIndex: 0,
          params: node.params,
          inputs,
        });
        output = result.output;
        attempts = result.attempt;
      }
      setNode(node.id, { status: 'succeeded', output, attempts, finishedAt: now() });
      return output;
    } catch (err) {
      if (isCancellation(err)) {
        setNode(node.id, { status: 'cancelled', finishedAt: now() });
      } else {
        const message = failureMessage(err);
        setNode(node.id, { status: 'failed', error: message, finishedAt: now() });
        if (!firstFailure) {
          firstFailure = { nodeId: node.id, message };
          nodesScope.cancel();
        }
      }
      throw err;
    }
  }

  await nodesScope
    .run(() => Promise.allSettled(args.graph.nodes.map((n) => resultOf(n.id))))
    .catch(() => undefined);

  const failure = firstFailure as { nodeId: string; message: string } | null;
  const status: RunStatus = failure ? 'failed' : CancellationScope.current().consideredCancelled ? 'cancelled' : 'succeeded';
  state.status = status;
  state.error = failure ? `Node '${failure.nodeId}' failed: ${failure.message}` : null;
  state.outputs = status === 'succeeded' ? sinkOutputs(args.graph, state) : null;
  reporter.emit({ type: 'run.status', at: now(), status, error: state.error });
  await CancellationScope.nonCancellable(() => reporter.flushed());

  if (status === 'failed') throw ApplicationFailure.nonRetryable(state.error!, 'RunFailed');
  if (status === 'cancelled') throw new CancelledFailure('Run cancelled');
  return state;
}

function queuedNode(): NodeState {
  return { status: 'queued', attempts: 0, startedAt: null, finishedAt: null, output: null, error: null };
}

function callActivity(execution: ActivityExecution, input: ActivityInput): Promise<ActivityResult> {
  const { retry } = execution;
  const activities = proxyActivities<Activities>({
    startToCloseTimeout: execution.startToCloseMs,
    heartbeatTimeout: execution.heartbeatMs,
    retry: {
      maximumAttempts: retry.maximumAttempts,
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: retry.backoffCoefficient,
      maximumInterval: retry.maximumIntervalMs,
      nonRetryableErrorTypes: retry.nonRetryableErrorTypes,
    },
  });
  const activity = activities[execution.activity as keyof Activities] as (input: ActivityInput) => Promise<ActivityResult>;
  return activity(input);
}

/** The innermost message: "Activity task failed" wrappers say nothing to a user. */
function failureMessage(err: unknown): string {
  let current: unknown = err;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/** Outputs of the nodes nothing else consumes: what the run produced. */
function sinkOutputs(graph: Graph, state: RunState): Record<string, unknown> {
  const consumed = new Set(graph.edges.map((e) => e.source));
  return Object.fromEntries(graph.nodes.filter((n) => !consumed.has(n.id)).map((n) => [n.id, state.nodes[n.id].output]));
}

/**
 * Numbers events and hands them, batched, to the progress activity, one batch at a time and in order.
 * Reporting never gets cancelled: a cancelled run must still say so.
 */
function createReporter(runId: string, state: RunState) {
  let seq = 0;
  let pending: RunEvent[] = [];
  let chain: Promise<void> = Promise.resolve();

  const flushOnce = async () => {
    if (pending.length === 0) return;
    const events = pending;
    pending = [];
    const report: RunReport = { runId, events, outputs: state.outputs };
    await CancellationScope.nonCancellable(() => reportRunProgress(report));
  };

  return {
    emit(event: DistributiveOmit<RunEvent, 'seq'>) {
      pending.push({ ...event, seq: ++seq } as RunEvent);
      if (pending.length === 1) chain = chain.then(flushOnce);
    },
    flushed(): Promise<void> {
      chain = chain.then(flushOnce);
      return chain;
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
