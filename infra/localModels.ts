/**
 * The local models this install has: the packaged ones named by infra/models/*.json (fetched into .cache/models by
 * infra/models.mjs, the large ones in the background) and any GGUF file a user put in the local models folder.
 * Read by the API (the `model` and `voice` enums of GET /api/nodes) and by the worker (which model file to load,
 * and waiting for one still being fetched). Only files and JSON here: the API process never loads the model stack.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ModelManifest {
  name: string;
  /** What the studio shows. */
  label?: string;
  kind?: 'text' | 'voice';
  file: string;
  sha256?: string;
  size?: number;
  /** Fetched by the worker after the API answers instead of by setup. */
  fetch?: 'background';
  /** The default text model (one manifest says so; else the first one setup fetches). */
  default?: boolean;
}

export interface Choice {
  value: string;
  label: string;
}

export type FetchState =
  { state: 'installed' } | { state: 'fetching'; fraction: number } | { state: 'failed'; error: string } | { state: 'missing' };

export function modelManifests(rootDir: string): ModelManifest[] {
  const dir = join(rootDir, 'infra', 'models');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ModelManifest);
}

export function packagedModelPath(rootDir: string, file: string): string {
  return join(rootDir, '.cache', 'models', file);
}

export function textManifests(rootDir: string): ModelManifest[] {
  return modelManifests(rootDir).filter((m) => m.kind === 'text');
}

export function defaultTextManifest(rootDir: string): ModelManifest {
  const text = textManifests(rootDir);
  const found = text.find((m) => m.default) ?? text.find((m) => m.fetch !== 'background');
  if (!found) throw new Error('infra/models has no text model manifest');
  return found;
}

function alive(pid: unknown): boolean {
  if (typeof pid !== 'number') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where a packaged model stands: installed, being fetched (by a live process), failed, or not there. */
export function modelFetchState(rootDir: string, file: string): FetchState {
  const path = packagedModelPath(rootDir, file);
  if (existsSync(path)) return { state: 'installed' };
  try {
    const status = JSON.parse(readFileSync(`${path}.fetching`, 'utf8')) as { pid?: number; fraction?: number; error?: string };
    if (status.error) return { state: 'failed', error: status.error };
    if (alive(status.pid)) return { state: 'fetching', fraction: status.fraction ?? 0 };
  } catch {
    // no status file: nobody is fetching it
  }
  return { state: 'missing' };
}

/**
 * The text models a node can pick, by file name: the packaged ones that are installed (the default's label says so)
 * or being fetched right now (the label says how far: a node that picks one waits for it), then the user's own.
 */
export function installedTextModels(rootDir: string, localModelsDir: string): Choice[] {
  const fallback = defaultTextManifest(rootDir).file;
  const packaged = textManifests(rootDir).flatMap((m) => {
    const state = modelFetchState(rootDir, m.file);
    if (state.state !== 'installed' && state.state !== 'fetching') return [];
    const notes = [m.file === fallback ? 'default' : '', state.state === 'fetching' ? `fetching ${Math.floor(state.fraction * 100)}%` : ''];
    const note = notes.filter(Boolean).join(', ');
    return [{ value: m.file, label: `${m.label ?? m.name}${note ? ` — ${note}` : ''}` }];
  });
  const own = existsSync(localModelsDir)
    ? readdirSync(localModelsDir)
        .filter((f) => /^[\w.-]+\.gguf$/i.test(f) && !packaged.some((p) => p.value === f))
        .sort()
        .map((f) => ({ value: f, label: `${f} (your models folder)` }))
    : [];
  return [...packaged, ...own];
}

/** Labels of the local voices (activities/providers/local/speech.ts serves them). */
const VOICE_LABELS: Record<string, string> = {
  joe: 'Joe — natural (Piper, US English)',
  slt: 'slt — robotic, fast (Flite, US English female)',
  rms: 'rms — robotic, fast (Flite, US English male)',
  awb: 'awb — robotic, fast (Flite, Scottish English male)',
  kal: 'kal — robotic, fastest (Flite, US English male)',
};
/** The Piper voice needs its packaged model file; the Flite ones ship in node_modules. */
const VOICE_FILES: Record<string, string> = { joe: 'en_US-joe-medium.onnx' };

export function installedVoices(rootDir: string): Choice[] {
  return Object.entries(VOICE_LABELS)
    .filter(([voice]) => !VOICE_FILES[voice] || existsSync(packagedModelPath(rootDir, VOICE_FILES[voice])))
    .map(([value, label]) => ({ value, label }));
}

/**
 * Resolves once the packaged model `file` is installed, calling onProgress while another process fetches it.
 * Rejects at once when nobody is fetching it (the message says how to get it), and when the signal fires.
 */
export async function waitForModel(
  rootDir: string,
  file: string,
  opts: { signal: AbortSignal; onProgress(fraction: number): void; pollMs?: number },
): Promise<void> {
  for (;;) {
    const state = modelFetchState(rootDir, file);
    if (state.state === 'installed') return;
    if (state.state === 'failed') throw new Error(`fetching ${file} failed: ${state.error} (retry: node infra/setup.mjs --models all)`);
    if (state.state === 'missing') throw new Error(`${file} is not installed: run \`node infra/setup.mjs --models all\` (or npm start)`);
    opts.onProgress(state.fraction);
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(done, opts.pollMs ?? 1000);
      opts.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          fail(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
        },
        { once: true },
      );
    });
  }
}
