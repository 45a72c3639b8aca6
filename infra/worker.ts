import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
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
import { workerTracingOptions } from './tracing';
import { workflowBundle } from './workflowBundle';

export { workflowBundle } from './workflowBundle';

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
  opts: {
    /** Loads the local models in the background: now (true), or once this settles (`npm start`: once the API answers). */
    warmModels?: boolean | Promise<unknown>;
    metrics?: TelemetryConfig['metrics'];
  } = {},
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
    // In the background: the API is up at once; the first AI run finds the models loaded (or loading). Loading a
    // model keeps this thread busy for a second or so, hence after the API answers when there is one to wait for.
    void Promise.resolve(opts.warmModels)
      .catch(() => undefined)
      .then(() => providers.warmup())
      .catch((err: Error) => console.warn(`worker: local models not preloaded: ${err.message}`));
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
