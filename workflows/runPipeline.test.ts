import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities, ActivityInput, RunReport, WebhookActivities } from '../activities/contract';
import { createRunEndActivities } from '../activities/runEnd';
import { HEARTBEAT_THROTTLE, workflowBundle } from '../infra/worker';
import { startTestTemporal } from '../test/support/temporal';
import { validateGraph, type Graph, type RunEvent, type RunState } from './pipeline';
import { runPipeline, runStateQuery, type RunPipelineArgs } from './runPipeline';

const TASK_QUEUE = 'workflow-tests';
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

/** Test activities: what each node did is recorded here; behaviour is steered by the node's params. */
const calls: { nodeId: string; attempt: number; start: number; end?: number; itemIndex?: number; file?: unknown }[] = [];
const reports: RunReport[] = [];
const failUntilAttempt = new Map<string, number>();

const sleepOrCancel = (ms: number) => Context.current().sleep(ms);

/** Deliveries held until the test lets them go, by message id. */
const heldDeliveries = new Map<string, () => void>();
const WITH_WEBHOOK = 'pipeline-with-a-webhook';

const activities: Pick<Activities, 'reportRunProgress' | 'delay' | 'upload'> & WebhookActivities = {
  async reportRunProgress(report) {
    reports.push(report);
  },
  async planWebhookDeliveries({ runId, pipelineId, event }) {
    if (pipelineId !== WITH_WEBHOOK) return [];
    return [{ webhookId: 'w1', messageId: `msg_${runId}`, event, runId, occurredAt: new Date().toISOString(), firstRetryMs: 1000 }];
  },
  async sendWebhook(delivery) {
    await new Promise<void>((release) => heldDeliveries.set(delivery.messageId, release));
    return { statusCode: 204, responseMs: 1 };
  },
  async delay(input: ActivityInput) {
    const call = { nodeId: input.nodeId, attempt: Context.current().info.attempt, start: Date.now() } as (typeof calls)[number];
    calls.push(call);
    const ms = Number(input.params.ms);
    const started = Date.now();
    try {
      while (Date.now() - started < ms) {
        await sleepOrCancel(Math.min(100, ms - (Date.now() - started)));
        Context.current().heartbeat();
      }
    } catch (err) {
      // A step that takes a while to stop once cancelled (a model finishing its token, a file being closed).
      if (input.nodeId.startsWith('stubborn')) await new Promise((r) => setTimeout(r, 700));
      call.end = Date.now();
      throw err;
    }
    call.end = Date.now();
    return { output: { out: input.inputs.in }, attempt: call.attempt };
  },
  async upload(input: ActivityInput) {
    const attempt = Context.current().info.attempt;
    const call = {
      nodeId: input.nodeId,
      attempt,
      start: Date.now(),
      itemIndex: input.itemIndex,
      file: input.inputs.file,
    } as (typeof calls)[number];
    calls.push(call);
    if (String(input.params.key).startsWith('slow/')) await sleepOrCancel(300);
    call.end = Date.now();
    const failures = failUntilAttempt.get(`${input.runId}/${input.nodeId}`) ?? 0;
    if (input.inputs.file === 'Scene: refused') throw ApplicationFailure.nonRetryable('Destination refused this file', 'InvalidInput');
    if (failures === Infinity) throw ApplicationFailure.nonRetryable('Destination refused the file', 'InvalidInput');
    if (attempt <= failures) throw new Error(`flaky storage (attempt ${attempt})`);
    return { output: { media: { id: 'm1', url: '/api/media/m1/content', mimeType: 'text/plain', size: 1 } }, attempt };
  },
};

beforeAll(async () => {
  env = await startTestTemporal();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: { ...activities, ...createRunEndActivities(activities, activities) },
    ...HEARTBEAT_THROTTLE,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

function graphOf(raw: unknown): Graph {
  const result = validateGraph(raw);
  if (!result.graph) throw new Error(JSON.stringify(result.problems));
  return result.graph;
}

const startedWorkflows: string[] = [];

function start(raw: unknown, inputs: Record<string, unknown> = {}, failures?: Record<string, number>, pipelineId = 'pl') {
  const runId = randomUUID();
  startedWorkflows.push(`run-${runId}`);
  for (const [nodeId, count] of Object.entries(failures ?? {})) failUntilAttempt.set(`${runId}/${nodeId}`, count);
  const args: RunPipelineArgs = { runId, userId: 'u', projectId: 'p', pipelineId, graph: graphOf(raw), inputs };
  return env.client.workflow.start(runPipeline, { taskQueue: TASK_QUEUE, workflowId: `run-${runId}`, args: [args] });
}

const callsOf = (nodeId: string) => calls.filter((c) => c.nodeId === nodeId);
const eventsOf = (workflowId: string) => reports.filter((r) => `run-${r.runId}` === workflowId).flatMap((r) => r.events);

const delayNode = (id: string, ms: number) => ({ id, type: 'delay', params: { ms } });
const edge = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({
  source,
  sourceHandle,
  target,
  targetHandle,
});

describe('runPipeline', () => {
  it('runs independent branches in parallel and joins them', async () => {
    const handle = await start(
      {
        nodes: [
          { id: 'topic', type: 'input', params: { name: 'topic' } },
          delayNode('left', 1500),
          delayNode('right', 1500),
          { id: 'join', type: 'template', params: { template: '{{a}} & {{b}}' } },
        ],
        edges: [
          edge('topic', 'value', 'left', 'in'),
          edge('topic', 'value', 'right', 'in'),
          edge('left', 'out', 'join', 'a'),
          edge('right', 'out', 'join', 'b'),
        ],
      },
      { topic: 'otters' },
    );
    const state: RunState = await handle.result();
    expect(state.status).toBe('succeeded');
    expect(state.nodes.join.output).toEqual({ text: 'otters & otters' });
    const [left] = callsOf('left');
    const [right] = callsOf('right');
    expect(left.start < right.end! && right.start < left.end!).toBe(true);
    expect(state.outputs).toEqual({ join: { text: 'otters & otters' } });
  });

  it('runs a node once per list item (fan-out) and joins the results in order', async () => {
    const handle = await start(
      {
        nodes: [
          { id: 'story', type: 'input', params: { name: 'story' } },
          { id: 'scenes', type: 'split', params: { by: 'paragraphs' } },
          { id: 'caption', type: 'template', params: { template: 'Scene: {{scene}}' } },
          { id: 'publish', type: 'upload', params: {} },
          { id: 'all', type: 'join', params: { separator: ' | ' } },
        ],
        edges: [
          edge('story', 'value', 'scenes', 'text'),
          edge('scenes', 'items', 'caption', 'scene'),
          edge('caption', 'text', 'publish', 'file'),
          edge('caption', 'text', 'all', 'items'),
        ],
      },
      { story: 'dawn\n\nnoon\n\ndusk' },
    );
    const state: RunState = await handle.result();
    expect(state.status).toBe('succeeded');
    expect(state.nodes.caption.output).toEqual({ text: ['Scene: dawn', 'Scene: noon', 'Scene: dusk'] });
    expect(state.nodes.all.output).toEqual({ text: 'Scene: dawn | Scene: noon | Scene: dusk' });
    const uploads = callsOf('publish').sort((a, b) => a.itemIndex! - b.itemIndex!);
    expect(uploads.map((c) => [c.itemIndex, c.file])).toEqual([
      [0, 'Scene: dawn'],
      [1, 'Scene: noon'],
      [2, 'Scene: dusk'],
    ]);
    expect((state.nodes.publish.output!.media as unknown[]).length).toBe(3);
    expect(state.nodes.publish.progress).toEqual({ fraction: 1, message: '3 of 3' });
  });

  it('lets the items in flight finish when one fails, keeps what they made, and runs only the items not seeded', async () => {
    const fanOut = {
      nodes: [
        { id: 'story', type: 'input', params: { name: 'story' } },
        { id: 'scenes', type: 'split', params: { by: 'paragraphs' } },
        { id: 'caption', type: 'template', params: { template: 'Scene: {{scene}}' } },
        { id: 'keep', type: 'upload', params: { key: 'slow/scene' } },
      ],
      edges: [
        edge('story', 'value', 'scenes', 'text'),
        edge('scenes', 'items', 'caption', 'scene'),
        edge('caption', 'text', 'keep', 'file'),
      ],
    };
    const failing = await start(fanOut, { story: 'dawn\n\nrefused\n\ndusk' });
    await expect(failing.result()).rejects.toThrow();
    const kept = eventsOf(failing.workflowId).findLast((e) => e.type === 'node.status' && e.nodeId === 'keep');
    const media = { id: 'm1', url: '/api/media/m1/content', mimeType: 'text/plain', size: 1 };
    expect(kept).toMatchObject({ state: { status: 'failed', output: { media: [media, null, media] } } });

    const runId = randomUUID();
    startedWorkflows.push(`run-${runId}`);
    const retry = await env.client.workflow.start(runPipeline, {
      taskQueue: TASK_QUEUE,
      workflowId: `run-${runId}`,
      args: [
        {
          runId,
          userId: 'u',
          projectId: 'p',
          pipelineId: 'pl',
          graph: graphOf(fanOut),
          inputs: { story: 'dawn\n\nnoon\n\ndusk' },
          seededItems: { keep: [{ media: 'first' }, null, { media: 'third' }] },
        },
      ],
    });
    const state: RunState = await retry.result();
    expect(state.nodes.keep.output).toEqual({ media: ['first', media, 'third'] });
    expect(calls.filter((c) => c.nodeId === 'keep' && c.file === 'Scene: noon').length).toBe(1);
    expect(calls.filter((c) => c.nodeId === 'keep' && (c.file === 'Scene: dawn' || c.file === 'Scene: dusk')).length).toBe(2);
  });

  it('retries a failing activity and then succeeds, counting attempts', async () => {
    const handle = await start(
      {
        nodes: [
          { id: 'text', type: 'input', params: { name: 'text' } },
          { id: 'pub', type: 'upload', params: {} },
        ],
        edges: [edge('text', 'value', 'pub', 'file')],
      },
      { text: 'hello' },
      { pub: 1 },
    );
    const state: RunState = await handle.result();
    expect(state.status).toBe('succeeded');
    expect(state.nodes.pub.attempts).toBe(2);
  });

  it('fails the run, fails dependents and cancels running siblings when a node fails', async () => {
    const handle = await start(
      {
        nodes: [
          { id: 'text', type: 'input', params: { name: 'text' } },
          { id: 'pub', type: 'upload', params: {} },
          { id: 'after', type: 'template', params: { template: '{{m}}' } },
          delayNode('slow', 20_000),
        ],
        edges: [edge('text', 'value', 'pub', 'file'), edge('pub', 'media', 'after', 'm'), edge('text', 'value', 'slow', 'in')],
      },
      { text: 'hello' },
      { pub: Infinity },
    );
    const error = await handle.result().catch((e) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const state = await handle.query(runStateQuery);
    expect(state.status).toBe('failed');
    expect(state.error).toBe("Node 'pub' failed: Destination refused the file");
    expect(state.nodes.pub).toMatchObject({ status: 'failed', error: 'Destination refused the file' });
    expect(state.nodes.after).toMatchObject({ status: 'failed', error: "Upstream node 'pub' failed" });
    expect(state.nodes.slow.status).toBe('cancelled');
    const final = eventsOf(handle.workflowId).at(-1) as Extract<RunEvent, { type: 'run.status' }>;
    expect(final).toMatchObject({ type: 'run.status', status: 'failed' });
  });

  it('cancels a running run: running nodes and queued dependents end cancelled, and it is reported', async () => {
    const handle = await start(
      {
        nodes: [
          { id: 'text', type: 'input', params: { name: 'text' } },
          delayNode('wait', 30_000),
          { id: 'pub', type: 'upload', params: {} },
        ],
        edges: [edge('text', 'value', 'wait', 'in'), edge('wait', 'out', 'pub', 'file')],
      },
      { text: 'hello' },
    );
    await waitFor(async () => (await handle.query(runStateQuery)).nodes.wait.status === 'running');
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const state = await handle.query(runStateQuery);
    expect(state.status).toBe('cancelled');
    expect(state.nodes.wait.status).toBe('cancelled');
    expect(state.nodes.pub.status).toBe('cancelled');
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(eventsOf(handle.workflowId).at(-1)).toMatchObject({ type: 'run.status', status: 'cancelled' });
  });

  it('ends a cancelled run only once its running step has stopped', async () => {
    const handle = await start(
      {
        nodes: [{ id: 'text', type: 'input', params: { name: 'text' } }, delayNode('stubborn', 30_000)],
        edges: [edge('text', 'value', 'stubborn', 'in')],
      },
      { text: 'hello' },
    );
    await waitFor(async () => (await handle.query(runStateQuery)).nodes.stubborn.status === 'running');
    const cancelAt = Date.now();
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const [step] = callsOf('stubborn');
    expect(step.end).toBeGreaterThanOrEqual(cancelAt + 700);
    expect((await handle.query(runStateQuery)).nodes.stubborn.status).toBe('cancelled');
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });

  it('numbers its events 1..n without gaps, in order', async () => {
    const handle = await start({
      nodes: [{ id: 'a', type: 'input', params: { name: 'a', default: 'x' } }, delayNode('d', 10)],
      edges: [edge('a', 'value', 'd', 'in')],
    });
    await handle.result();
    const seqs = eventsOf(handle.workflowId).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('cuts the events of progress reports into batches of at most 256 KB and leaves node outputs out of a result that would be bigger', async () => {
    const copies = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const handle = await start(
      {
        nodes: [
          { id: 'text', type: 'input', params: { name: 'text' } },
          ...copies.map((id) => ({ id, type: 'template', params: { template: '{{t}}' } })),
        ],
        edges: copies.map((id) => edge('text', 'value', id, 't')),
      },
      { text: 'x'.repeat(60 * 1024) },
    );
    const state: RunState = await handle.result();
    expect(state.status).toBe('succeeded');
    // Seven outputs of 60 KB (420 KB) would not fit: the result says how the run went, the database has the outputs.
    expect(state.outputs).toBeNull();
    expect(Object.values(state.nodes).map((n) => [n.status, n.output])).toEqual(Array(7).fill(['succeeded', null]));
    expect(JSON.stringify(state).length).toBeLessThan(256 * 1024);
    const mine = reports.filter((r) => `run-${r.runId}` === handle.workflowId);
    expect(mine.length).toBeGreaterThan(1); // 420 KB of events: two reports at least
    expect(mine.every((r) => JSON.stringify(r.events).length <= 256 * 1024)).toBe(true);
    const succeeded = mine.flatMap((r) => r.events).filter((e) => e.type === 'node.status' && e.state.status === 'succeeded');
    expect(succeeded).toHaveLength(7);
    expect(
      succeeded.every((e) => e.type === 'node.status' && (e.state.output!.value ?? e.state.output!.text) === 'x'.repeat(60 * 1024)),
    ).toBe(true);
    const seqs = mine.flatMap((r) => r.events.map((e) => e.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(mine.at(-1)!.outputs).toEqual(Object.fromEntries(copies.map((id) => [id, { text: 'x'.repeat(60 * 1024) }])));
  });

  it('keeps at most 2 MB of activity inputs in flight, and still runs every node', async () => {
    const waits = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const handle = await start(
      {
        nodes: [
          { id: 'text', type: 'input', params: { name: 'text' } },
          ...waits.map((id) => ({ id, type: 'upload', params: { key: 'slow/{{node}}' } })),
        ],
        edges: waits.map((id) => edge('text', 'value', id, 'file')),
      },
      { text: 'x'.repeat(60 * 1024) },
    );
    const state: RunState = await handle.result();
    expect(state.status).toBe('succeeded');
    // 40 inputs of 60 KB (2.4 MB) are not all scheduled at once: at most 2 MB of them are in flight.
    expect(waits.every((id) => callsOf(id).length === 1)).toBe(true);
    let inFlight = 0;
    let mostInFlight = 0;
    for (const event of (await handle.fetchHistory()).events ?? []) {
      if (event.activityTaskScheduledEventAttributes) mostInFlight = Math.max(mostInFlight, ++inFlight);
      if (event.activityTaskCompletedEventAttributes) inFlight--;
    }
    expect(mostInFlight).toBe(34);
  }, 120_000);

  it('ends a run at once, its webhook delivery started as a workflow of its own that outlives it', async () => {
    const handle = await start(
      { nodes: [{ id: 'topic', type: 'input', params: { name: 'topic' } }], edges: [] },
      { topic: 'hooks' },
      undefined,
      WITH_WEBHOOK,
    );
    const messageId = `msg_${handle.workflowId.slice('run-'.length)}`;
    expect((await handle.result()).status).toBe('succeeded'); // while its delivery is held
    await waitFor(async () => heldDeliveries.has(messageId));
    const delivery = env.client.workflow.getHandle(`webhook-${messageId}`);
    expect((await delivery.describe()).status.name).toBe('RUNNING');
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    heldDeliveries.get(messageId)!();
    await delivery.result();
  });

  it('replays every recorded history deterministically', async () => {
    const handle = await start(
      {
        nodes: [
          { id: 'topic', type: 'input', params: { name: 'topic' } },
          delayNode('a', 50),
          delayNode('b', 80),
          { id: 't', type: 'template', params: { template: '{{x}}/{{y}}' } },
        ],
        edges: [
          edge('topic', 'value', 'a', 'in'),
          edge('topic', 'value', 'b', 'in'),
          edge('a', 'out', 't', 'x'),
          edge('b', 'out', 't', 'y'),
        ],
      },
      { topic: 'replay' },
    );
    await handle.result();
    // Every run this file started (fan-out, retries, failure, cancellation, this one) replays without divergence.
    const histories = await Promise.all(
      startedWorkflows.map(async (workflowId) => {
        const h = env.client.workflow.getHandle(workflowId);
        await h.result().catch(() => undefined);
        return { workflowId, history: await h.fetchHistory() };
      }),
    );
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(histories.length).toBeGreaterThanOrEqual(10);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
