import type { Server } from 'node:http';
import { createServer } from 'node:net';
import type { Config } from '../config';
import { StartupError } from '../startupError';
import { startDevServer, type DevServer } from '../temporal';

/** Temporal's address: TEMPORAL_ADDRESS, or the embedded dev server (started here when not running yet). */
export async function resolveTemporal(config: Config): Promise<{ address: string; devServer?: DevServer }> {
  if (config.temporalAddress) return { address: config.temporalAddress };
  const devServer = await startDevServer(config);
  config.telemetry.temporalUiUrl ??= devServer.uiUrl; // the run view links runs to the dev server's own UI
  return { address: devServer.address, devServer };
}

/** Tracing, when OTEL_EXPORTER_OTLP_ENDPOINT asks for it: before anything opens a Temporal client or bundles workflows. */
export async function startTracing(stopLater: (stop: () => Promise<void>) => void): Promise<void> {
  const { installTracing } = await import('../tracing');
  const tracing = await installTracing();
  if (!tracing) return;
  stopLater(() => tracing.shutdown());
  console.log(`traces    OTLP to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
}

/** This process's /metrics listener (METRICS_PORT; none when off): its URL for the start-up lines. */
export async function serveProcessMetrics(config: Config, stopLater: (stop: () => Promise<void>) => void): Promise<string> {
  const { host, port } = config.telemetry.metrics;
  if (port === undefined) return 'off (METRICS_PORT=off)';
  const { serveMetrics } = await import('../telemetry');
  try {
    const server = await serveMetrics(host, port);
    stopLater(() => server.close());
    return server.url;
  } catch (err) {
    // Metrics are an aid: a port another install holds never stops the product.
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return `not served: port ${port} is in use (set METRICS_PORT to a free port, or off)`;
  }
}

/**
 * Where the worker's Temporal SDK exporter will answer, for the start-up line. A port already in use leaves it out
 * (the SDK would fail the worker's start), said in the line.
 */
export async function workerMetricsLine(config: Config): Promise<string> {
  const metrics = config.telemetry.metrics;
  if (metrics.temporalPort === undefined) return '';
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(metrics.temporalPort, metrics.host, () => probe.close(() => resolve(true)));
  });
  if (free) return `, ${(await import('../telemetry')).workerMetricsUrl(metrics)}  (Temporal SDK)`;
  const line = `, the Temporal SDK's exporter not served: port ${metrics.temporalPort} is in use (set TEMPORAL_METRICS_PORT)`;
  metrics.temporalPort = undefined;
  return line;
}

export function listenError(err: Error, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new StartupError(`Port ${port} is already in use by another program: stop it, or set PORT to a free port.`);
  if (code === 'EACCES') return new StartupError(`Not allowed to listen on port ${port}: set PORT to one above 1024.`);
  return err;
}

/** Fails with the same message listen() would, before anything else starts (on every address, as listen() binds). */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(listenError(err, port)));
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

/** Longest the in-process shutdown may take before the process exits anyway (its launcher kills what is left). */
const STOP_DEADLINE_MS = 6_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SAME_REQUEST_MS = 1_000;

/**
 * Runs a process's start-up with shutdown handled from its first moment. `start` hands `stopLater` what to stop as
 * it starts each thing; they are stopped in reverse order on SIGINT/SIGTERM/SIGHUP, when the parent process goes
 * away (a launcher killed outright), or when start-up fails half-way — then the process exits: 0 after a clean
 * stop, 1 after a failure or when stopping took longer than STOP_DEADLINE_MS. A second signal (a second later)
 * exits at once.
 */
export async function runProcess(start: (stopLater: (stop: () => Promise<void>) => void) => Promise<void>): Promise<void> {
  const stops: (() => Promise<void>)[] = [];
  let stopping = 0;
  const stopAll = (why: string, code: number) => {
    if (stopping) {
      // A terminal's Ctrl-C can arrive twice at once (to this process and, relayed, from a wrapper): one request.
      if (Date.now() - stopping < SAME_REQUEST_MS) return;
      console.log(`${why} again: exiting now`);
      process.exit(1);
    }
    stopping = Date.now();
    if (code === 0) console.log(`\n${why}: stopping…`);
    setTimeout(() => {
      console.error(`still stopping after ${STOP_DEADLINE_MS / 1000} s: exiting anyway`);
      process.exit(1);
    }, STOP_DEADLINE_MS);
    void (async () => {
      let failed = false;
      for (const stop of stops.reverse()) {
        await stop().catch((err: unknown) => {
          failed = true;
          console.error(err);
        });
      }
      process.exit(failed ? 1 : code);
    })();
  };
  for (const signal of SIGNALS) process.on(signal, () => stopAll(signal, 0));
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stopAll('parent process exited', 0), 500).unref();
  try {
    await start((stop) => stops.push(stop));
  } catch (err) {
    console.error(err instanceof StartupError ? err.message : err);
    stopAll('start-up failed', 1);
  }
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
