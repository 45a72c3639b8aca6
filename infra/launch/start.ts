/**
 * `npm start`: the whole product on the embedded defaults (or on the services the environment names):
 * Temporal dev server, worker and API in one command. With PGlite and the in-process bus the worker and
 * the API must share a process; they do here. It holds the data folder's lock: one install per folder.
 *
 * Start-up is ordered for time: the Temporal dev server (a process of its own) and a stale studio's build start
 * first, from modules that load in milliseconds; the heavy modules load, the workflow bundle is read or built and
 * the database opens and migrates while they run; the API and the worker start side by side.
 */
import { loadConfig } from '../config';
import { StartupError } from '../startupError';
import { lockDataDir } from '../dataLock';
import { hideExpectedWarnings } from '../warnings';
import { fetchModelsInBackground } from './modelFetch';
import { launchStartedAt, recordPhase } from '../startupPhases.mjs';
import {
  assertPortFree,
  closeServer,
  resolveTemporal,
  runProcess,
  serveProcessMetrics,
  startTracing,
  workerMetricsLine,
} from './processes';
import { buildStudioInBackground } from './studioBuild';

/** How long after the API and the worker are up the local models start loading. */
const WARM_MODELS_AFTER_MS = 5_000;

await runProcess(async (stopLater) => {
  const started = launchStartedAt();
  recordPhase('launcher, setup check and tsx', started);
  hideExpectedWarnings();
  const config = loadConfig();
  const lock = lockDataDir(config.dataDir, { role: 'npm start', port: config.port });
  stopLater(async () => lock.release());
  await assertPortFree(config.port);

  const temporalStarted = Date.now();
  const temporal = resolveTemporal(config);
  stopLater(async () => (await temporal.catch(() => undefined))?.devServer?.stop());
  // A dev server this process did not start belongs to another install (its own data folder and task queue): its
  // workers would pick up this install's runs. Using a running server is a choice made with TEMPORAL_ADDRESS.
  const temporalAddress = temporal.then(({ address, devServer }) => {
    recordPhase('Temporal dev server', temporalStarted);
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
    return address;
  });
  temporalAddress.catch(() => undefined); // awaited below, after the database has opened
  const studio = buildStudioInBackground(config.rootDir);
  stopLater(() => studio.stop());

  await startTracing(stopLater); // before anything opens a Temporal client or bundles workflows
  const bundleStarted = Date.now();
  void import('../workflowBundle')
    .then(({ workflowBundle }) => workflowBundle()) // a process of its own when it is not cached yet
    .then(
      () => recordPhase('workflow bundle', bundleStarted),
      () => undefined, // runWorker reports the failure
    );
  // The database opens (and migrates) while the worker's and the API's modules load: its module is asked for first.
  const servicesStarted = Date.now();
  const database = import('../db').then(({ createDatabase }) =>
    createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
  );
  database.catch(() => undefined); // a fast failure (a PostgreSQL that refuses) is reported through servicesUp, in order
  const servicesUp = import('../services').then(({ openServices }) => openServices(config, temporalAddress, database));
  servicesUp.catch(() => undefined); // awaited below, once the modules are in
  stopLater(async () => (await servicesUp.catch(() => undefined))?.close());
  const importsStarted = Date.now();
  const [{ runWorker }, { listen }] = await Promise.all([import('../worker'), import('./listen')]);
  recordPhase('worker and API modules', importsStarted);
  const services = await servicesUp;
  recordPhase('database and Temporal connection', servicesStarted);
  const metricsUrl = await serveProcessMetrics(config, stopLater);
  const sdkMetrics = await workerMetricsLine(config);

  const partsStarted = Date.now();
  const apiUp = listen(services, config.port, studio.state).then((server) => {
    recordPhase('API listen', partsStarted);
    return server;
  });
  // Loading the local models keeps this thread busy for a second or more: not while the first requests (a browser
  // opening the studio) come in.
  let ready!: () => void;
  const upAndRunning = new Promise<void>((resolve) => (ready = resolve)).then(
    () => new Promise<void>((resolve) => setTimeout(resolve, WARM_MODELS_AFTER_MS)),
  );
  const warmModels = config.warmModels && upAndRunning;
  const workerUp = runWorker(services, { warmModels, metrics: config.telemetry.metrics }).then((worker) => {
    recordPhase('worker', partsStarted);
    return worker;
  });
  // One stop for both, in the usual order: the API first, then the worker.
  stopLater(async () => {
    const [api, worker] = await Promise.allSettled([apiUp, workerUp]);
    if (api.status === 'fulfilled') await closeServer(api.value);
    if (worker.status === 'fulfilled') await worker.value.stop();
  });
  await Promise.all([workerUp, apiUp]);
  console.log(
    `worker    task queue "${config.taskQueue}"  (database ${services.dbKind}, bus ${services.bus.kind}, blobs ${services.blobs.kind})`,
  );
  console.log(`metrics   ${metricsUrl}  (API and activities)${sdkMetrics}`);
  console.log(`api       http://localhost:${config.port}/  (studio and REST; ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  ready();
  const cpu = process.cpuUsage(); // this thread's work until now: the part of the start that load on the machine stretches
  recordPhase('ready', started, Date.now(), { cpuMs: (cpu.user + cpu.system) / 1000 });
  fetchModelsInBackground(config.rootDir);
});
