/**
 * Builds the studio into studio/dist when it is missing or older than its sources (studio/src, index.html, public/,
 * vite config, and the shared pipeline language in workflows/pipeline). `npm start` runs it beside the rest of its
 * start-up (infra/launch/studioBuild.ts), `npm test` before the tests; `tsx studio/build.ts --force` always rebuilds.
 * A build goes to a folder of its own and then takes studio/dist's place, so that whoever serves studio/dist
 * meanwhile never sees half a build.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const studioDir = dirname(fileURLToPath(import.meta.url));
const rootDir = join(studioDir, '..');
const distDir = join(studioDir, 'dist');
const builtMarker = join(distDir, 'index.html');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function studioIsStale(): boolean {
  if (!existsSync(builtMarker)) return true;
  const built = statSync(builtMarker).mtimeMs;
  const sources = [
    join(studioDir, 'src'),
    join(studioDir, 'index.html'),
    join(studioDir, 'public'),
    join(studioDir, 'vite.config.ts'),
    join(rootDir, 'workflows', 'pipeline'),
    join(rootDir, 'api', 'schemas.ts'),
  ];
  return sources.some((s) => newestMtime(s) > built);
}

export async function ensureStudioBuilt(opts: { force?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  if (!opts.force && !studioIsStale()) return false;
  const started = Date.now();
  const { build } = await import('vite');
  const next = join(studioDir, `dist.next-${process.pid}`);
  try {
    await build({ configFile: join(studioDir, 'vite.config.ts'), root: studioDir, logLevel: 'warn', build: { outDir: next } });
    replaceDist(next);
  } finally {
    rmSync(next, { recursive: true, force: true });
  }
  if (!opts.quiet) console.log(`studio    built into studio/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

/** Puts the build in `next` where studio/dist was (a build by another process at the same time may win instead). */
function replaceDist(next: string): void {
  const old = join(studioDir, `dist.old-${process.pid}`);
  try {
    renameSync(distDir, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  renameSync(next, distDir);
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureStudioBuilt({ force: process.argv.includes('--force') });
}
