import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { refuseInUnitTests } from '../projects';

const rootDir = resolve(import.meta.dirname, '..', '..');
export const MOTO_SERVER = resolve(rootDir, '.venv', 'bin', 'moto_server');

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** If the test process goes away without calling stop(), do not leave moto servers behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => child.once('exit', () => ok()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited(child);
    clearTimeout(timer);
  }
  running.delete(child);
}

/**
 * Starts the real moto S3 server (`.venv/bin/moto_server`, installed by `node infra/setup.mjs --test`) on a free
 * port of 127.0.0.1 and waits until it answers HTTP. Each call gets its own, empty server. Any credentials work.
 */
export async function startS3Server(opts: { timeoutMs?: number } = {}): Promise<{ endpoint: string; stop(): Promise<void> }> {
  refuseInUnitTests('an S3 server');
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(`moto server not found at ${MOTO_SERVER}; run \`node infra/setup.mjs --test\` first`);
  }
  installExitHook();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let lastError: Error | undefined;
  // The free port can be taken between probing and binding; then moto exits and we try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
      cwd: rootDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    running.add(child);
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4_000); // the tail, for error messages
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let spawnError: Error | undefined;
    child.once('error', (err) => (spawnError = err));

    const deadline = Date.now() + timeoutMs;
    let ready = false;
    while (Date.now() < deadline) {
      if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
      try {
        const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        ready = true;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (ready) {
      let stopping: Promise<void> | undefined;
      return {
        endpoint,
        stop: () => (stopping ??= stopChild(child)),
      };
    }
    await stopChild(child);
    const why =
      spawnError?.message ??
      (Date.now() >= deadline ? `not answering after ${timeoutMs} ms` : `exited with ${child.exitCode ?? child.signalCode}`);
    lastError = new Error(`moto server on ${endpoint} failed to start: ${why}\n${output.trim()}`);
    if (spawnError || Date.now() >= deadline) break;
  }
  throw lastError ?? new Error('moto server failed to start');
}
