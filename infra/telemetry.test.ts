import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge } from '../test/support/graphs';
import { freePort, registerUser, startStack, waitForRun, type Stack } from '../test/support/stack';
import { serveMetrics, type MetricsServer } from './telemetry';
import { runWorker, type RunningWorker } from './worker';

const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'text', type: 'template', params: { template: 'A note about {{topic}}' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'text', 'topic'), edge('text', 'text', 'publish', 'file')],
};

/** The value of one sample (`name{labels} value`) in Prometheus text, 0 when the series is not there yet. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('metrics', () => {
  let stack: Stack;
  let worker: RunningWorker;
  let metrics: MetricsServer;
  let sdkMetricsUrl: string;

  beforeAll(async () => {
    stack = await startStack({
      backends: 'embedded',
      worker: false,
      env: { TEMPORAL_UI_URL: 'http://127.0.0.1:8233/', REGISTRATIONS_PER_EMAIL: '1' },
    });
    const temporalPort = await freePort();
    // The worker as a launcher starts it: the SDK's exporter on its own port (once per process: this file's worker is the first).
    worker = await runWorker(stack.services, { metrics: { host: '127.0.0.1', port: 0, temporalPort } });
    sdkMetricsUrl = `http://127.0.0.1:${temporalPort}/metrics`;
    metrics = await serveMetrics('127.0.0.1', 0);
  });
  afterAll(async () => {
    await metrics?.close();
    await worker?.stop();
    await stack?.stop();
  });

  const scrape = async () => {
    const res = await fetch(metrics.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('counts requests by route pattern, run starts and ends, and node activities by type', async () => {
    const owner = await registerUser(stack.baseUrl);
    const pipelineId = (await owner.client.post('/api/pipelines', { name: 'metered', graph })).body.id as string;
    const before = await scrape();

    const started = await owner.client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'otters' } });
    expect(started.status).toBe(201);
    expect(started.headers.get('x-request-id')).toMatch(/^[\w-]{36}$/);
    const run = await waitForRun(owner.client, started.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.workflowUrl).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/run-${run.id}`);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    const startRoute = { method: 'POST', route: '/api/pipelines/:id/runs', status: '201' };
    expect(moved('creativeflow_http_request_duration_seconds_count', startRoute)).toBe(1);
    expect(moved('creativeflow_http_request_duration_seconds_count', { route: '/api/runs/:id', status: '200' })).toBeGreaterThan(0);
    expect(moved('creativeflow_runs_started_total', { trigger: 'studio' })).toBe(1);
    expect(moved('creativeflow_runs_finished_total', { status: 'succeeded', trigger: 'studio' })).toBe(1);
    expect(moved('creativeflow_activity_duration_seconds_count', { node_type: 'upload', outcome: 'ok' })).toBe(1);
    expect(after).toContain('# TYPE creativeflow_sse_clients gauge');
    expect(after).toContain('creativeflow_process_cpu_seconds_total');
  });

  it('keeps a caller’s request id and counts unmatched API URLs under one label', async () => {
    const res = await fetch(`${stack.baseUrl}/api/no-such-thing/123`, { headers: { 'x-request-id': 'trace-abc.1' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('trace-abc.1');
    const text = await scrape();
    expect(sample(text, 'creativeflow_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBeGreaterThan(0);
    expect(text).not.toContain('no-such-thing');
  });

  it('counts requests a rate limit refused, by limit', async () => {
    const before = sample(await scrape(), 'creativeflow_http_throttled_total', { limit: 'register-email' });
    const { email } = await registerUser(stack.baseUrl);
    const again = await fetch(`${stack.baseUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery' }),
    });
    expect(again.status).toBe(429);
    const text = await scrape();
    expect(sample(text, 'creativeflow_http_throttled_total', { limit: 'register-email' }) - before).toBe(1);
  });

  it('serves only /metrics on the metrics listener', async () => {
    expect((await fetch(metrics.url.replace('/metrics', '/api/health'))).status).toBe(404);
  });

  it('opens the Temporal SDK’s own exporter on its port, with the worker’s task figures', async () => {
    const res = await fetch(sdkMetricsUrl);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/temporal_(workflow|activity)_task/);
    expect(text).toContain(`task_queue="${stack.config.taskQueue}"`);
  });
});
