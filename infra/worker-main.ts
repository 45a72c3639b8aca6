/** `npm run worker`: one worker; run N of them against a shared Temporal, PostgreSQL, Redis and S3. */
import { loadConfig } from './config';
import { hideExpectedWarnings } from './warnings';
import { onShutdown, resolveTemporal, runWorker } from './processes';
import { openServices } from './services';

hideExpectedWarnings();
const config = loadConfig();
if (!config.databaseUrl) console.warn('worker: no DATABASE_URL, using embedded PGlite — an API in another process cannot share it');
const { address } = await resolveTemporal(config);
const services = await openServices(config, address);
const worker = await runWorker(services, { warmModels: true });
console.log(`worker    ${address} task queue "${config.taskQueue}"  (database ${services.dbKind}, bus ${services.bus.kind}, blobs ${services.blobs.kind})`);
onShutdown(async () => {
  await worker.stop();
  await services.close();
});
