/**
 * Seconds from `npm start` until GET /api/health answers 200, then a clean Ctrl-C; with the time of each start-up
 * phase the launcher, setup and the product record (infra/startupPhases.mjs): npm install, Temporal CLI, model
 * files, studio build, Temporal dev server, modules, workflow bundle, database, worker, API.
 *
 *   npx tsx bench/start.ts [dir] [port]            one start of the install in dir (cold when nothing is installed)
 *   npx tsx bench/start.ts --fresh [repo] [port]   clones repo into /tmp/cf-cold-<time>, then starts it cold and
 *                                                  twice warm (and removes the clone)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface Phase {
  phase: string;
  start: number;
  end: number;
  /** CPU time the product's process had used by then (the 'ready' phase). */
  cpuMs?: number;
}

const args = process.argv.slice(2);
const fresh = args[0] === '--fresh';
if (fresh) args.shift();
const port = Number(args[1] ?? 3999);

async function startOnce(dir: string, label: string): Promise<void> {
  const phasesFile = join(mkdtempSync(join(tmpdir(), 'cf-phases-')), 'phases.jsonl');
  const t0 = Date.now();
  const child = spawn('npm', ['start'], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      TEMPORAL_PORT: String(port + 10),
      METRICS_PORT: String(port + 20),
      TEMPORAL_METRICS_PORT: String(port + 21),
      STARTUP_PHASES_FILE: phasesFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));

  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) {
      console.error(log);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const upSeconds = (Date.now() - t0) / 1000;
  const studioStatus = (await fetch(`http://127.0.0.1:${port}/`)).status;
  const t1 = Date.now();
  process.kill(-child.pid!, 'SIGINT');
  await new Promise((r) => child.once('exit', r));
  const stopSeconds = (Date.now() - t1) / 1000;

  console.log(
    `\n${label} ${dir}: API answered after ${upSeconds.toFixed(1)} s (studio ${studioStatus}); stopped cleanly in ${stopSeconds.toFixed(1)} s`,
  );
  const phases = readPhases(phasesFile);
  rmSync(join(phasesFile, '..'), { recursive: true, force: true });
  for (const p of phases) {
    const from = (p.start - t0) / 1000;
    const to = (p.end - t0) / 1000;
    const cpu = p.cpuMs === undefined ? '' : `, product process CPU ${(p.cpuMs / 1000).toFixed(1)} s`;
    console.log(
      `  ${p.phase.padEnd(34)} ${from.toFixed(1).padStart(6)} → ${to.toFixed(1).padStart(6)} s  (${(to - from).toFixed(1)} s${cpu})`,
    );
  }
  console.log(
    log
      .split('\n')
      .filter((l) => /^(temporal|worker|api|studio|\[setup\] done)\s/.test(l))
      .map((l) => `  | ${l}`)
      .join('\n'),
  );
}

function readPhases(file: string): Phase[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Phase)
      .sort((a, b) => a.start - b.start);
  } catch {
    return [];
  }
}

if (fresh) {
  const repo = resolve(args[0] ?? '.');
  const dir = `/tmp/cf-cold-${Date.now()}`;
  execFileSync('git', ['clone', '-q', repo, dir]);
  try {
    await startOnce(dir, 'cold');
    await startOnce(dir, 'warm');
    await startOnce(dir, 'warm');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  await startOnce(resolve(args[0] ?? '.'), 'start');
}
