/**
 * Records the workflow histories that workflows/replay.test.ts replays: runs every scenario (scenarios.ts) on
 * a real Temporal dev server with stand-in activities, and writes each history as JSON into a new set,
 * workflows/fixtures/histories/v<N+1>/. Older sets are never touched: they are what runs started by older
 * code look like, and today's code must keep replaying them.
 *
 *   npm run fixtures:record    # a new set from today's workflow code
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Activities, ActivityInput, CacheHit, WebhookActivities } from '../../activities/contract';
import { createRunEndActivities } from '../../activities/runEnd';
import { workflowBundle } from '../../infra/worker';
import { cacheKeysOf, catalog, validateGraph, type ArtifactRef, type RunState } from '../../workflows/pipeline';
import type { RunPipelineArgs } from '../../workflows/runPipeline';
import { startTestTemporal } from '../support/temporal';
import { historyToFixture } from './format';
import { HISTORIES_DIR, SCENARIOS, type Scenario } from './scenarios';

const TASK_QUEUE = 'fixtures';
/** Fixed run ids and worker identity: a fixture names no machine, user or real run. */
const IDENTITY = 'fixtures-recorder';
const runIdOf = (index: number) => `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`;

const uploadFailures = new Map<string, number>();
/** What the output cache answers, by key: the scenario being recorded's hits. */
const cacheHits = new Map<string, CacheHit>();

function artifact(input: ActivityInput, name: string, mimeType: string, extra: Partial<ArtifactRef> = {}): ArtifactRef {
  return { artifact: true, key: `runs/${input.runId}/${input.nodeId}/${input.itemIndex}/${name}`, mimeType, size: 1024, ...extra };
}

/** Stand-ins shaped like the real activities' results; what they return is in the history, not how. */
const activities: Activities = {
  async reportRunProgress() {},
  async lookupCache({ key }) {
    return cacheHits.get(key) ?? null;
  },
  async saveCacheEntry() {},
  async delay(input) {
    const ms = Number(input.params.ms);
    const started = Date.now();
    while (Date.now() - started < ms) {
      await Context.current().sleep(Math.min(100, ms - (Date.now() - started)));
      Context.current().heartbeat();
    }
    return { output: { out: input.inputs.in }, attempt: Context.current().info.attempt };
  },
  async upload(input) {
    const { attempt } = Context.current().info;
    const failures = uploadFailures.get(`${input.runId}/${input.nodeId}`) ?? 0;
    if (failures === Infinity) throw ApplicationFailure.nonRetryable('Destination refused the file', 'InvalidInput');
    if (attempt <= failures) throw new Error(`flaky storage (attempt ${attempt})`);
    const id = `media-${input.nodeId}-${input.itemIndex}`;
    return { output: { media: { id, url: `/api/media/${id}/content`, mimeType: 'text/plain', size: 5 } }, attempt };
  },
  async story(input) {
    const text = `A story about ${String(input.inputs.prompt)}. It was a bright morning. Everyone smiled at the end.`;
    return { output: { text }, attempt: Context.current().info.attempt };
  },
  async llm(input) {
    return { output: { text: `Rewritten: ${String(input.inputs.text)}` }, attempt: Context.current().info.attempt };
  },
  async narration(input) {
    return {
      output: { audio: artifact(input, 'narration.wav', 'audio/wav', { durationMs: 4200 }) },
      attempt: Context.current().info.attempt,
    };
  },
  async runInlineStep(input) {
    const definition = catalog.get(input.nodeType);
    if (definition?.execution.mode !== 'inline') throw ApplicationFailure.nonRetryable(`'${input.nodeType}' is not inline`, 'InvalidInput');
    return {
      output: definition.execution.run(input.params, input.inputs, { pipelineInputs: input.pipelineInputs }),
      attempt: Context.current().info.attempt,
    };
  },
  async illustration(input) {
    return {
      output: { image: artifact(input, 'image.png', 'image/png', { width: 256, height: 256, generator: 'local-sketch' }) },
      attempt: Context.current().info.attempt,
    };
  },
  async storybook(input) {
    return {
      output: { book: artifact(input, 'book.html', 'text/html'), video: artifact(input, 'book.mp4', 'video/mp4', { durationMs: 1000 }) },
      attempt: Context.current().info.attempt,
    };
  },
};

/** Runs whose pipeline has a webhook (the `webhook` scenario): their end is delivered, once, at the first attempt. */
const withWebhook = new Set<string>();
const webhookActivities: WebhookActivities = {
  async planWebhookDeliveries({ runId, event }) {
    if (!withWebhook.has(runId)) return [];
    return [{ webhookId: 'webhook', messageId: `msg_${runId}`, event, runId, occurredAt: '2026-01-01T00:00:00.000Z', firstRetryMs: 1000 }];
  },
  async sendWebhook() {
    return { statusCode: 204, responseMs: 1 };
  },
};

async function waitUntilRunning(handle: WorkflowHandle, nodeId: string, status: 'running' | 'waiting' = 'running'): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (((await handle.query('runState')) as RunState).nodes[nodeId]?.status !== status) {
    if (Date.now() > deadline) throw new Error(`${handle.workflowId}: node ${nodeId} never got to ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function record(client: Client, scenario: Scenario, runId: string): Promise<string> {
  const validated = validateGraph(scenario.graph);
  if (!validated.graph) throw new Error(`${scenario.name}: invalid graph ${JSON.stringify(validated.problems)}`);
  for (const [nodeId, count] of Object.entries(scenario.uploadFailures ?? {})) uploadFailures.set(`${runId}/${nodeId}`, count);
  cacheHits.clear();
  const keys = cacheKeysOf(validated.graph, scenario.inputs);
  for (const [nodeId, output] of Object.entries(scenario.cacheHits ?? {})) {
    cacheHits.set(keys.get(nodeId)!, { output, fromRunId: 'earlier', savedUsd: 0.004 });
  }
  const args: RunPipelineArgs = {
    runId,
    userId: 'user',
    projectId: 'project',
    pipelineId: 'pipeline',
    graph: validated.graph,
    inputs: scenario.inputs,
    ...(scenario.seeded ? { seeded: scenario.seeded } : {}),
    lean: true,
  };
  if (scenario.webhook) withWebhook.add(runId);
  const handle = await client.workflow.start('runPipeline', { taskQueue: TASK_QUEUE, workflowId: `run-${runId}`, args: [args] });
  if (scenario.approve) {
    await waitUntilRunning(handle, scenario.approve, 'waiting');
    await handle.executeUpdate('approvalDecision', { args: [{ nodeId: scenario.approve, approve: true }] });
  }
  if (scenario.snapshotWhenRunning) {
    await waitUntilRunning(handle, scenario.snapshotWhenRunning);
    const history = await handle.fetchHistory();
    await handle.terminate('fixture recorded');
    return historyToFixture(history);
  }
  if (scenario.cancelWhenRunning) {
    await waitUntilRunning(handle, scenario.cancelWhenRunning);
    await handle.cancel();
  }
  await handle.result().catch(() => undefined);
  return historyToFixture(await handle.fetchHistory());
}

function nextSetDir(): string {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const versions = readdirSync(HISTORIES_DIR)
    .map((name) => /^v(\d+)$/.exec(name)?.[1])
    .filter((v) => v !== undefined)
    .map(Number);
  return join(HISTORIES_DIR, `v${Math.max(0, ...versions) + 1}`);
}

async function main() {
  console.log('Recording: the worker logs the upload failures of the retry and failure scenarios, as it should.');
  const env = await startTestTemporal();
  const client = new Client({ connection: env.connection, identity: IDENTITY });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    identity: IDENTITY,
    workflowBundle: await workflowBundle(),
    activities: { ...activities, ...webhookActivities, ...createRunEndActivities(activities, webhookActivities) },
  });
  const histories = new Map<string, string>();
  try {
    await worker.runUntil(async () => {
      for (const [index, scenario] of SCENARIOS.entries()) {
        histories.set(scenario.name, await record(client, scenario, runIdOf(index)));
        console.log(`recorded ${scenario.name}`);
      }
    });
  } finally {
    await env.teardown();
  }
  // Written only once every scenario is recorded: a set is whole or absent.
  const dir = nextSetDir();
  mkdirSync(`${dir}.partial`, { recursive: true });
  for (const [name, json] of histories) writeFileSync(join(`${dir}.partial`, `${name}.json`), json);
  renameSync(`${dir}.partial`, dir);
  console.log(`wrote ${histories.size} histories into ${relative(process.cwd(), dir)}`);
}

await main();
