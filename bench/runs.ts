/**
 * Run-start latency (POST /runs → the workflow reports `running`) over N runs, and the per-node
 * orchestration overhead of a 20-node chain of template steps, on the embedded defaults
 * (PGlite, in-process bus, local files, Temporal dev server). Prints figures; asserts nothing.
 *
 *   npx tsx bench/runs.ts [runs=200]
 */
import { runChannel } from '../infra/bus';
import { registerUser, startStack, waitForRun } from '../test/support/stack';

const runs = Number(process.argv[2] ?? 200);
const stack = await startStack({ backends: process.env.BENCH_BACKENDS === 'servers' ? 'servers' : 'embedded' });
const { client } = await registerUser(stack.baseUrl);

function chain(length: number) {
  const nodes: { id: string; type: string; params: Record<string, unknown> }[] = [{ id: 'in', type: 'input', params: { name: 'text' } }];
  const edges = [];
  for (let i = 1; i <= length; i++) {
    nodes.push({ id: `t${i}`, type: 'template', params: { template: `{{x}}.${i}` } });
    edges.push({ source: i === 1 ? 'in' : `t${i - 1}`, sourceHandle: i === 1 ? 'value' : 'text', target: `t${i}`, targetHandle: 'x' });
  }
  return { nodes, edges };
}

async function startAndTime(pipelineId: string): Promise<{ startMs: number; totalMs: number }> {
  const t0 = performance.now();
  let running = 0;
  let unsubscribe: (() => Promise<void>) | undefined;
  const res = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { text: 'go' } });
  const id = res.body.id as string;
  // The first event of a run is its `running` status; subscribe and also check the database, whichever is first.
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      running = performance.now();
      resolve();
    };
    void stack.services.bus.subscribe(runChannel(id), () => finish()).then((u: () => Promise<void>) => (unsubscribe = u));
    const poll = async () => {
      while (!done) {
        const row = await stack.services.db.selectFrom('runs').select('status').where('id', '=', id).executeTakeFirst();
        if (row && row.status !== 'queued') finish();
        else await new Promise((r) => setTimeout(r, 2));
      }
    };
    void poll();
  });
  await waitForRun(client, id);
  await unsubscribe?.();
  return { startMs: running - t0, totalMs: performance.now() - t0 };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const one = await client.post('/api/pipelines', { name: 'one', graph: chain(1) });
const twenty = await client.post('/api/pipelines', { name: 'twenty', graph: chain(20) });
await startAndTime(one.body.id); // warm-up: first workflow task, caches

const starts: number[] = [];
for (let i = 0; i < runs; i++) starts.push((await startAndTime(one.body.id)).startMs);

const totals1: number[] = [];
const totals20: number[] = [];
for (let i = 0; i < 20; i++) {
  totals1.push((await startAndTime(one.body.id)).totalMs);
  totals20.push((await startAndTime(twenty.body.id)).totalMs);
}
const median = (xs: number[]) => pct(xs, 50);
console.log(
  `run-start latency over ${runs} runs (POST → running): p50 ${median(starts).toFixed(1)} ms, p99 ${pct(starts, 99).toFixed(1)} ms`,
);
console.log(
  `1-node run end-to-end p50 ${median(totals1).toFixed(1)} ms; 20-node template chain p50 ${median(totals20).toFixed(1)} ms; ` +
    `per-node orchestration overhead ≈ ${((median(totals20) - median(totals1)) / 19).toFixed(2)} ms`,
);
await stack.stop();
process.exit(0);
