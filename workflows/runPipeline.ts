import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ActivityFailure,
  condition,
  defineQuery,
  defineUpdate,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type {
  ActivityInput,
  ActivityResult,
  Activities,
  InlineStepInput,
  RunEnd,
  RunEndActivities,
  RunReport,
} from '../activities/contract';
// The pipeline language's modules one by one, not its index: a workflow's sandbox loads what it imports afresh for
// every run, and the index brings the API's schemas along (bench/overhead.ts: about 7 ms of CPU a run).
import { decisionProblem, rejectionMessage, type ApprovalDecision } from './pipeline/approval';
import { cacheKeysOf, cachePolicyOf } from './pipeline/cacheKey';
import { catalog, portsOf, type ActivityExecution } from './pipeline/catalog';
import { isListKind, planFlow } from './pipeline/flow';
import type { Graph, GraphNode, NodeState, RunEvent, RunInputs, RunState } from './pipeline/graph';
import {
  holdsValueRef,
  INLINE_STEP_EXECUTION,
  itemValueLimit,
  jsonBytes,
  kilobytes,
  MAX_IN_FLIGHT_INPUT_BYTES,
  MAX_INLINE_VALUE_BYTES,
  MAX_REPORT_BYTES,
  MAX_RESULT_BYTES,
  MAX_STEP_INPUT_BYTES,
  outputFits,
} from './pipeline/payloads';
import type { RunStatus } from './pipeline/statuses';
import { runEventOf, type WebhookDelivery } from './pipeline/webhooks';
import { announceRunEnd, startDeliveries } from './webhooks';

import type { RunPipelineArgs, SeededItems } from './pipeline/runArgs';

export type { RunPipelineArgs };

export const runStateQuery = defineQuery<RunState>('runState');

/** A person's decision on a waiting approval node; refused (before it is recorded) unless that node waits. */
export type ApprovalUpdateArgs = ApprovalDecision & { nodeId: string };
export const approvalDecisionUpdate = defineUpdate<{ nodeId: string; approved: boolean }, [ApprovalUpdateArgs]>('approvalDecision');

/** Patch: activities scheduled from here on are cancelled with WAIT_CANCELLATION_COMPLETED. */
const WAIT_FOR_CANCELLED_STEPS = 'wait-for-cancelled-steps';
/** Patch: a run's end is announced to its pipeline's webhooks. */
const WEBHOOKS = 'webhooks';
/** Patch: a re-run's seeded nodes succeed at once with the output an earlier run recorded. */
const SEEDED_NODES = 'seeded-nodes';
/** Patch: approval nodes wait for a decision (or their timeout). */
const APPROVAL = 'approval';
/** Patch: an activity node whose key matches an earlier success of the same user reuses its output; successes are kept. */
const OUTPUT_CACHE = 'output-cache';
/**
 * Patch: a fanned-out node whose item fails starts no more items but lets those in flight finish, and keeps what
 * succeeded as its output (null in the failed or unstarted items' places); a re-run's seeded items are not run again.
 */
const FAN_OUT_ITEMS = 'fan-out-items';
/**
 * Patch: a run's reports begin once it has work in flight (what happens before is one report), its last report
 * also plans its webhook deliveries (one local activity, not two), and every patch above is taken as given: a new
 * run records this one marker, not one per feature. (Each marker also updates the run's search attributes.) Runs
 * started with `lean: true` (every start since) take it from their arguments and record no marker at all.
 */
const LEAN_RUNS = 'lean-runs';

/** Which of the patches above a run takes: all of them from LEAN_RUNS on; for runs recorded before it, each as recorded. */
type Patches = (patch: string) => boolean;

const { reportRunProgress, reportRunEnd } = proxyLocalActivities<Activities & RunEndActivities>({
  // Never cut short: reports run in a non-cancellable scope, and would be waited for if one ever weren't.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
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
  setHandler(runStateQuery, () => withinResultLimit(state));
  const lean = args.lean === true || patched(LEAN_RUNS);
  const has: Patches = (patch) => lean || patched(patch);

  const reporter = createReporter(args.runId, state, lean);
  reporter.emit({ type: 'run.status', at: now(), status: 'running' });

  const byId = new Map(args.graph.nodes.map((n) => [n.id, n]));
  const plan = planFlow(args.graph);
  const incoming = new Map<string, Graph['edges']>(args.graph.nodes.map((n) => [n.id, []]));
  for (const edge of args.graph.edges) incoming.get(edge.target)!.push(edge);

  const results = new Map<string, Promise<Record<string, unknown>>>();
  let firstFailure: { nodeId: string; message: string } | null = null;
  const nodesScope = new CancellationScope();
  const withinInputBudget = createInputBudget(MAX_IN_FLIGHT_INPUT_BYTES);
  const outputCache = has(OUTPUT_CACHE) ? createOutputCache(args) : null;

  const setNode = (nodeId: string, patch: Partial<NodeState>) => {
    const next = { ...state.nodes[nodeId], ...patch };
    state.nodes[nodeId] = next;
    reporter.emit({ type: 'node.status', at: now(), nodeId, state: next });
  };

  const decisions = new Map<string, ApprovalDecision>();
  setHandler(
    approvalDecisionUpdate,
    ({ nodeId, ...decision }) => {
      decisions.set(nodeId, decision);
      return { nodeId, approved: decision.approve };
    },
    {
      validator: ({ nodeId, ...decision }) => {
        const node = byId.get(nodeId);
        if (node?.type !== 'approval') throw new Error(`Node '${nodeId}' is not an approval step`);
        const current = state.nodes[nodeId];
        if (current.status !== 'waiting' || decisions.has(nodeId))
          throw new Error(`Node '${nodeId}' is not waiting (it is ${current.status})`);
        const problem = decisionProblem(current.output?.out, decision);
        if (problem) throw new Error(problem);
      },
    },
  );

  /** Waits for the approval node's decision (or its timeout's); resolves with what flows on, throws when rejected. */
  async function awaitApproval(node: GraphNode, pending: unknown): Promise<Record<string, unknown>> {
    if (!has(APPROVAL)) throw ApplicationFailure.nonRetryable('Approval steps need a newer worker', 'InvalidInput');
    setNode(node.id, { status: 'waiting', startedAt: now(), attempts: 1, output: { out: pending } });
    const { timeoutMinutes, onTimeout } = node.params as { timeoutMinutes?: number; onTimeout: 'approve' | 'reject' };
    const decided =
      timeoutMinutes === undefined
        ? await condition(() => decisions.has(node.id)).then(() => true)
        : await condition(() => decisions.has(node.id), Math.round(timeoutMinutes * 60_000));
    const decision = decided ? decisions.get(node.id)! : { approve: onTimeout === 'approve' };
    if (!decision.approve)
      throw ApplicationFailure.nonRetryable(rejectionMessage(decided ? 'person' : 'timeout', decision.comment), 'Rejected');
    return { out: decision.value === undefined ? pending : decision.value };
  }

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
    const failedUpstream = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !isCancellation(s.reason));
    if (failedUpstream) {
      const cause = failedUpstream.reason;
      throw new UpstreamFailed(cause instanceof UpstreamFailed ? cause.nodeId : edges[settled.indexOf(failedUpstream)].source);
    }
    const cancelled = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (cancelled) throw cancelled.reason;
    const listPorts = new Set(
      portsOf(node)
        .inputs.filter((p) => isListKind(p.kind))
        .map((p) => p.handle),
    );
    return Object.fromEntries(
      edges.map((e, i) => {
        const value = (settled[i] as PromiseFulfilledResult<Record<string, unknown>>).value[e.sourceHandle];
        // A single item into a list port arrives as a list of one.
        return [e.targetHandle, listPorts.has(e.targetHandle) && !Array.isArray(value) ? [value] : value];
      }),
    );
  }

  async function runNode(node: GraphNode): Promise<Record<string, unknown>> {
    const seed = args.seeded?.[node.id];
    if (seed && has(SEEDED_NODES)) {
      const at = now();
      const { output, fromRunId, savedUsd } = seed;
      setNode(node.id, { status: 'succeeded', output, startedAt: at, finishedAt: at, cached: { fromRunId, savedUsd } });
      return output;
    }
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
    if (definition.execution.mode === 'approval') {
      try {
        const output = await awaitApproval(node, inputs.in);
        setNode(node.id, { status: 'succeeded', output, finishedAt: now() });
        return output;
      } catch (err) {
        // Nothing flowed on: what waited for the decision is no output of a rejected (or cancelled) step.
        state.nodes[node.id] = { ...state.nodes[node.id], output: null };
        throw failNode(node.id, err);
      }
    }
    const { execution } = definition;
    const cacheable = definition.execution.mode === 'activity' ? outputCache?.of(node) : undefined;
    // Without a cache to ask, not even an await: runs recorded before the cache replay the same steps in the same order.
    if (cacheable) reporter.begin();
    const hit = cacheable ? await cacheable.lookup() : null;
    if (hit) {
      const at = now();
      const cached = { fromRunId: hit.fromRunId, savedUsd: hit.savedUsd };
      setNode(node.id, { status: 'succeeded', output: hit.output, startedAt: at, finishedAt: at, cached });
      return hit.output;
    }
    const fanned = plan.fanOut.get(node.id);
    const running: Partial<NodeState> = { status: 'running', startedAt: now(), attempts: 1 };
    // An inline node finishes in the same instant it starts: one event (succeeded) says it all.
    if (execution.mode === 'activity' || fanned) setNode(node.id, running);
    else state.nodes[node.id] = { ...state.nodes[node.id], ...running };
    let runningReported = execution.mode === 'activity' || !!fanned;
    try {
      const runOnce = async (itemInputs: Record<string, unknown>, itemIndex: number, outputLimitBytes: number) => {
        const activityInput: ActivityInput = {
          runId: args.runId,
          nodeId: node.id,
          userId: args.userId,
          projectId: args.projectId,
          pipelineId: args.pipelineId,
          itemIndex,
          params: node.params,
          inputs: itemInputs,
          outputLimitBytes,
        };
        if (execution.mode === 'activity') return callActivity(execution, activityInput, withinInputBudget, has);
        if (!holdsValueRef(itemInputs)) {
          const output = execution.run(node.params, itemInputs, { pipelineInputs: args.inputs });
          if (outputFits(output, outputLimitBytes)) return { output, attempt: 1 };
        }
        // Too big for the workflow: the same step runs in an activity, which reads and stores artifacts.
        if (!runningReported) {
          runningReported = true;
          setNode(node.id, {});
        }
        const inlineInput: InlineStepInput = { ...activityInput, nodeType: node.type, pipelineInputs: pipelineInputsOf(node, args.inputs) };
        return callActivity(INLINE_STEP_EXECUTION, inlineInput, withinInputBudget, has);
      };
      const { output, attempts } = fanned
        ? await runPerItem(
            fanned,
            inputs,
            runOnce,
            (done, total) => setNode(node.id, { progress: { fraction: total ? done / total : 1, message: `${done} of ${total}` } }),
            has(FAN_OUT_ITEMS)
              ? {
                  seeded: args.seededItems?.[node.id],
                  keepPartial: (partial) => (state.nodes[node.id] = { ...state.nodes[node.id], output: partial }),
                }
              : undefined,
          )
        : await runOnce(inputs, 0, MAX_INLINE_VALUE_BYTES).then((r) => ({ output: r.output, attempts: r.attempt }));
      setNode(node.id, { status: 'succeeded', output, attempts, finishedAt: now() });
      if (cacheable) await cacheable.keep(output);
      return output;
    } catch (err) {
      throw failNode(node.id, err);
    }
  }

  /** Records how a node ended when it threw (cancelled, or failed: then the rest is cancelled); gives the error back. */
  function failNode(nodeId: string, err: unknown): unknown {
    if (isCancellation(err)) {
      setNode(nodeId, { status: 'cancelled', finishedAt: now() });
    } else {
      const message = failureMessage(err);
      setNode(nodeId, { status: 'failed', error: message, finishedAt: now() });
      if (!firstFailure) {
        firstFailure = { nodeId, message };
        nodesScope.cancel();
      }
    }
    return err;
  }

  await nodesScope.run(() => Promise.allSettled(args.graph.nodes.map((n) => resultOf(n.id)))).catch(() => undefined);

  const failure = firstFailure as { nodeId: string; message: string } | null;
  const status: RunStatus = failure ? 'failed' : CancellationScope.current().consideredCancelled ? 'cancelled' : 'succeeded';
  state.status = status;
  state.error = failure ? `Node '${failure.nodeId}' failed: ${failure.message}` : null;
  state.outputs = status === 'succeeded' ? sinkOutputs(args.graph, state) : null;
  reporter.emit({ type: 'run.status', at: now(), status, error: state.error });
  const end = { runId: args.runId, pipelineId: args.pipelineId, event: runEventOf(status) };
  const deliveries = await CancellationScope.nonCancellable(() => reporter.flushed(lean ? end : undefined));
  // Once the outcome is stored: each delivery is a workflow of its own, which this run does not wait for.
  if (lean) {
    await CancellationScope.nonCancellable(() => startDeliveries(end, deliveries));
  } else if (patched(WEBHOOKS)) {
    await CancellationScope.nonCancellable(() =>
      announceRunEnd({ runId: args.runId, pipelineId: args.pipelineId, event: runEventOf(status) }),
    );
  }

  if (status === 'failed') throw ApplicationFailure.nonRetryable(state.error!, 'RunFailed');
  if (status === 'cancelled') throw new CancelledFailure('Run cancelled');
  return withinResultLimit(state);
}

const cacheActivities = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', maximumInterval: '5s', maximumAttempts: 3 },
});

/**
 * The output cache as a run sees it: each node's key (computed here, from the graph and inputs), and for a node whose
 * policy allows it a lookup before its activity and a save after it succeeds. A cache that fails to answer is a miss,
 * and one that fails to keep an output costs nothing but the reuse: neither ever fails the node.
 */
function createOutputCache(args: RunPipelineArgs) {
  const keys = cacheKeysOf(args.graph, args.inputs);
  return {
    of(node: GraphNode) {
      const policy = cachePolicyOf(node);
      if (!policy) return undefined;
      const key = keys.get(node.id)!;
      return {
        lookup: async () =>
          args.cache === 'fresh'
            ? null
            : cacheActivities.lookupCache({ userId: args.userId, key, ...policy }).catch((err: unknown) => {
                if (isCancellation(err)) throw err;
                return null;
              }),
        keep: (output: Record<string, unknown>) =>
          CancellationScope.nonCancellable(() =>
            cacheActivities
              .saveCacheEntry({
                userId: args.userId,
                key,
                runId: args.runId,
                pipelineId: args.pipelineId,
                nodeId: node.id,
                nodeType: node.type,
                output,
              })
              .catch(() => undefined),
          ),
      };
    },
  };
}

/** The pipeline inputs an inline step reads when it runs as an activity: an input node its own, others none. */
function pipelineInputsOf(node: GraphNode, inputs: RunInputs): RunInputs {
  const name = String(node.params.name);
  return node.type === 'input' && Object.hasOwn(inputs, name) ? { [name]: inputs[name] } : {};
}

/**
 * The state, or (when it is too big to travel as the result or a query answer) the state without node outputs:
 * those are in the database, reported as they happened.
 */
function withinResultLimit(state: RunState): RunState {
  if (jsonBytes(state) <= MAX_RESULT_BYTES) return state;
  const nodes = Object.fromEntries(Object.entries(state.nodes).map(([id, node]) => [id, { ...node, output: null }]));
  return { ...state, nodes, outputs: null };
}

/** How many items of a fanned-out node run at once: enough to overlap waits, few enough to spare a laptop. */
const FAN_OUT_CONCURRENCY = 4;

/** How a fan-out keeps its items (patch FAN_OUT_ITEMS): what a re-run seeds, and where what succeeded goes when an item fails. */
interface ItemKeeping {
  /** Per item, the output an earlier run recorded (not run again), or null: run it. Ignored unless one per item. */
  seeded: SeededItems | undefined;
  keepPartial: (partial: Record<string, unknown[]>) => void;
}

/**
 * Runs a node once per item of the lists on its fanned-out inputs (zipped; other inputs are shared),
 * at most FAN_OUT_CONCURRENCY at a time, and gathers each output handle into a list in item order.
 * With `keeping`, a failed item starts no more, the items in flight finish, and what succeeded is kept before it throws.
 */
async function runPerItem(
  fanned: string[],
  inputs: Record<string, unknown>,
  runOnce: (inputs: Record<string, unknown>, itemIndex: number, outputLimitBytes: number) => Promise<ActivityResult>,
  onProgress: (done: number, total: number) => void,
  keeping?: ItemKeeping,
): Promise<{ output: Record<string, unknown>; attempts: number }> {
  const lists = fanned.map((handle) => {
    const value = inputs[handle];
    if (!Array.isArray(value))
      throw ApplicationFailure.nonRetryable(`Input '${handle}' should be a list but is ${typeof value}`, 'InvalidInput');
    return value as unknown[];
  });
  const total = lists[0].length;
  if (lists.some((l) => l.length !== total)) {
    throw ApplicationFailure.nonRetryable(
      `Lists on ${fanned.map((h) => `'${h}'`).join(', ')} have different lengths (${lists.map((l) => l.length).join(' vs ')})`,
      'InvalidInput',
    );
  }
  // The items share the value limit, so the lists their outputs are gathered into stay small as well.
  const outputLimitBytes = itemValueLimit(total);
  const results: (ActivityResult | undefined)[] = Array.from({ length: total });
  const seeded = keeping?.seeded?.length === total ? keeping.seeded : [];
  seeded.forEach((output, index) => (results[index] = output ? { output, attempt: 0 } : undefined));
  const toRun = results.flatMap((r, index) => (r ? [] : [index]));
  const gathered = () => {
    const handles = new Set(results.flatMap((r) => Object.keys(r?.output ?? {})));
    return Object.fromEntries([...handles].map((h) => [h, results.map((r) => r?.output[h] ?? null)]));
  };
  let next = 0;
  let done = total - toRun.length;
  let failure: { error: unknown } | null = null;
  onProgress(done, total);
  const lane = async () => {
    while (next < toRun.length && !failure) {
      const index = toRun[next++];
      const itemInputs = { ...inputs };
      fanned.forEach((handle, i) => (itemInputs[handle] = lists[i][index]));
      if (!keeping) {
        results[index] = await runOnce(itemInputs, index, outputLimitBytes);
      } else {
        try {
          results[index] = await runOnce(itemInputs, index, outputLimitBytes);
        } catch (error) {
          failure ??= { error };
          return;
        }
      }
      onProgress(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(FAN_OUT_CONCURRENCY, toRun.length) }, lane));
  if (failure) {
    keeping!.keepPartial(gathered());
    throw (failure as { error: unknown }).error;
  }
  return { output: gathered(), attempts: Math.max(1, ...results.map((r) => r!.attempt)) };
}

function queuedNode(): NodeState {
  return { status: 'queued', attempts: 0, startedAt: null, finishedAt: null, output: null, error: null };
}

/**
 * Starts the node's activity, unless its input is too big for a Temporal payload: then the node fails at once
 * (a payload Temporal refuses would fail the workflow task over and over, and the run would never end).
 */
async function callActivity<I extends ActivityInput>(
  execution: ActivityExecution,
  input: I,
  withinInputBudget: InputBudget,
  has: Patches,
): Promise<ActivityResult> {
  const bytes = jsonBytes(input);
  if (bytes > MAX_STEP_INPUT_BYTES) {
    throw ApplicationFailure.nonRetryable(
      `Its inputs are too big to hand to a step: ${kilobytes(bytes)} together, at most ${kilobytes(MAX_STEP_INPUT_BYTES)}. ` +
        `A value over ${kilobytes(MAX_INLINE_VALUE_BYTES)} travels as an artifact, but this many large values can't travel together.`,
      'InputTooLarge',
    );
  }
  const { retry } = execution;
  const activities = proxyActivities<Activities>({
    // A cancelled node ends only once its step has stopped (the model halted, nothing left writing), so the run
    // says 'cancelled' only then. Runs recorded before this choice replay with the SDK's default, TRY_CANCEL.
    cancellationType: has(WAIT_FOR_CANCELLED_STEPS)
      ? ActivityCancellationType.WAIT_CANCELLATION_COMPLETED
      : ActivityCancellationType.TRY_CANCEL,
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
  const activity = activities[execution.activity as keyof Activities] as (input: I) => Promise<ActivityResult>;
  return withinInputBudget(bytes, () => activity(input));
}

type InputBudget = <T>(bytes: number, work: () => Promise<T>) => Promise<T>;

/**
 * Holds the inputs of the activities in flight under `limit` bytes together (one alone may take it all), so
 * that no workflow task schedules more than Temporal accepts in one go. Deterministic: the waiting ones go in
 * the order they asked, when an activity finishes.
 */
function createInputBudget(limit: number): InputBudget {
  let used = 0;
  const take = (bytes: number) => {
    if (used > 0 && used + bytes > limit) return false;
    used += bytes;
    return true;
  };
  return async (bytes, work) => {
    // The condition takes the bytes itself: several waiters unblocked in one pass can't overcommit.
    if (!take(bytes)) await condition(() => take(bytes));
    try {
      return await work();
    } finally {
      used -= bytes;
    }
  };
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
 * Numbers events and hands them in order to the progress activity, one batch per workflow activation:
 * the batch is taken when `condition` finds events pending, which Temporal evaluates at points fixed by
 * the activation's jobs, so a replay forms exactly the same batches (and so the same number of local
 * activities). Batching by "whatever piled up while the last report was in flight" would not: that depends
 * on timing, and a replay would then diverge. Reporting is never cancelled: a cancelled run must say so.
 *
 * `lean` runs hold their first report until a node has work in flight (`begin`, or a node running or waiting):
 * what came before happened in the same instant. Their last report, given the run's end, also plans its webhook
 * deliveries (`flushed` answers them).
 */
function createReporter(runId: string, state: RunState, lean: boolean) {
  let seq = 0;
  let pending: RunEvent[] = [];
  let chain: Promise<void> = Promise.resolve();
  let closing = false;
  let begun = !lean;
  let end: RunEnd | undefined;
  let deliveries: WebhookDelivery[] = [];

  const batches = CancellationScope.nonCancellable(async () => {
    for (;;) {
      await condition(() => (pending.length > 0 && begun) || closing);
      if (pending.length === 0) return;
      const events = pending;
      pending = [];
      const reports = batchesOf(events, MAX_REPORT_BYTES);
      for (const [i, batch] of reports.entries()) {
        const ends = batch.some((e) => e.type === 'run.status' && e.status !== 'running');
        const report: RunReport = { runId, events: batch, outputs: ends ? state.outputs : null };
        const runEnd = closing && i === reports.length - 1 ? end : undefined;
        chain = chain.then(async () => {
          if (runEnd) deliveries = await reportRunEnd({ report, end: runEnd });
          else await reportRunProgress(report);
        });
      }
    }
  });

  return {
    emit(event: DistributiveOmit<RunEvent, 'seq'>) {
      pending.push({ ...event, seq: ++seq } as RunEvent);
      if (event.type === 'node.status' && (event.state.status === 'running' || event.state.status === 'waiting')) begun = true;
    },
    /** Reports from now on (the run has started work that takes a while). */
    begin() {
      begun = true;
    },
    /**
     * Reports what is pending and resolves once every report is stored; given the run's `end` (lean runs), with the
     * deliveries its webhooks are due.
     */
    async flushed(runEnd?: RunEnd): Promise<WebhookDelivery[]> {
      end = runEnd;
      closing = true;
      await batches;
      await chain;
      return deliveries;
    },
  };
}

/** Consecutive batches of at most `limit` bytes of JSON each (an item bigger than that alone in its batch). */
function batchesOf<T>(items: T[], limit: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = jsonBytes(item);
    if (current.length > 0 && size + bytes > limit) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
