/**
 * The product against its own ceiling: `input → template → upload` through the REST API (an API key, as a script
 * starts runs) and the same shape written straight on the Temporal SDK (bench/bare/), against the same Temporal
 * dev server, both workers in this one process as in `npm start`. Rounds alternate product, bare, product, bare…;
 * each round starts `runs` runs with `inFlight` at a time and waits for each on its workflow's result (the same
 * long poll for both). Prints runs/s, run start (request → accepted) p50/p99, the CPU each run cost this process and the
 * Temporal dev server, and the ratios. Asserts nothing.
 *
 *   npx tsx bench/overhead.ts [runs=200] [inFlight=20] [rounds=2]
 *   BENCH_BACKENDS=servers   PostgreSQL + Redis + S3 (127.0.0.1) instead of the embedded defaults
 *   BENCH_SDK_METRICS=1      the Temporal SDK's Prometheus exporter on (as the launchers install it), to price it
 *   BENCH_TRACING=1          the product traced (infra/tracing.ts), its spans sent over OTLP to a local sink that drops them
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { metrics, registry } from '../infra/telemetry';
import { installTracing } from '../infra/tracing';
import { POLLING } from '../infra/worker';
import { edge } from '../test/support/graphs';
import { apiClient, freePort, registerUser, startStack } from '../test/support/stack';
import { createBareActivities } from './bare/activities';

const [runs, inFlight, rounds] = [200, 20, 2].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));
const backends = process.env.BENCH_BACKENDS === 'servers' ? 'servers' : 'embedded';
const sdkMetrics = process.env.BENCH_SDK_METRICS === '1';
if (sdkMetrics) {
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${await freePort()}` } } },
  });
}

const tracing = process.env.BENCH_TRACING === '1';
if (tracing) {
  const sink = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('{}')));
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  await installTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(sink.address() as AddressInfo).port}` });
}

const stack = await startStack({ backends });
const owner = await registerUser(stack.baseUrl);
// The team plan: 20 runs in flight are past the free plan's 10 concurrent runs.
await stack.services.db.updateTable('users').set({ plan: 'team' }).where('id', '=', owner.userId).execute();
const key = (await owner.client.post('/api/keys', { name: 'bench', scope: 'run' })).body.key as string;
const script = apiClient(stack.baseUrl, key);
const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'text', type: 'template', params: { template: 'A note about {{topic}}' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'text', 'topic'), edge('text', 'text', 'publish', 'file')],
};
const pipelineId = (await owner.client.post('/api/pipelines', { name: 'overhead', graph })).body.id as string;
const engine = stack.services.temporal;

const bareQueue = `bare-${randomUUID()}`;
const bareDir = join(tmpdir(), `cf-bare-${randomUUID()}`);
const bareWorker = await Worker.create({
  connection: await NativeConnection.connect({ address: stack.temporal.address }),
  taskQueue: bareQueue,
  workflowsPath: join(import.meta.dirname, 'bare', 'workflows.ts'),
  activities: createBareActivities(bareDir),
  // The product's worker polls this way: the ceiling is measured with the same tuning, so the ratio is the product's own cost.
  ...POLLING,
});
const bareRunning = bareWorker.run();
const bareClient = new Client({ connection: await Connection.connect({ address: stack.temporal.address }) });

interface Started {
  startMs: number;
  done: Promise<unknown>;
}

async function startProduct(): Promise<Started> {
  const t0 = performance.now();
  const res = await script.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'otters' } });
  const startMs = performance.now() - t0;
  if (res.status !== 201) throw new Error(`start answered ${res.status}: ${res.text}`);
  return { startMs, done: engine.workflow.getHandle(`run-${res.body.id}`).result() };
}

async function startBare(): Promise<Started> {
  const t0 = performance.now();
  const handle = await bareClient.workflow.start('barePipeline', {
    taskQueue: bareQueue,
    workflowId: `bare-${randomUUID()}`,
    args: [{ topic: 'otters' }],
  });
  return { startMs: performance.now() - t0, done: handle.result() };
}

interface Round {
  runsPerSecond: number;
  starts: number[];
  /** CPU ms per run: this process (API, worker, database) and the Temporal dev server. */
  cpu: { node: number; temporal: number };
}

/** CPU time (ms) the Temporal dev server has used so far: the children of this process named temporal (Linux /proc). */
function temporalCpuMs(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [comm, rest] = [stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), stat.slice(stat.lastIndexOf(')') + 2).split(' ')];
      if (comm === 'temporal' && Number(rest[1]) === process.pid) ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}
const nodeCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function round(start: () => Promise<Started>, count: number): Promise<Round> {
  const starts: number[] = [];
  let next = 0;
  const [node0, temporal0] = [nodeCpuMs(), temporalCpuMs()];
  const t0 = performance.now();
  const lane = async () => {
    while (next < count) {
      next++;
      const run = await start();
      starts.push(run.startMs);
      await run.done;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  const runsPerSecond = count / ((performance.now() - t0) / 1000);
  return { runsPerSecond, starts, cpu: { node: (nodeCpuMs() - node0) / count, temporal: (temporalCpuMs() - temporal0) / count } };
}

const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(0)} ms`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const describe = (r: Round) =>
  `${r.runsPerSecond.toFixed(1).padStart(5)} runs/s, start p50 ${pct(r.starts, 50).toFixed(0).padStart(4)} ms, p99 ${pct(r.starts, 99).toFixed(0).padStart(5)} ms, ` +
  `CPU per run ${r.cpu.node.toFixed(1)} ms node + ${r.cpu.temporal.toFixed(1)} ms Temporal`;

// Warm-up: first workflow tasks, caches, the JIT, for both.
await round(startProduct, inFlight);
await round(startBare, inFlight);

console.log(
  `overhead: input → template → upload, ${runs} runs a round, ${inFlight} in flight (${backends} backends, SDK metrics ${sdkMetrics ? 'on' : 'off'}, tracing ${tracing ? 'on' : 'off'})`,
);
const product: Round[] = [];
const bare: Round[] = [];
for (let i = 0; i < rounds; i++) {
  product.push(await round(startProduct, runs));
  console.log(`  product  ${describe(product.at(-1)!)}`);
  bare.push(await round(startBare, runs));
  console.log(`  bare     ${describe(bare.at(-1)!)}`);
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const all = (rs: Round[]): Round => ({
  runsPerSecond: mean(rs.map((r) => r.runsPerSecond)),
  starts: rs.flatMap((r) => r.starts),
  cpu: { node: mean(rs.map((r) => r.cpu.node)), temporal: mean(rs.map((r) => r.cpu.temporal)) },
});
const [p, b] = [all(product), all(bare)];
console.log(`  product  ${describe(p)}  (all rounds)`);
console.log(`  bare     ${describe(b)}  (all rounds)`);
console.log(
  `  ratio    throughput ${(p.runsPerSecond / b.runsPerSecond).toFixed(2)}× bare, start p50 ${signed(pct(p.starts, 50) - pct(b.starts, 50))}, p99 ${signed(pct(p.starts, 99) - pct(b.starts, 99))}`,
);

// What recording the product's own metrics costs (they are recorded whether or not anything scrapes).
const samples = 200_000;
let t0 = performance.now();
for (let i = 0; i < samples; i++) {
  metrics.httpRequestDuration.observe({ method: 'POST', route: '/api/pipelines/:id/runs', status: '201' }, 0.01);
}
const perRequestUs = ((performance.now() - t0) * 1000) / samples;
t0 = performance.now();
for (let i = 0; i < samples; i++) metrics.activityDuration.observe({ node_type: 'upload', outcome: 'ok' }, 0.01);
const perActivityUs = ((performance.now() - t0) * 1000) / samples;
t0 = performance.now();
const text = await registry.metrics();
const scrapeMs = performance.now() - t0;
console.log(
  `metrics: ${perRequestUs.toFixed(2)} µs per request recorded, ${perActivityUs.toFixed(2)} µs per activity, a scrape ${scrapeMs.toFixed(1)} ms (${(text.length / 1024).toFixed(0)} KiB)`,
);

bareWorker.shutdown();
await bareRunning;
await stack.stop();
rmSync(bareDir, { recursive: true, force: true });
process.exit(0);
