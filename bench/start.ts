/**
 * Seconds from `npm start` until GET /api/health answers 200, then a clean Ctrl-C.
 * Run it in a fresh clone for the cold figure (installs included), and again for the warm one:
 *
 *   git clone . /tmp/cf-cold && (cd /tmp/cf-cold && node --import tsx ../../work/main/bench/start.ts)
 *   npx tsx bench/start.ts [dir] [port]
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '.');
const port = Number(process.argv[3] ?? 3999);
const t0 = performance.now();
const child = spawn('npm', ['start'], {
  cwd: dir,
  env: { ...process.env, PORT: String(port), TEMPORAL_PORT: String(port + 10) },
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
  await new Promise((r) => setTimeout(r, 100));
}
const upSeconds = (performance.now() - t0) / 1000;
const t1 = performance.now();
process.kill(-child.pid!, 'SIGINT');
await new Promise((r) => child.once('exit', r));
console.log(`${dir}: API answered after ${upSeconds.toFixed(1)} s; stopped cleanly in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
console.log(
  log
    .split('\n')
    .filter((l) => /^(temporal|worker|api)\s/.test(l))
    .join('\n'),
);
