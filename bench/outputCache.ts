/**
 * The output cache on the illustrated-story template, every model on the fake OpenAI-compatible cloud
 * (test/support/fakeVendors.ts), on the embedded defaults: a first run, the same run again (its nodes reuse what
 * their keys match: with `auto`, only nodes with a fixed seed, of which the template has none; with `always` on every
 * model node, all of them), and
 * the same again with `cache: 'fresh'`. Times are POST → run finished; cost is what the run's model calls cost;
 * saved is what its cached nodes cost the runs that made them; calls are what the fake server saw. Prints figures.
 *
 *   npx tsx bench/outputCache.ts [reps=3]
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
/** The template on the fake cloud, without its video (the fake's pictures are PNG headers only, which ffmpeg can't draw). */
const graphWith = (cache?: 'always') => ({
  ...template.graph,
  nodes: template.graph.nodes
    .filter((n) => n.id !== 'save-video')
    .map((n) =>
      CLOUD_TYPES.has(n.type)
        ? { ...n, params: { ...n.params, provider: 'openai', ...(cache ? { cache } : {}) } }
        : n.type === 'storybook'
          ? { ...n, params: { ...n.params, video: false } }
          : n,
    ),
  edges: template.graph.edges.filter((e) => e.target !== 'save-video'),
});

async function timed(pipelineId: string, body: object) {
  const calls = vendors.requests.length;
  const t = performance.now();
  const res = await client.post(`/api/pipelines/${pipelineId}/runs`, body);
  if (res.status !== 201) throw new Error(`start: ${res.status} ${res.text}`);
  const run = await waitForRun(client, res.body.id, 300_000);
  const ms = performance.now() - t;
  if (run.status !== 'succeeded') throw new Error(`run ${run.status}: ${run.error}`);
  const costUsd = Object.values(run.costs as Record<string, number>).reduce((a, b) => a + b, 0);
  const nodes = Object.values(run.nodes as Record<string, { cached: { savedUsd: number } | null }>);
  const savedUsd = nodes.reduce((sum, n) => sum + (n.cached?.savedUsd ?? 0), 0);
  return { ms, costUsd, savedUsd, cached: nodes.filter((n) => n.cached).length, calls: vendors.requests.length - calls };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const cache of [undefined, 'always'] as const) {
  const pipeline = await client.post('/api/pipelines', { name: `Illustrated story (cache ${cache ?? 'auto'})`, graph: graphWith(cache) });
  if (pipeline.status !== 201) throw new Error(`saving the pipeline: ${pipeline.text}`);
  const cases = [
    { label: 'first run', results: [] as Awaited<ReturnType<typeof timed>>[] },
    { label: 'the same again', results: [] as Awaited<ReturnType<typeof timed>>[] },
    { label: "the same again, cache: 'fresh'", results: [] as Awaited<ReturnType<typeof timed>>[] },
  ];
  for (let i = 0; i < reps; i++) {
    const inputs = { topic: `a lighthouse ${cache ?? 'auto'} ${i}` };
    cases[0].results.push(await timed(pipeline.body.id, { inputs }));
    cases[1].results.push(await timed(pipeline.body.id, { inputs }));
    cases[2].results.push(await timed(pipeline.body.id, { inputs, cache: 'fresh' }));
  }
  console.log(`illustrated-story template, model nodes cache ${cache ?? 'auto'}; fake cloud; median of ${reps}`);
  for (const { label, results } of cases) {
    const m = (pick: (r: (typeof results)[number]) => number) => median(results.map(pick));
    console.log(
      `  ${label.padEnd(32)} ${(m((r) => r.ms) / 1000).toFixed(2)} s  cost $${m((r) => r.costUsd).toFixed(6)}  ` +
        `saved $${m((r) => r.savedUsd).toFixed(6)}  cached nodes ${m((r) => r.cached)}  provider calls ${m((r) => r.calls)}`,
    );
  }
}
await stack.stop();
await vendors.stop();
