/** `npm run api`: the REST API and studio alone; scale it out behind a load balancer with REDIS_URL set. */
import { loadConfig } from '../config';
import { lockDataDir } from '../dataLock';
import { openServices } from '../services';
import { listen } from './listen';
import { assertPortFree, closeServer, resolveTemporal, runProcess, serveProcessMetrics, startTracing } from './processes';
import { buildStudioInBackground } from './studioBuild';

await runProcess(async (stopLater) => {
  const config = loadConfig();
  await startTracing(stopLater);
  if (!config.redisUrl) console.warn('api: no REDIS_URL, live events reach this process only from a worker in the same process');
  if (!config.databaseUrl) {
    const lock = lockDataDir(config.dataDir, { role: 'API', port: config.port }); // PGlite is one process's alone
    stopLater(async () => lock.release());
  }
  await assertPortFree(config.port);
  const studio = buildStudioInBackground(config.rootDir);
  stopLater(() => studio.stop());
  const { address, devServer } = await resolveTemporal(config);
  if (devServer) stopLater(() => devServer.stop());
  const services = await openServices(config, address);
  stopLater(() => services.close());
  const server = await listen(services, config.port, studio.state);
  stopLater(() => closeServer(server));
  console.log(`api       http://localhost:${config.port}/`);
  console.log(`metrics   ${await serveProcessMetrics(config, stopLater)}`);
});
