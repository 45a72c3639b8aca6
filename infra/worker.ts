import { createRequire } from 'node:module';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, createRunStore } from '../activities';
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

/** A worker polling the configured task queue; `done` settles (and its connection closes) after shutdown. */
export async function runWorker(services: Services): Promise<{ worker: Worker; done: Promise<void> }> {
  const connection = await NativeConnection.connect({ address: services.temporalAddress });
  const activities = createActivities({ store: createRunStore(services.db), blobs: services.blobs, bus: services.bus });
  const worker = await Worker.create({
    connection,
    namespace: services.config.temporalNamespace,
    taskQueue: services.config.taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    shutdownGraceTime: '5s',
  });
  const done = worker.run().finally(() => connection.close());
  return { worker, done };
}
