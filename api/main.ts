/** `npm run api`: the REST API and studio alone; scale it out behind a load balancer with REDIS_URL set. */
import { loadConfig } from '../infra/config';
import { closeServer, listen, onShutdown, resolveTemporal } from '../infra/processes';
import { openServices } from '../infra/services';

const config = loadConfig();
if (!config.redisUrl) console.warn('api: no REDIS_URL, live events reach this process only from a worker in the same process');
const { address } = await resolveTemporal(config);
const services = await openServices(config, address);
const server = await listen(services, config.port);
console.log(`api       http://localhost:${config.port}/`);
onShutdown(async () => {
  await closeServer(server);
  await services.close();
});
