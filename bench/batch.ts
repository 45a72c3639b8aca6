/**
 * A batch of 10 topics end to end against one run: POST /api/pipelines/:id/batches until every run ended (the
 * batch read every 25 ms), next to one run (POST …/runs?wait), and to 10 runs one after another. On the embedded
 * defaults unless BENCH_BACKENDS=servers; BATCH_CONCURRENCY sets the runs in flight (default 3). The pipeline is
 * topic → template → picture (the local sketch renderer), or template only with BENCH_PIPELINE=template.
 * Prints figures; asserts nothing.
 *
 *   npx tsx bench/batch.ts [rounds=3]
 */
import { edge } from '../test/support/graphs';
import { registerUser, startStack } from '../test/support/stack';

const rounds = Number(process.argv[2] ?? 3);
const topicsPerBatch = 10;
const backends = process.env.BENCH_BACKENDS === 'servers' ? 'servers' : 'embedded';
const concurrency = process.env.BATCH_CONCURRENCY ?? '3';
const templateOnly = process.env.BENCH_PIPELINE === 'template';
const stack = await startStack({ backends, env: { BATCH_CONCURRENCY: concurrency, WARM_MODELS: 'false' } });
const owner = await registerUser(stack.baseUrl);
const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'title', type: 'template', params: { template: 'A picture of {{topic}}' } },
    ...(templateOnly ? [] : [{ id: 'picture', type: 'illustration', params: { size: '256x256' } }]),
  ],
  edges: [edge('topic', 'value', 'title', 'topic'), ...(templateOnly ? [] : [edge('topic', 'value', 'picture', 'prompt')])],
};
const pipelineId = (await owner.client.post('/api/pipelines', { name: 'bench', graph })).body.id as string;
const topic = (i: number) => `topic number ${i}`;

async function oneRun(i: number): Promise<number> {
  const t0 = performance.now();
  const res = await owner.client.post(`/api/pipelines/${pipelineId}/runs?wait=60`, { inputs: { topic: topic(i) } });
  if (res.body?.status !== 'succeeded') throw new Error(`run answered ${res.status}: ${res.text.slice(0, 300)}`);
  return performance.now() - t0;
}

/** From the request to the last run's recorded end (the API and the bench share the machine's clock). */
async function oneBatch(): Promise<{ totalMs: number; firstResultMs: number }> {
  const t0 = Date.now();
  const items = Array.from({ length: topicsPerBatch }, (_, i) => ({ inputs: { topic: topic(i) } }));
  const started = await owner.client.post(`/api/pipelines/${pipelineId}/batches`, { items });
  if (started.status !== 201) throw new Error(`batch answered ${started.status}: ${started.text}`);
  for (;;) {
    // Read seldom: the bench's own reads would slow the API and worker it measures (one process on embedded).
    await new Promise((r) => setTimeout(r, 250));
    const batch = (await owner.client.get(`/api/batches/${started.body.id}`)).body;
    if (batch.status === 'running') continue;
    if (batch.status !== 'succeeded') throw new Error(`batch ended ${batch.status}: ${JSON.stringify(batch.counts)}`);
    const ends = (batch.runs as { finishedAt: string }[]).map((r) => Date.parse(r.finishedAt) - t0);
    return { totalMs: Math.max(...ends), firstResultMs: Math.min(...ends) };
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

await oneRun(-1); // warm-up: first workflow task, caches
await oneBatch();
const single: number[] = [];
const sequential: number[] = [];
const batches: { totalMs: number; firstResultMs: number }[] = [];
for (let r = 0; r < rounds; r++) {
  single.push(await oneRun(r));
  const t0 = performance.now();
  for (let i = 0; i < topicsPerBatch; i++) await oneRun(i);
  sequential.push(performance.now() - t0);
  batches.push(await oneBatch());
}
const batchMs = median(batches.map((b) => b.totalMs));
console.log(
  `Batch of ${topicsPerBatch} topics vs one run (${backends} backends, ${templateOnly ? 'template only' : 'template + sketch picture'}, ${concurrency} in flight, median of ${rounds}):`,
);
console.log(`  one run, POST …/runs?wait until it ended         ${s(median(single))}`);
console.log(`  ${topicsPerBatch} runs one after another                      ${s(median(sequential))}`);
console.log(
  `  batch of ${topicsPerBatch}: POST …/batches until all ended        ${s(batchMs)}  (first result after ${s(median(batches.map((b) => b.firstResultMs)))})`,
);
console.log(
  `  batch per run                                   ${s(batchMs / topicsPerBatch)}  (${(median(sequential) / batchMs).toFixed(2)}× the runs one after another)`,
);
await stack.stop();
process.exit(0);
