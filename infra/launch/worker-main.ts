/** `npm run worker`: one worker; run N of them against a shared Temporal, PostgreSQL, Redis and S3. */
import { loadConfig } from '../config';
import { lockDataDir } from '../dataLock';
import { openServices } from '../services';
import { hideExpectedWarnings } from '../warnings';
import { runWorker } from '../worker';
import { fetchModelsInBackground } from './modelFetch';
import { resolveTemporal, runProcess } from './processes';

await runProcess(async (stopLater) => {
  hideExpectedWarnings();
  const config = loadConfig();
  if (!config.databaseUrl) {
    console.warn('worker: no DATABASE_URL, using embedded PGlite — an API in another process cannot share it');
    const lock = lockDataDir(config.dataDir, { role: 'worker' }); // PGlite is one process's alone
    stopLater(async () => lock.release());
  }
  const { address, devServer } = await resolveTemporal(config);
  if (devServer) stopLater(() => devServer.stop());
  const services = await openServices(config, address);
  stopLater(() => services.close());
  const worker = await runWorker(services, { warmModels: config.warmModels });
  stopLater(() => worker.stop());
  console.log(
    `worker    ${address} task queue "${config.taskQueue}"  (database ${services.dbKind}, bus ${services.bus.kind}, blobs ${services.blobs.kind})`,
  );
  fetchModelsInBackground(config.rootDir);
});
