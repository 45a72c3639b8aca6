/**
 * Builds the studio into studio/dist when it is missing or older than its sources (studio/src, index.html, public/,
 * vite config, and the shared pipeline language in workflows/pipeline). `npm start` and `npm test` run it;
 * `tsx studio/build.ts --force` always rebuilds.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const studioDir = dirname(fileURLToPath(import.meta.url));
const rootDir = join(studioDir, '..');
const builtMarker = join(studioDir, 'dist', 'index.html');

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
  await build({ configFile: join(studioDir, 'vite.config.ts'), root: studioDir, logLevel: 'warn' });
  if (!opts.quiet) console.log(`studio    built into studio/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureStudioBuilt({ force: process.argv.includes('--force') });
}
