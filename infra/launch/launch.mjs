#!/usr/bin/env node
// `npm start` and `npm run temporal|worker|api`: installs what is missing (infra/setup.mjs), then runs the product
// (which builds a stale studio beside its own start-up). Each step runs in its own process group, so that stopping this one process
// stops everything it started: a signal (SIGINT, SIGTERM, SIGHUP) or its parent going away (npm killed outright)
// is forwarded to the product, which stops in order; whatever still runs SHUTDOWN_DEADLINE_MS later — or at a
// second signal — is killed with its whole group. package.json `exec`s this, so npm's signals reach it directly.
// Plain JavaScript with no dependencies, because it runs before `npm install`.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordPhase } from '../startupPhases.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODES = {
  start: { main: 'infra/launch/start.ts' },
  temporal: { main: 'infra/launch/temporal-main.ts' },
  worker: { main: 'infra/launch/worker-main.ts' },
  api: { main: 'infra/launch/api-main.ts' },
};
/** Its children count their start-up time from here ("ready in"). */
const launchedAt = Date.now();
/** From the first signal until every process left is killed (the product gives up on its own at 6 s). */
const SHUTDOWN_DEADLINE_MS = 8_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** Signals this close together are one request. */
const SAME_REQUEST_MS = 1_000;

const mode = MODES[process.argv[2]];
if (!mode) {
  console.error(`usage: node infra/launch/launch.mjs ${Object.keys(MODES).join('|')}`);
  process.exit(2);
}

/** The step running now: its process leads its own group. */
let current;
/** When the first stop request came (0: none yet). */
let stopping = 0;

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already
  }
}

function stop(signal) {
  if (stopping) {
    // Asked again: no more waiting. (Ctrl-C reaches this process twice at once, from the terminal and from npm.)
    if (current && Date.now() - stopping > SAME_REQUEST_MS) killGroup(current, 'SIGKILL');
    return;
  }
  stopping = Date.now();
  if (!current) process.exit(0);
  // Only the step's leader: the product stops its parts in order (API, worker, database, then Temporal).
  current.kill(signal);
  setTimeout(() => {
    console.error(`still running ${SHUTDOWN_DEADLINE_MS / 1000} s after ${signal}: killing what is left`);
    if (current) killGroup(current, 'SIGKILL');
  }, SHUTDOWN_DEADLINE_MS).unref();
}

for (const signal of SIGNALS) process.on(signal, () => stop(signal));
const parent = process.ppid;
const watchParent = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watchParent);
  stop('SIGTERM');
}, 500).unref();

/** Runs one step to its end; resolves with its exit code (128 + n when a signal ended it). */
function step(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, LAUNCH_STARTED_AT: String(launchedAt) },
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    current = child;
    child.once('error', (err) => {
      console.error(`launcher: cannot run ${args.join(' ')}: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      killGroup(child, 'SIGKILL'); // anything it left behind (a Temporal server after a crash)
      current = undefined;
      resolve(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}

const setupStarted = Date.now();
const setup = await step(['infra/setup.mjs']);
recordPhase('setup', setupStarted);
if (setup !== 0 || stopping) process.exit(setup);
process.exit(await step(['--import', 'tsx', mode.main]));
