/**
 * `npm start`: the whole product on the embedded defaults (or on the services the environment names):
 * Temporal dev server, worker and API in one command. With PGlite and the in-process bus the worker and
 * the API must share a process; they do here.
 */
import { loadConfig } from './config';
import { hideExpectedWarnings } from './warnings';
import { closeServer, listen, onShutdown, resolveTemporal, runWorker } from './processes';
import { openServices } from './services';
import { workflowBundle } from './worker';

const started = Date.now();
hideExpectedWarnings();
const config = loadConfig();
void workflowBundle(); // bundles (or reads the cached bundle) while Temporal starts
const { address, devServer } = await resolveTemporal(config);
console.log(
  devServer
    ? `temporal  ${address}  (UI ${devServer.uiUrl}, data ${config.dataDir}/temporal.db${devServer.owned ? '' : ', already running'})`
    : `temporal  ${address}  (TEMPORAL_ADDRESS)`,
);
const services = await openServices(config, address);
const worker = await runWorker(services, { warmModels: true });
console.log(`worker    task queue "${config.taskQueue}"  (database ${services.dbKind}, bus ${services.bus.kind}, blobs ${services.blobs.kind})`);
const server = await listen(services, config.port);
console.log(`api       http://localhost:${config.port}/  (studio and REST; ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);

onShutdown(async () => {
  await closeServer(server);
  await worker.stop();
  await services.close();
  await devServer?.stop();
});
