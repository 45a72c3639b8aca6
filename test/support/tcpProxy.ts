import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  port: number;
  /** An outage: every open connection is reset and new ones are refused until restore(). */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy on a free local port to `target`, for simulating a backing service going away and coming back. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const listen = (server: Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const serve = () =>
    createServer((client) => {
      const upstream = connect(target);
      track(client);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  const closeServer = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

  let server: Server | undefined = serve();
  await listen(server, 0);
  const { port } = server.address() as AddressInfo;
  return {
    port,
    async cut() {
      if (!server) return;
      const closing = closeServer(server);
      server = undefined;
      for (const s of sockets) s.resetAndDestroy();
      await closing;
    },
    async restore() {
      if (server) return;
      server = serve();
      await listen(server, port);
    },
    async close() {
      for (const s of sockets) s.destroy();
      if (server) await closeServer(server);
      server = undefined;
    },
  };
}
