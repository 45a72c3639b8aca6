/**
 * Schedule fire → run `running` lag: an every-2-seconds schedule fires N times; for each firing, the time from
 * the instant it was due (Temporal's scheduledAt) to the instant its run reported `running` (the run's
 * startedAt, the workflow's own clock). That covers Temporal's scheduler, the scheduled workflow, the activity
 * that records the run, and the start of the pipeline's child workflow. On the embedded defaults (PGlite,
 * in-process bus, local files, Temporal dev server) unless BENCH_BACKENDS=servers. Prints figures; asserts nothing.
 *
 *   npx tsx bench/schedules.ts [firings=30]
 */
import { registerUser, startStack, waitForRun } from '../test/support/stack';

const firings = Math.max(1, Number(process.argv[2] ?? 30));
const stack = await startStack({ backends: process.env.BENCH_BACKENDS === 'servers' ? 'servers' : 'embedded' });
const { client } = await registerUser(stack.baseUrl);

const pipeline = await client.post('/api/pipelines', {
  name: 'tick',
  graph: {
    nodes: [
      { id: 'in', type: 'input', params: { name: 'text' } },
      { id: 't', type: 'template', params: { template: 'tick {{x}}' } },
    ],
    edges: [{ source: 'in', sourceHandle: 'value', target: 't', targetHandle: 'x' }],
  },
});
const schedule = await client.post('/api/schedules', { pipelineId: pipeline.body.id, every: '2s', inputs: { text: 'go' } });
if (schedule.status !== 201) throw new Error(`schedule not created: ${schedule.status} ${schedule.text}`);
const id = schedule.body.id as string;

// Temporal keeps a schedule's last 10 actions: read them often enough that none is missed, skipping the first (warm-up).
const seen = new Map<string, string>();
let first: string | undefined;
while (seen.size < firings) {
  const { body } = await client.get(`/api/schedules/${id}`);
  for (const r of body.recentRuns as { runId: string; scheduledAt: string }[]) {
    first ??= r.runId;
    if (r.runId !== first && !seen.has(r.runId) && seen.size < firings) seen.set(r.runId, r.scheduledAt);
  }
  await new Promise((r) => setTimeout(r, 3_000));
}
await client.post(`/api/schedules/${id}/pause`, { note: 'bench done' });

const lags: number[] = [];
for (const [runId, scheduledAt] of seen) {
  const run = await waitForRun(client, runId);
  if (run.status !== 'succeeded' || !run.startedAt) throw new Error(`run ${runId} ${run.status}: ${run.error}`);
  lags.push(Date.parse(run.startedAt) - Date.parse(scheduledAt));
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
console.log(
  `schedule fire → run running over ${lags.length} firings (every 2 s, ${stack.services.dbKind}): ` +
    `p50 ${pct(lags, 50).toFixed(0)} ms, p99 ${pct(lags, 99).toFixed(0)} ms, max ${Math.max(...lags).toFixed(0)} ms`,
);
await stack.stop();
process.exit(0);
