/**
 * The studio's build beside the rest of `npm start`: a missing or stale studio/dist is built by a child process
 * (`studio/build.ts`) while Temporal, the database and the worker start, rather than before them. Until it is done
 * the API's studio paths answer with a page that says so and reloads itself (api/routes/studio.ts).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StudioState } from '../../api/routes/studio';
import { studioIsStale } from '../../studio/build';
import { recordPhase } from '../startupPhases.mjs';

export interface StudioBuild {
  state(): StudioState;
  /** Settles when the build has ended (at once when there was nothing to build). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export function buildStudioInBackground(rootDir: string): StudioBuild {
  if (!studioIsStale()) return { state: () => 'ready', done: Promise.resolve(), stop: async () => {} };
  const started = Date.now();
  let state: StudioState = 'building';
  const child = spawn(process.execPath, ['--import', 'tsx', join(rootDir, 'studio', 'build.ts')], {
    cwd: rootDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const done = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      state = 'failed';
      console.error(`studio    could not start its build: ${err.message}`);
      resolve();
    });
    child.once('exit', (code, signal) => {
      recordPhase('studio build', started);
      state = code === 0 ? 'ready' : 'failed';
      if (code !== 0 && !signal) console.error(`studio    build failed (exit ${code}): npm run studio:build shows why`);
      resolve();
    });
  });
  return {
    state: () => state,
    done,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await done;
    },
  };
}
