import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzApi, type FuzzWorld } from './support/fuzz';
import { apiClient, registerUser, startStack, waitForRun, type Stack } from './support/stack';

/**
 * The API fuzzed from its OpenAPI description by schemathesis, as a logged-in user who owns a project, pipelines,
 * a finished run and its media. `npm test` runs a bounded pass with a fixed seed; `npm run fuzz` a longer one
 * (FUZZ_EXAMPLES; FUZZ_SEED, `random` there unless given: the seed is printed, so that a finding can be replayed).
 */
const EXAMPLES = Number(process.env.FUZZ_EXAMPLES ?? 8);
const SEED = process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED ?? 20261201);
const WORKERS = Number(process.env.FUZZ_WORKERS ?? 2);
const FUZZ_TIMEOUT_MS = 120_000 + EXAMPLES * 20_000;

const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic', kind: 'text' } },
    { id: 'data', type: 'input', params: { name: 'data', kind: 'json', required: false, default: { mood: 'calm' } } },
    { id: 'text', type: 'template', params: { template: 'A story about {{topic}} ({{data}})' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [
    { source: 'topic', sourceHandle: 'value', target: 'text', targetHandle: 'topic' },
    { source: 'data', sourceHandle: 'value', target: 'text', targetHandle: 'data' },
    { source: 'text', sourceHandle: 'text', target: 'publish', targetHandle: 'file' },
  ],
};

describe('the API fuzzed from its OpenAPI description', () => {
  let stack: Stack;
  let world: FuzzWorld;
  beforeAll(async () => {
    // The webhook goes to a local port (discard, no listener), which the default policy refuses.
    stack = await startStack({ backends: 'embedded', env: { WEBHOOKS_ALLOW_PRIVATE: 'true' } });
    const user = await registerUser(stack.baseUrl);
    const projectId = (await user.client.get('/api/projects')).body.projects[0].id;
    const pipeline = await user.client.post('/api/pipelines', { name: 'Fuzzed', graph });
    const doomed = await user.client.post('/api/pipelines', { name: 'Doomed', graph });
    const run = await user.client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'otters' } });
    const done = await waitForRun(user.client, run.body.id);
    expect(done.status).toBe('succeeded');
    const schedule = await user.client.post('/api/schedules', {
      pipelineId: pipeline.body.id,
      cron: '0 9 * * MON',
      timezone: 'UTC',
      inputs: { topic: 'otters' },
      paused: true,
    });
    const webhook = await user.client.post(`/api/pipelines/${pipeline.body.id}/webhooks`, {
      url: 'http://127.0.0.1:9/fuzz',
      events: ['run.succeeded'],
    });
    const opened = await user.client.patch(`/api/projects/${projectId}`, { isPublic: true });
    const share = await user.client.post(`/api/runs/${run.body.id}/share`, {});
    expect([schedule.status, webhook.status, opened.status, share.status]).toEqual([201, 201, 200, 201]);
    world = {
      token: user.token,
      projectId,
      pipelineId: pipeline.body.id,
      doomedPipelineId: doomed.body.id,
      runId: run.body.id,
      mediaId: done.nodes.publish.output.media.id,
      scheduleId: schedule.body.id,
      webhookId: webhook.body.id,
      publicToken: opened.body.publicPath.slice('/p/'.length),
      shareToken: share.body.url.slice('/s/'.length),
    };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    'answers every generated request without a server error, and is healthy afterwards',
    { timeout: FUZZ_TIMEOUT_MS + 60_000 },
    async () => {
      const report = await fuzzApi(stack.baseUrl, world, { examples: EXAMPLES, seed: SEED, workers: WORKERS, timeoutMs: FUZZ_TIMEOUT_MS });
      const counts = new Map<number, number>();
      for (const { status } of report.exchanges) counts.set(status, (counts.get(status) ?? 0) + 1);
      const statuses = [...counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
      console.log(
        `[fuzz] seed ${SEED}, ${EXAMPLES} examples: ${report.exchanges.length} requests, ${report.serverErrors.length} answered 5xx (${statuses.join(' ')})` +
          (report.findings.length ? `; other checks found:\n  ${report.findings.join('\n  ')}` : '; no other check found anything'),
      );
      expect(report.exchanges.length, report.output.slice(-3000)).toBeGreaterThan(500);
      expect(report.serverErrors.map((e) => `${e.method} ${e.url} → ${e.status} ${e.body}`)).toEqual([]);

      // Healthy: it says so, and still does its work (the fuzzer may have deleted what it was handed).
      expect((await apiClient(stack.baseUrl).get('/api/health')).body.status).toBe('ok');
      const mine = apiClient(stack.baseUrl, world.token);
      expect((await mine.get('/api/auth/me')).status).toBe(200);
      const pipeline = await mine.post('/api/pipelines', { name: 'After the fuzz', graph });
      expect(pipeline.status).toBe(201);
      const run = await mine.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'afterwards' } });
      expect(run.status).toBe(201);
      expect((await waitForRun(mine, run.body.id)).status).toBe('succeeded');
    },
  );
});
