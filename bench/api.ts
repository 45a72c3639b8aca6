/**
 * `npm run api` alone: seconds until GET /api/health answers 200 and the API process's resident memory,
 * against a Temporal dev server started beforehand (so its start-up is not counted).
 *
 *   npx tsx bench/api.ts [runs]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../infra/config';
import { startDevServer } from '../infra/temporal';
import { freePort } from '../test/support/stack';

const root = resolve(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 3);

/** The newest node process in the tree under pid (tsx runs the program in a child node). */
function descendants(pid: number): number[] {
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [...children, ...children.flatMap(descendants)];
}

const rssMb = (pid: number) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;

const dataDir = mkdtempSync(join(tmpdir(), 'cf-bench-api-'));
const temporal = await startDevServer(loadConfig({ DATA_DIR: dataDir }), { port: await freePort(), uiPort: await freePort() });
const figures: { seconds: number; rss: number }[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const t0 = performance.now();
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['infra/launch/api-main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), TEMPORAL_ADDRESS: temporal.address, DATA_DIR: dataDir, JWT_SECRET: 'bench' },
      stdio: 'ignore',
      detached: true,
    });
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000)); // let start-up garbage settle
    const rss = Math.max(...[child.pid!, ...descendants(child.pid!)].map(rssMb));
    figures.push({ seconds, rss });
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
} finally {
  await temporal.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const f of figures) console.log(`ready in ${f.seconds.toFixed(2)} s, RSS ${f.rss.toFixed(0)} MB`);
console.log(
  `api: median ready ${median(figures.map((f) => f.seconds)).toFixed(2)} s, median RSS ${median(figures.map((f) => f.rss)).toFixed(0)} MB over ${runs} runs`,
);
