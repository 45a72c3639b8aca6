/**
 * The large local models ("fetch": "background" in infra/models/*.json) are fetched after the API answers, so a new
 * user's first `npm start` is not slower to answer: `node infra/models.mjs --background` prints its progress to the
 * terminal and keeps a status file the worker (a run waiting for the model) and GET /api/nodes read.
 * It is a child of this process (same process group): stopping the product stops it; the next start begins again.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { modelManifests, packagedModelPath } from '../localModels';

export function fetchModelsInBackground(rootDir: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.SKIP_MODELS === '1') return;
  const missing = modelManifests(rootDir).filter(
    (m) => m.fetch === 'background' && m.default && !existsSync(packagedModelPath(rootDir, m.file)),
  );
  if (!missing.length) return;
  const child = spawn(process.execPath, [join(rootDir, 'infra', 'models.mjs'), '--background'], {
    cwd: rootDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('error', (err) => console.warn(`models    could not start the background fetch: ${err.message}`));
}
