import type { Server } from 'node:http';
import { createApp } from '../api/app';
import type { Config } from './config';
import { openServices, type Services } from './services';
import { startDevServer, type DevServer } from './temporal';
export { runWorker } from './worker';

/** Temporal's address: TEMPORAL_ADDRESS, or the embedded dev server (started here when not running yet). */
export async function resolveTemporal(config: Config): Promise<{ address: string; devServer?: DevServer }> {
  if (config.temporalAddress) return { address: config.temporalAddress };
  const devServer = await startDevServer(config);
  return { address: devServer.address, devServer };
}

export function listen(services: Services, port: number): Promise<Server> {
  const app = createApp(services);
  return new Promise((resolve, reject) => {
    const server = app.listen(port, services.config.host, () => resolve(server));
    // Longer than the usual load balancer idle timeout (60 s), so a reused keep-alive connection is
    // never closed by us just as a client sends on it (ECONNRESET), even when a busy CPU delays timers.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.once('error', reject);
  });
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    stop()
      .then(() => process.exit(0))
      .catch((err) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
