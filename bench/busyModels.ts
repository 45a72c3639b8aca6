/**
 * Does model work stall everything else? On the embedded stack (API, worker and PGlite in this one process, as in
 * `npm start`) one run writes a local story, then narrates it and draws a 1024² illustration of it at once. While it
 * runs, `GET /api/nodes` is asked every 200 ms (latency p50/p99/max) and a run of `input → upload` with a 1 KB input
 * starts every few seconds (time from its start request to its workflow's end). The same light load runs first on an
 * idle stack, for reference. Also prints this thread's event-loop delay and utilisation while the models work.
 * Asserts nothing.
 *
 *   npx tsx bench/busyModels.ts [words=150] [uploadEveryMs=3000]
 *   LOCAL_MODELS_IN_PROCESS=1   the local models on the API's thread (as before model threads)
 *   LOCAL_TEXT_MODEL=path.gguf  another text model than the product's default
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultTextModelPath } from '../activities/providers/local/text';
import { edge } from '../test/support/graphs';
import { registerUser, startStack } from '../test/support/stack';

const [words, uploadEveryMs] = [150, 3000].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));
const inProcess = ['1', 'true', 'yes'].includes((process.env.LOCAL_MODELS_IN_PROCESS ?? '').toLowerCase());

const stack = await startStack({ backends: 'embedded' });
const owner = await registerUser(stack.baseUrl);
await stack.services.db.updateTable('users').set({ plan: 'team' }).where('id', '=', owner.userId).execute();
const api = owner.client;
const engine = stack.services.temporal;

const storyGraph = (storyWords: number, size: string) => ({
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'prompt', type: 'template', params: { template: 'Write a short story about {{topic}}.' } },
    { id: 'story', type: 'story', params: { words: storyWords, seed: 7, temperature: 0.7 } },
    { id: 'voice', type: 'narration', params: {} },
    { id: 'cover', type: 'illustration', params: { size, seed: 3 } },
  ],
  edges: [
    edge('topic', 'value', 'prompt', 'topic'),
    edge('prompt', 'text', 'story', 'prompt'),
    edge('story', 'text', 'voice', 'text'),
    edge('story', 'text', 'cover', 'prompt'),
  ],
});
const uploadGraph = {
  nodes: [
    { id: 'note', type: 'input', params: { name: 'note' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('note', 'value', 'publish', 'file')],
};

async function createPipeline(name: string, graph: unknown): Promise<string> {
  const res = await api.post('/api/pipelines', { name, graph });
  if (res.status !== 201) throw new Error(`pipeline ${name}: ${res.status} ${res.text}`);
  return res.body.id as string;
}

/** Starts a run and resolves with its start → end time once its workflow is done. */
async function run(pipelineId: string, inputs: Record<string, unknown>): Promise<number> {
  return (await runWithNodes(pipelineId, inputs)).ms;
}

type NodeTimes = Record<string, { startedAt: string | null; finishedAt: string | null }>;

async function runWithNodes(pipelineId: string, inputs: Record<string, unknown>): Promise<{ ms: number; nodes: NodeTimes }> {
  const t0 = performance.now();
  const res = await api.post(`/api/pipelines/${pipelineId}/runs`, { inputs });
  if (res.status !== 201) throw new Error(`start answered ${res.status}: ${res.text}`);
  await engine.workflow.getHandle(`run-${res.body.id}`).result();
  const ms = performance.now() - t0;
  const found = (await api.get(`/api/runs/${res.body.id}`)).body as { status: string; nodes: NodeTimes };
  if (found.status !== 'succeeded') throw new Error(`run ${res.body.id} ${found.status}`);
  return { ms, nodes: found.nodes };
}

const note = 'x'.repeat(1024);
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN;
const ms = (x: number) => `${x.toFixed(0).padStart(5)} ms`;

interface Light {
  polls: number[];
  /** When each poll was sent (epoch ms). */
  sentAt: number[];
  uploads: number[];
}

/** The light load (polls every 200 ms, an upload run every uploadEveryMs) until `until` settles. */
async function lightLoad(uploadId: string, until: Promise<unknown>): Promise<Light> {
  const light: Light = { polls: [], sentAt: [], uploads: [] };
  let done = false;
  void until.finally(() => (done = true));
  const polling = (async () => {
    while (!done) {
      const t0 = performance.now();
      light.sentAt.push(Date.now());
      const res = await api.get('/api/nodes');
      light.polls.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`GET /api/nodes answered ${res.status}`);
      await sleep(Math.max(0, 200 - (performance.now() - t0)));
    }
  })();
  const uploads: Promise<void>[] = [];
  const starting = (async () => {
    while (!done) {
      uploads.push(run(uploadId, { note }).then((t) => void light.uploads.push(t)));
      await Promise.race([sleep(uploadEveryMs), until]);
    }
  })();
  await until;
  await Promise.all([polling, starting]);
  await Promise.all(uploads);
  return light;
}

const describeLight = (l: Light) =>
  `GET /api/nodes p50 ${ms(pct(l.polls, 50))}, p99 ${ms(pct(l.polls, 99))}, max ${ms(Math.max(...l.polls))} (${l.polls.length} polls); ` +
  `1 KB upload run p50 ${ms(pct(l.uploads, 50))}, max ${ms(Math.max(...l.uploads))} (${l.uploads.length} runs)`;

const storyId = await createPipeline('busy models', storyGraph(words, '1024x1024'));
const warmId = await createPipeline('warm-up', storyGraph(20, '256x256'));
const uploadId = await createPipeline('small upload', uploadGraph);
const textModel = process.env.LOCAL_TEXT_MODEL || defaultTextModelPath(stack.config.rootDir);

// Warm-up: the text model loaded, the model threads started, the first workflow tasks and the JIT.
let t0 = performance.now();
await run(warmId, { topic: 'a lighthouse keeper' });
await run(uploadId, { note });
console.log(`warm-up run ${(performance.now() - t0).toFixed(0)} ms`);

console.log(
  `busy models: story (${words} words, ${textModel.split('/').pop()}) → narration + 1024² illustration; ` +
    `text, speech and sketch ${inProcess ? 'IN PROCESS' : 'in model threads'}; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
console.log(`  idle   ${describeLight(await lightLoad(uploadId, sleep(6_000)))}`);

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const elu = performance.eventLoopUtilization();
t0 = performance.now();
const heavy = runWithNodes(storyId, { topic: 'an otter who finds a shiny stone' });
const busy = await lightLoad(uploadId, heavy);
const { ms: heavyMs, nodes } = await heavy;
delay.disable();
console.log(`  busy   ${describeLight(busy)}`);
const storyEnd = Date.parse(nodes.story.finishedAt!);
const during = (from: number, to: number) => busy.polls.filter((_, i) => busy.sentAt[i] >= from && busy.sentAt[i] < to);
for (const [phase, polls] of [
  ['story', during(0, storyEnd)],
  ['narration + illustration', during(storyEnd, Infinity)],
] as const) {
  console.log(`    while ${phase}: GET /api/nodes p99 ${ms(pct(polls, 99))}, max ${ms(Math.max(...polls))} (${polls.length} polls)`);
}
const took = (id: string) => ((Date.parse(nodes[id].finishedAt!) - Date.parse(nodes[id].startedAt!)) / 1000).toFixed(1);
console.log(`    story ${took('story')} s, narration ${took('voice')} s, illustration ${took('cover')} s`);
console.log(
  `  the model run took ${(heavyMs / 1000).toFixed(1)} s; this thread meanwhile: event-loop delay p99 ${ms(delay.percentile(99) / 1e6)}, ` +
    `max ${ms(delay.max / 1e6)}, busy ${(performance.eventLoopUtilization(elu).utilization * 100).toFixed(0)} % of the time`,
);
console.log(`  process RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
console.log(
  `  load after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

await stack.stop();
process.exit(0);
