import { createRequire } from 'node:module';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, createRunStore } from '../activities';
import { createProviders, providerSettingsFromEnv } from '../activities/providers';
import { createCredentialStore } from './credentials';
import type { Services } from './services';

const require = createRequire(import.meta.url);
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow code, bundled once per process (webpack is slow; a worker restart pays it once). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/index.ts'), logger: quietLogger });
  return bundle;
}

const quietLogger = {
  log() {}, trace() {}, debug() {}, info() {},
  warn(message: string) { console.warn(message); },
  error(message: string) { console.error(message); },
};

export interface RunningWorker {
  worker: Worker;
  /** Settles once the worker has stopped and its connection is closed. */
  done: Promise<void>;
  /** Drains and stops the worker (Temporal's own SIGINT/SIGTERM handler may already have begun). */
  stop(): Promise<void>;
}

/** A worker polling the configured task queue. */
export async function runWorker(services: Services, opts: { warmModels?: boolean } = {}): Promise<RunningWorker> {
  quietRuntime();
  const connection = await NativeConnection.connect({ address: services.temporalAddress });
  const credentials = createCredentialStore(services.db, services.config);
  const providers = createProviders(providerSettingsFromEnv(services.config.rootDir), (userId, provider) => credentials.get(userId, provider));
  if (opts.warmModels) {
    // In the background: the API is up at once; the first AI run finds the models loaded (or loading).
    providers.warmup().catch((err: Error) => console.warn(`worker: local models not preloaded: ${err.message}`));
  }
  const activities = createActivities({ store: createRunStore(services.db), blobs: services.blobs, bus: services.bus, providers });
  const worker = await Worker.create({
    connection,
    namespace: services.config.temporalNamespace,
    taskQueue: services.config.taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    shutdownGraceTime: '5s',
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

let runtimeInstalled = false;
/** Worker lifecycle chatter stays out of the console; warnings and errors still show. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // A runtime already exists (e.g. a test environment installed one); keep it.
  }
}
