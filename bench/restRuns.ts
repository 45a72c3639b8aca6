/**
 * REST run starts with an API key, as a script makes them: POST /api/pipelines/:id/runs → 201, timed at the
 * client, without and with an Idempotency-Key, and the retry that finds its run (200). Each run is left to end
 * before the next start, so the figures are the start alone. On the embedded defaults unless
 * BENCH_BACKENDS=servers (PostgreSQL, Redis, S3). Prints figures; asserts nothing.
 *
 *   npx tsx bench/restRuns.ts [starts=200]
 */
import { randomUUID } from 'node:crypto';
import { edge } from '../test/support/graphs';
import { apiClient, registerUser, startStack, waitForRun } from '../test/support/stack';

const starts = Number(process.argv[2] ?? 200);
const backends = process.env.BENCH_BACKENDS === 'servers' ? 'servers' : 'embedded';
const stack = await startStack({ backends });
const owner = await registerUser(stack.baseUrl);
const key = (await owner.client.post('/api/keys', { name: 'bench', scope: 'run' })).body.key as string;
const script = apiClient(stack.baseUrl, key);
const graph = {
  nodes: [
    { id: 'in', type: 'input', params: { name: 'text' } },
    { id: 'out', type: 'template', params: { template: '{{x}}!' } },
  ],
  edges: [edge('in', 'value', 'out', 'x')],
};
const pipelineId = (await owner.client.post('/api/pipelines', { name: 'bench', graph })).body.id as string;
const body = { inputs: { text: 'go' } };

async function timedStart(headers: Record<string, string>, expected: number): Promise<{ ms: number; id: string }> {
  const t0 = performance.now();
  const res = await script.request('POST', `/api/pipelines/${pipelineId}/runs`, body, headers);
  const ms = performance.now() - t0;
  if (res.status !== expected) throw new Error(`start answered ${res.status}: ${res.text}`);
  return { ms, id: res.body.id };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const line = (label: string, xs: number[]) =>
  console.log(`${label.padEnd(44)} p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms (n=${xs.length})`);

await waitForRun(script, (await timedStart({}, 201)).id); // warm-up: first workflow task, caches

const plain: number[] = [];
const idempotent: number[] = [];
const replayed: number[] = [];
for (let i = 0; i < starts; i++) {
  const a = await timedStart({}, 201);
  plain.push(a.ms);
  await waitForRun(script, a.id);
  const idempotencyKey = randomUUID();
  const b = await timedStart({ 'idempotency-key': idempotencyKey }, 201);
  idempotent.push(b.ms);
  await waitForRun(script, b.id);
  replayed.push((await timedStart({ 'idempotency-key': idempotencyKey }, 200)).ms);
}
console.log(`REST starts with an API key (${backends} backends, ${starts} each):`);
line('POST …/runs (201)', plain);
line('POST …/runs with Idempotency-Key (201)', idempotent);
line('the same retried: finds its run (200)', replayed);
await stack.stop();
process.exit(0);
