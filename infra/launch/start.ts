/**
 * `npm start`: the whole product on the embedded defaults (or on the services the environment names):
 * Temporal dev server, worker and API in one command. With PGlite and the in-process bus the worker and
 * the API must share a process; they do here. It holds the data folder's lock: one install per folder.
 */
import { loadConfig } from '../config';
import { StartupError } from '../startupError';
import { lockDataDir } from '../dataLock';
import { openServices } from '../services';
import { hideExpectedWarnings } from '../warnings';
import { runWorker, workflowBundle } from '../worker';
import { fetchModelsInBackground } from './modelFetch';
import { assertPortFree, closeServer, listen, resolveTemporal, runProcess } from './processes';

await runProcess(async (stopLater) => {
  const started = Date.now();
  hideExpectedWarnings();
  const config = loadConfig();
  const lock = lockDataDir(config.dataDir, { role: 'npm start', port: config.port });
  stopLater(async () => lock.release());
  await assertPortFree(config.port);
  void workflowBundle().catch(() => undefined); // bundles (or reads the cached bundle) while Temporal starts; runWorker reports failures
  const { address, devServer } = await resolveTemporal(config);
  if (devServer) stopLater(() => devServer.stop());
  // A dev server this process did not start belongs to another install (its own data folder and task queue): its
  // workers would pick up this install's runs. Using a running server is a choice made with TEMPORAL_ADDRESS.
  if (devServer && !devServer.owned) {
    throw new StartupError(
      `Temporal's port ${devServer.address.split(':').at(-1)} already answers (another CreativeFlow, or \`npm run temporal\`). ` +
        `Give this install its own TEMPORAL_PORT, or set TEMPORAL_ADDRESS=${devServer.address} to use that server on purpose.`,
    );
  }
  console.log(
    devServer
      ? `temporal  ${address}  (UI ${devServer.uiUrl}, data ${config.dataDir}/temporal.db)`
      : `temporal  ${address}  (TEMPORAL_ADDRESS)`,
  );
  const services = await openServices(config, address);
  stopLater(() => services.close());
  const worker = await runWorker(services, { warmModels: config.warmModels });
  stopLater(() => worker.stop());
  console.log(
    `worker    task queue "${config.taskQueue}"  (database ${services.dbKind}, bus ${services.bus.kind}, blobs ${services.blobs.kind})`,
  );
  const server = await listen(services, config.port);
  stopLater(() => closeServer(server));
  console.log(`api       http://localhost:${config.port}/  (studio and REST; ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  fetchModelsInBackground(config.rootDir);
});
