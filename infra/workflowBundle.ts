/**
 * The workflow code, bundled by webpack once per set of sources: kept in memory for the process and in
 * `.cache/workflow-bundle/<hash of workflows/ and the lockfile>.js` across restarts. Webpack runs in a process of
 * its own (`tsx infra/workflowBundle.ts <file> [interceptor modules…]`), so that the seconds it takes on a fresh
 * clone keep neither the API nor the database's start-up waiting for this thread.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowBundle } from '@temporalio/worker';
import { workflowInterceptorModules } from './tracing';

/**
 * Modules each workflow thread evaluates once and its workflows share (frozen), instead of once per workflow: zod's
 * module code alone was the largest part of a short run's cost in its workflow thread. Only stateless libraries
 * belong there: a module that keeps per-workflow state would leak it from one run into another.
 */
const PRELOADED_MODULES = [join(import.meta.dirname, '..', 'workflows', 'sharedLibraries.ts')];

const rootDir = join(dirname(fileURLToPath(import.meta.url)), '..');
let bundle: Promise<WorkflowBundle> | undefined;

export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= (async () => {
    const interceptors = workflowInterceptorModules(); // tracing's, only while tracing: a bundle of its own
    const file = workflowBundlePath(rootDir, interceptors.length > 0);
    if (!existsSync(file)) await bundleInChildProcess(file, interceptors);
    return { code: readFileSync(file, 'utf8') };
  })();
  bundle.catch(() => (bundle = undefined)); // a failed bundle is tried again by the next caller
  return bundle;
}

/** Where the bundle of the workflow sources under `root` is kept. */
export function workflowBundlePath(root: string, traced: boolean): string {
  return join(root, '.cache', 'workflow-bundle', `${workflowSourcesHash(root)}${traced ? '-traced' : ''}.js`);
}

/** A hash of every workflow source file (names and contents) and of the lockfile (webpack's and the SDK's versions). */
export function workflowSourcesHash(root: string): string {
  const hash = createHash('sha256')
    .update(readFileSync(join(root, 'package-lock.json')))
    .update(PRELOADED_MODULES.map((m) => relative(root, m)).join());
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) hash.update(path.slice(root.length)).update(readFileSync(path));
    }
  };
  visit(join(root, 'workflows'));
  return hash.digest('hex').slice(0, 16);
}

function bundleInChildProcess(file: string, interceptors: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), file, ...interceptors], {
      cwd: rootDir,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`bundling the workflows failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`)),
    );
  });
}

/** Writes the bundle to `file` (whole or not at all: two processes may bundle at once). */
async function writeBundle(file: string, interceptors: string[]): Promise<void> {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(rootDir, 'workflows', 'index.ts'),
    workflowInterceptorModules: interceptors,
    preloadModules: PRELOADED_MODULES,
    logger: quietLogger,
  });
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, code);
  renameSync(partial, file);
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn(message: string) {
    console.warn(message);
  },
  error(message: string) {
    console.error(message);
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, ...interceptors] = process.argv.slice(2);
  await writeBundle(file, interceptors);
}
