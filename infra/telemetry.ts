/**
 * Metrics and logs, installed once by each process's launcher (infra/launch/*-main.ts, start.ts).
 *
 * Metrics: one prom-client registry per process, served in Prometheus text format by `serveMetrics` on a listener
 * of its own (METRICS_HOST:METRICS_PORT, loopback by default), never through the API app: scrapes are not users,
 * and the API's auth, rate limits and route tables stay out of it. A process running a worker also opens the
 * Temporal SDK's own exporter (workflow/activity task latencies, poll and slot figures) on TEMPORAL_METRICS_PORT,
 * set up by `workerRuntimeTelemetry`. Recording a figure is a few map lookups: the cost is there whether or not
 * anyone scrapes, so it is kept to counters and histograms with few labels.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TelemetryConfig } from './config';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'creativeflow_' });

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LONG_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export const metrics = {
  httpRequestDuration: new Histogram({
    name: 'creativeflow_http_request_duration_seconds',
    help: 'API requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [registry],
  }),
  sseClients: new Gauge({
    name: 'creativeflow_sse_clients',
    help: 'Open run event streams (GET /api/runs/:id/events)',
    registers: [registry],
  }),
  throttled: new Counter({
    name: 'creativeflow_http_throttled_total',
    help: 'Requests refused with 429 by a rate limit, by limit',
    labelNames: ['limit'] as const,
    registers: [registry],
  }),
  runsStarted: new Counter({
    name: 'creativeflow_runs_started_total',
    help: 'Runs whose workflow was started, by trigger',
    labelNames: ['trigger'] as const,
    registers: [registry],
  }),
  runsFinished: new Counter({
    name: 'creativeflow_runs_finished_total',
    help: 'Runs that reached an end state, by status and trigger (counted by the worker that recorded the end)',
    labelNames: ['status', 'trigger'] as const,
    registers: [registry],
  }),
  activityDuration: new Histogram({
    name: 'creativeflow_activity_duration_seconds',
    help: 'Node activities by node type and outcome (ok, failed, cancelled)',
    labelNames: ['node_type', 'outcome'] as const,
    buckets: LONG_SECONDS,
    registers: [registry],
  }),
  providerDuration: new Histogram({
    name: 'creativeflow_provider_request_duration_seconds',
    help: 'AI provider calls (one generation) by provider, model and outcome',
    labelNames: ['provider', 'model', 'outcome'] as const,
    buckets: LONG_SECONDS,
    registers: [registry],
  }),
  providerErrors: new Counter({
    name: 'creativeflow_provider_errors_total',
    help: 'AI provider calls that failed (not cancelled), by provider',
    labelNames: ['provider'] as const,
    registers: [registry],
  }),
  providerTokens: new Counter({
    name: 'creativeflow_provider_tokens_total',
    help: 'Tokens used by AI provider calls, by provider, model and kind (prompt, completion)',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers: [registry],
  }),
  providerCost: new Counter({
    name: 'creativeflow_provider_cost_usd_total',
    help: 'Estimated cost of AI provider calls in US dollars, by provider and model',
    labelNames: ['provider', 'model'] as const,
    registers: [registry],
  }),
};

/** Seconds since `startedAt` (a `performance.now()` reading). */
export const secondsSince = (startedAt: number) => (performance.now() - startedAt) / 1000;

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the registry at GET /metrics on its own listener (port 0: any free port). */
export function serveMetrics(host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(err.message),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject); // EADDRINUSE and the like: the launcher says what to do
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** The metrics part of the Temporal runtime's telemetry options: its Prometheus exporter, when a port is configured. */
export function workerRuntimeTelemetry(config: TelemetryConfig['metrics']) {
  if (config.temporalPort === undefined) return {};
  return { metrics: { prometheus: { bindAddress: `${config.host}:${config.temporalPort}` } } };
}

/** Where the Temporal SDK's exporter answers, for the launchers' start-up lines. */
export function workerMetricsUrl(config: TelemetryConfig['metrics']): string | undefined {
  return config.temporalPort === undefined ? undefined : `http://${config.host}:${config.temporalPort}/metrics`;
}
