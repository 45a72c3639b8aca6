import { spawn, type ChildProcess } from 'node:child_process';
import type { Stack } from './stack';

/** Starts `npm run worker`'s entry point as its own process (so a test can kill -9 it) and waits until it polls. */
export function startWorkerProcess(stack: Stack): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/launch/worker-main.ts'], {
    cwd: stack.config.rootDir,
    env: { ...process.env, ...stack.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^worker\s/m.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${output}`)));
  });
}
