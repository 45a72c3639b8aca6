/**
 * Re-running the illustrated-story template from its last steps against a full run, every model on the fake
 * OpenAI-compatible cloud (test/support/fakeVendors.ts: instant answers, real request shapes and prices), on the
 * embedded defaults. The storybook makes its book but no video (the fake's pictures are PNG headers only). Times are POST → run finished; cost is what the run's model calls cost; calls are what the
 * fake server saw. Prints figures; asserts nothing. BENCH_PROVIDERS=local runs the template as it ships instead:
 * local models (story, narration, sketches) and the storybook's video too.
 *
 *   npx tsx bench/rerun.ts [reps=3]
 *   BENCH_PROVIDERS=local npx tsx bench/rerun.ts 1
 */
import { availableTemplates } from '../studio/src/core/templates';
import { startFakeVendors } from '../test/support/fakeVendors';
import { registerUser, startStack, waitForRun } from '../test/support/stack';

const reps = Number(process.argv[2] ?? 3);
const vendors = await startFakeVendors();
process.env.PROVIDER_ALLOWED_HOSTS = '127.0.0.1';
const stack = await startStack({ backends: process.env.BENCH_BACKENDS === 'servers' ? 'servers' : 'embedded' });
const { client } = await registerUser(stack.baseUrl);
await client.put('/api/settings/providers/openai', { apiKey: 'good', baseUrl: `${vendors.baseUrl}/v1` });

const template = availableTemplates((await client.get('/api/nodes')).body.nodes).find((t) => t.id === 'illustrated-story');
if (!template) throw new Error('the illustrated-story template is not available');
const CLOUD_TYPES = new Set(['story', 'llm', 'narration', 'illustration']);
const local = process.env.BENCH_PROVIDERS === 'local';
const graph = local
  ? template.graph
  : {
      ...template.graph,
      nodes: template.graph.nodes
        .filter((n) => n.id !== 'save-video')
        .map((n) =>
          CLOUD_TYPES.has(n.type)
            ? { ...n, params: { ...n.params, provider: 'openai' } }
            : n.type === 'storybook'
              ? { ...n, params: { ...n.params, video: false } }
              : n,
        ),
      // The fake's pictures are PNG headers only, which ffmpeg can't draw: the book is made, the video is not.
      edges: template.graph.edges.filter((e) => e.target !== 'save-video'),
    };
const pipeline = await client.post('/api/pipelines', {
  name: local ? 'Illustrated story (local models)' : 'Illustrated story (fake cloud)',
  graph,
});
if (pipeline.status !== 201) throw new Error(`saving the pipeline: ${pipeline.text}`);

async function timed(start: () => Promise<{ status: number; body: { id: string }; text: string }>) {
  const calls = vendors.requests.length;
  const t = performance.now();
  const res = await start();
  if (res.status !== 201) throw new Error(`start: ${res.status} ${res.text}`);
  const run = await waitForRun(client, res.body.id, 300_000);
  const ms = performance.now() - t;
  if (run.status !== 'succeeded') throw new Error(`run ${run.status}: ${run.error}`);
  const costUsd = Object.values(run.costs as Record<string, number>).reduce((a, b) => a + b, 0);
  const savedUsd = Object.values(run.nodes as Record<string, { cached: { savedUsd: number } | null }>).reduce(
    (sum, n) => sum + (n.cached?.savedUsd ?? 0),
    0,
  );
  return { id: run.id as string, ms, costUsd, savedUsd, calls: vendors.requests.length - calls };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cases: { label: string; results: Awaited<ReturnType<typeof timed>>[] }[] = [
  { label: 'full run', results: [] },
  { label: 'from storybook (last step before the uploads)', results: [] },
  { label: 'from save-book (the last node)', results: [] },
];
for (let i = 0; i < reps; i++) {
  const full = await timed(() => client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: `a lighthouse ${i}` } }));
  cases[0].results.push(full);
  cases[1].results.push(await timed(() => client.post(`/api/runs/${full.id}/rerun`, { fromNodeId: 'storybook' })));
  cases[2].results.push(await timed(() => client.post(`/api/runs/${full.id}/rerun`, { fromNodeId: 'save-book' })));
}
console.log(
  `illustrated-story template (${graph.nodes.length} nodes), ${local ? 'local models' : 'every model on the fake cloud'}; median of ${reps}`,
);
for (const { label, results } of cases) {
  const ms = median(results.map((r) => r.ms));
  const cost = median(results.map((r) => r.costUsd));
  const saved = median(results.map((r) => r.savedUsd));
  const calls = median(results.map((r) => r.calls));
  console.log(
    `${label.padEnd(48)} ${(ms / 1000).toFixed(2)} s  cost $${cost.toFixed(6)}  saved $${saved.toFixed(6)}  provider calls ${calls}`,
  );
}
await stack.stop();
await vendors.stop();
