/** The API's listener for the launchers (its own module: `npm start` loads the API's modules while Temporal starts). */
import type { Server } from 'node:http';
import { createApp } from '../../api/app';
import type { StudioState } from '../../api/routes/studio';
import type { Services } from '../services';
import { listenError } from './processes';

/** The API (and the studio, in the state `studio` reports) on `port`. */
export function listen(services: Services, port: number, studio?: () => StudioState): Promise<Server> {
  const app = createApp(services, { studio });
  return new Promise((resolve, reject) => {
    // Express 5 calls this back with the error when listening fails (a port in use), not only on success.
    const server = app.listen(port, services.config.host, (err?: Error) => (err ? reject(listenError(err, port)) : resolve(server)));
    // Longer than the usual load balancer idle timeout (60 s), so a reused keep-alive connection is
    // never closed by us just as a client sends on it (ECONNRESET), even when a busy CPU delays timers.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
  });
}
