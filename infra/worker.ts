import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, createRunStore } from '../activities';
import { createProviders } from '../activities/providers';
import { createWebhookStore } from '../activities/webhookStore';
import { createWebhookActivities } from '../activities/webhooks';
import { createRunEndActivities } from '../activities/runEnd';
import { createBatchActivities } from '../activities/batches';
import { createScheduledRunActivities } from '../activities/scheduledRuns';
import { createScheduledRunStore } from '../activities/scheduledRunStore';
import { activityNodeTypes } from '../workflows/pipeline';
import { createCredentialStore, credentialsSealer } from './credentials';
import { createGuardedFetch } from './guardedFetch';
import { providerSettingsFromEnv } from './providerSettings';
import type { TelemetryConfig } from './config';
import type { Services } from './services';
import { workerRuntimeTelemetry } from './telemetry';
import { workerTracingOptions, workflowInterceptorModules } from './tracing';

const rootDir = join(dirname(new URL(import.meta.url).pathname), '..');
let bundle: Promise<WorkflowBundle> | undefined;

/**
 * The workflow code, bundled by webpack (~3 s) once per set of sources: kept in memory for the process and
 * in `.cache/workflow-bundle/<hash of workflows/ and the lockfile>.js` across restarts.
 */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= (async () => {
    const workflowInterceptors = workflowInterceptorModules(); // tracing's, only while tracing: a bundle of its own
    const variant = workflowInterceptors.length > 0 ? '-traced' : '';
    const file = join(rootDir, '.cache', 'workflow-bundle', `${workflowSourcesHash()}${variant}.js`);
    if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(rootDir, 'workflows', 'index.ts'),
      workflowInterceptorModules: workflowInterceptors,
      logger: quietLogger,
    });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.partial`, code);
    renameSync(`${file}.partial`, file);
    return { code };
  })();
  return bundle;
}

function workflowSourcesHash(): string {
  const hash = createHash('sha256').update(readFileSync(join(rootDir, 'package-lock.json')));
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) hash.update(path.slice(rootDir.length)).update(readFileSync(path));
    }
  };
  visit(join(rootDir, 'workflows'));
  return hash.digest('hex').slice(0, 16);
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn(message: string) {
    console.warn(message);
  },
  error(message: string) {
    console.error(message);
  },
};

const SHUTDOWN_GRACE = '1s';
const SHUTDOWN_FORCE = '4s';

/**
 * A step learns that its run was cancelled from the answer to a heartbeat, and a cancelled run ends only once its
 * steps have stopped: heartbeats go out at least once a second (not every 80% of the heartbeat timeout, up to 24 s
 * for an AI step), so a cancel takes about a second.
 */
export const HEARTBEAT_THROTTLE = { maxHeartbeatThrottleInterval: '1s' } as const;

/**
 * As many polls open as the server says are useful, not a fixed few: with the SDK's fixed default only 2 of the 10
 * workflow-task polls wait for new runs, and a burst of starts queued for them (bench/overhead.ts: a new run's
 * first task waited 0.5–1.5 s for a poller with 20 runs in flight, about 0.1 s with these).
 */
export const POLLING = {
  workflowTaskPollerBehavior: { type: 'autoscaling' },
  activityTaskPollerBehavior: { type: 'autoscaling' },
} as const;

export interface RunningWorker {
  worker: Worker;
  /** Settles once the worker has stopped and its connection is closed. */
  done: Promise<void>;
  /** Drains and stops the worker (Temporal's own SIGINT/SIGTERM handler may already have begun). */
  stop(): Promise<void>;
}

/** A worker polling the configured task queue. */
export async function runWorker(
  services: Services,
  opts: { warmModels?: boolean; metrics?: TelemetryConfig['metrics'] } = {},
): Promise<RunningWorker> {
  installRuntime(opts.metrics);
  const connection = await NativeConnection.connect({ address: services.temporalAddress });
  const credentials = createCredentialStore(services.db, services.config);
  const providers = createProviders(providerSettingsFromEnv(services.config.rootDir), (userId, provider) =>
    credentials.get(userId, provider),
  );
  const activities = createActivities({ store: createRunStore(services.db), blobs: services.blobs, bus: services.bus, providers });
  const { config } = services;
  const webhookActivities = createWebhookActivities({
    store: createWebhookStore(services.db, credentialsSealer(config)),
    fetch: createGuardedFetch(config.webhooks.outbound),
    publicUrl: config.publicUrl,
    firstRetryMs: config.webhooks.firstRetryMs,
  });
  const missing = missingActivities(activities);
  if (missing.length > 0) {
    await Promise.all([connection.close(), providers.close()]);
    throw new Error(`worker: no activity for node type(s) ${missing.join(', ')}; pipelines using them could never finish`);
  }
  if (opts.warmModels) {
    // In the background: the API is up at once; the first AI run finds the models loaded (or loading).
    providers.warmup().catch((err: Error) => console.warn(`worker: local models not preloaded: ${err.message}`));
  }
  const worker = await Worker.create({
    connection,
    namespace: services.config.temporalNamespace,
    taskQueue: services.config.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...activities,
      ...webhookActivities,
      ...createRunEndActivities(activities, webhookActivities),
      ...createScheduledRunActivities(createScheduledRunStore(services.db)),
      ...createBatchActivities(services.db),
    },
    ...(await workerTracingOptions()),
    ...HEARTBEAT_THROTTLE,
    ...POLLING,
    // Stopping stays well inside the launcher's deadline: in-flight activities get a moment to finish, then are
    // cancelled (delays wake, local models stop at the next token or sentence) and retried by the next worker.
    shutdownGraceTime: SHUTDOWN_GRACE,
    shutdownForceTime: SHUTDOWN_FORCE,
  });
  const done = worker.run().finally(async () => {
    await connection.close();
    await providers.close();
  });
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/** The activities the catalog's nodes call that `activities` does not implement. */
export function missingActivities(activities: object): string[] {
  return activityNodeTypes.filter((name) => typeof (activities as Record<string, unknown>)[name] !== 'function');
}

let runtimeInstalled = false;
/**
 * Once per process: worker lifecycle chatter stays out of the console (warnings and errors still show), and the
 * SDK's Prometheus exporter listens where the launcher says (none in tests that don't ask).
 */
function installRuntime(metrics: TelemetryConfig['metrics'] | undefined): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: metrics ? workerRuntimeTelemetry(metrics) : {} });
  } catch {
    // A runtime already exists (e.g. a test environment installed one); keep it.
  }
}
