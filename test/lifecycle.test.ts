import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portAnswers } from '../infra/temporal';
import { freePort, registerUser } from './support/stack';

const rootDir = join(import.meta.dirname, '..');
/** What the issue asks of a stop: every process gone within this long of the signal. */
const STOP_LIMIT_MS = 10_000;

/** A port whose +1000 neighbour (the Temporal UI) is free as well. */
async function freeTemporalPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 1000 < 65_536 && !(await portAnswers(port + 1000))) return port;
  }
}

interface Launched {
  child: ChildProcess;
  env: Record<string, string>;
  port: number;
  temporalPort: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start` (or the launcher it execs) on its own data folder and ports, as a user would run it. */
async function launch(opts: { via: 'npm' | 'launcher'; dataDir?: string; port?: number; temporalPort?: number }): Promise<Launched> {
  const port = opts.port ?? (await freePort());
  const temporalPort = opts.temporalPort ?? (await freeTemporalPort());
  const env = {
    DATA_DIR: opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cf-life-')),
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    WARM_MODELS: 'false',
  };
  const [command, args] = opts.via === 'npm' ? ['npm', ['start']] : [process.execPath, ['infra/launch/launch.mjs', 'start']];
  // Its own process group, as a terminal would give it; the test's signals go to the top process only.
  const child = spawn(command, args, { cwd: rootDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, env, port, temporalPort, output: () => output, exited };
}

async function untilHealthy(app: Launched, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${app.port}/api/health`)).status === 200) return;
    } catch {
      // not up yet
    }
    if (app.child.exitCode !== null) throw new Error(`exited early (${app.child.exitCode}):\n${app.output()}`);
    if (Date.now() > deadline) throw new Error(`not healthy after ${timeoutMs} ms:\n${app.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** [state, ppid] of a live process; undefined once it is gone (or a zombie: dead, awaiting its reaper). */
function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state === 'Z' ? undefined : { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const child = Number(name);
    const stat = Number.isInteger(child) ? procStat(child) : undefined;
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), child]);
  }
  const found: number[] = [];
  const visit = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      visit(c);
    }
  };
  visit(pid);
  return found;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '?';
  }
}

/** Waits until none of `pids` is alive; returns how long it took. */
async function untilGone(pids: number[], timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (pids.some((p) => procStat(p))) {
    if (Date.now() - started > timeoutMs) {
      const left = pids.filter((p) => procStat(p)).map((p) => `${p} ${commandOf(p)}`);
      throw new Error(`still running after ${timeoutMs} ms:\n${left.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

/** Starts a run whose only step waits a minute: shutdown catches it mid-run. */
async function startLongRun(port: number): Promise<void> {
  const { client } = await registerUser(`http://127.0.0.1:${port}`);
  const pipeline = await client.post('/api/pipelines', {
    name: 'Long wait',
    graph: {
      nodes: [
        { id: 'text', type: 'input', params: { name: 'text' } },
        { id: 'wait', type: 'delay', params: { ms: 60_000 } },
      ],
      edges: [{ source: 'text', sourceHandle: 'value', target: 'wait', targetHandle: 'in' }],
    },
  });
  const { body } = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { text: 'x' } });
  const deadline = Date.now() + 30_000;
  while ((await client.get(`/api/runs/${body.id}`)).body.nodes.wait.status !== 'running') {
    if (Date.now() > deadline) throw new Error('the delay never started');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectStoppedWithin(app: Launched, pids: number[]) {
  const took = await untilGone(pids, STOP_LIMIT_MS);
  expect(took).toBeLessThan(STOP_LIMIT_MS);
  for (const port of [app.port, app.temporalPort, app.temporalPort + 1000]) expect(await portAnswers(port)).toBe(false);
  expect(readdirSync(app.env.DATA_DIR)).not.toContain('creativeflow.lock');
}

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});
/**
 * Whatever a failed test left running is killed, and its data folder removed: every process seen under the
 * launched one (orphans no longer show as its descendants), and the process groups they lead.
 */
function track(app: Launched): Launched {
  const seen = new Map<number, string>(); // pid → command line, so that a pid reused since is left alone
  const look = () => [app.child.pid!, ...descendants(app.child.pid!)].forEach((p) => procStat(p) && seen.set(p, commandOf(p)));
  const watcher = setInterval(look, 200);
  cleanups.push(() => {
    clearInterval(watcher);
    look();
    for (const [pid, command] of seen) {
      if (!procStat(pid) || commandOf(pid) !== command) continue;
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // gone already, or not a group leader
        }
      }
    }
    rmSync(app.env.DATA_DIR, { recursive: true, force: true });
  });
  return app;
}

describe('npm start', () => {
  it('stops every process it started within 10 s when only the npm process gets SIGTERM, mid-run', async () => {
    const app = track(await launch({ via: 'npm' }));
    await untilHealthy(app);
    await startLongRun(app.port);
    const pids = descendants(app.child.pid!);
    expect(pids.map(commandOf).join('\n')).toMatch(/temporal server start-dev/);
    app.child.kill('SIGTERM');
    await expectStoppedWithin(app, pids);
    expect(await app.exited).not.toBeNull();
  });

  it('stops everything when its launcher is killed outright (no chance to forward anything)', async () => {
    const app = track(await launch({ via: 'launcher' }));
    await untilHealthy(app);
    const pids = descendants(app.child.pid!);
    app.child.kill('SIGKILL');
    await expectStoppedWithin(app, pids);
  });

  describe('while one instance runs', () => {
    let first: Launched;
    beforeAll(async () => {
      first = track(await launch({ via: 'launcher' }));
      await untilHealthy(first);
    });
    afterAll(async () => {
      first.child.kill('SIGINT');
      await untilGone([first.child.pid!, ...descendants(first.child.pid!)], STOP_LIMIT_MS).catch(() => undefined);
    });

    it('a second one on the same data folder exits non-zero at once, naming the process and port that hold it', async () => {
      const lock = JSON.parse(readFileSync(join(first.env.DATA_DIR, 'creativeflow.lock'), 'utf8')) as { pid: number; port: number };
      expect(commandOf(lock.pid)).toMatch(/infra\/launch\/start\.ts/);
      const second = track(await launch({ via: 'launcher', dataDir: first.env.DATA_DIR }));
      const started = Date.now();
      expect(await second.exited).toBe(1);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(second.output()).toContain(`in use by another CreativeFlow npm start (pid ${lock.pid}, port ${first.port},`);
      expect(second.output()).not.toMatch(/^(temporal|worker|api)\s/m); // started nothing
      expect(await portAnswers(second.temporalPort)).toBe(false);
      // The first one is untouched, lock included.
      expect((await fetch(`http://127.0.0.1:${first.port}/api/health`)).status).toBe(200);
      expect(JSON.parse(readFileSync(join(first.env.DATA_DIR, 'creativeflow.lock'), 'utf8')).pid).toBe(lock.pid);
    });

    it('one whose port is taken exits non-zero saying so, and leaves nothing running', async () => {
      const second = track(await launch({ via: 'launcher', port: first.port }));
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`Port ${first.port} is already in use`);
      expect(await portAnswers(second.temporalPort)).toBe(false);
      expect(readdirSync(second.env.DATA_DIR)).not.toContain('creativeflow.lock');
    });

    it("one with its own data folder but the first one's Temporal port exits non-zero rather than share its task queue", async () => {
      const second = track(await launch({ via: 'launcher', temporalPort: first.temporalPort }));
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`Temporal's port ${first.temporalPort} already answers`);
      expect(second.output()).not.toMatch(/^(worker|api)\s/m); // no worker polled the first one's task queue
      expect(await portAnswers(second.port)).toBe(false);
      expect(readdirSync(second.env.DATA_DIR)).not.toContain('creativeflow.lock');
      expect((await fetch(`http://127.0.0.1:${first.port}/api/health`)).status).toBe(200);
    });
  });

  it('takes over a lock left by a process that is gone, and stops cleanly on Ctrl-C in a terminal', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cf-life-'));
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.once('exit', r));
    writeFileSync(join(dataDir, 'creativeflow.lock'), JSON.stringify({ pid: gone.pid, role: 'npm start', port: 1, startedAt: 'earlier' }));
    const app = track(await launch({ via: 'npm', dataDir }));
    await untilHealthy(app);
    expect(JSON.parse(readFileSync(join(dataDir, 'creativeflow.lock'), 'utf8')).pid).not.toBe(gone.pid);
    const pids = descendants(app.child.pid!);
    // A terminal sends SIGINT to its whole foreground group (npm and the launcher); npm relays it once more.
    process.kill(-app.child.pid!, 'SIGINT');
    await expectStoppedWithin(app, pids); // the lock file is gone: the product stopped itself, nothing was killed
    expect(app.output()).toContain('SIGINT: stopping');
    expect(app.output()).not.toMatch(/killing what is left|exiting now|exiting anyway/);
  });
});
