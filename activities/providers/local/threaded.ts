/**
 * The local text, speech and sketch providers as the worker uses them: thin proxies that run each model in a
 * thread of its own (./threads/modelThread.ts), one job at a time per model, so that the synchronous parts of the
 * work (model loading and tokenizing, eSpeak's WASM, Piper's post-processing, Flite, canvas drawing) never stall
 * the thread that serves the API and the other activities. Same requests, same results, same errors as the
 * in-process providers they wrap.
 */
import { basename, resolve } from 'node:path';
import type { ImageProgress, ImageProvider, ImageResult, SpeechProvider, SpeechResult, TextResult } from '../types';
import { createSketchImageProvider, sketchCancelled } from './sketch';
import { createLocalSpeechProvider, speechCancelled, warmLocalSpeech, type LocalSpeechOptions } from './speech';
import { abortError, createLocalTextProvider, type LocalTextProvider, type LocalTextProviderOptions } from './text';
import { asBuffer } from './threads/protocol';
import { createModelThread } from './threads/modelThread';

export interface LocalModel {
  /** Loads the model now (in its thread: starts the thread) rather than on the first request. */
  warmup(): Promise<void>;
  /** Stops the model's thread, if it has one (a later request starts a fresh one). */
  close(): Promise<void>;
}

export interface LocalModelOptions {
  /** Run on the calling thread instead (LOCAL_MODELS_IN_PROCESS=1). */
  inProcess?: boolean;
}

/** A local text model, in its own thread unless asked to run in process. */
export function localTextModel(opts: LocalTextProviderOptions, how: LocalModelOptions = {}): LocalTextProvider {
  return how.inProcess ? createLocalTextProvider(opts) : createThreadedTextProvider(opts);
}

/** The local speech provider, in its own thread unless asked to run in process. */
export function localSpeechModel(opts: LocalSpeechOptions, how: LocalModelOptions = {}): SpeechProvider & LocalModel {
  if (!how.inProcess) return createThreadedSpeechProvider(opts);
  return { ...createLocalSpeechProvider(opts), warmup: () => warmLocalSpeech(opts), close: async () => {} };
}

/** The local sketch renderer, in its own thread unless asked to run in process. */
export function localSketchModel(how: LocalModelOptions = {}): ImageProvider & LocalModel {
  if (!how.inProcess) return createThreadedSketchProvider();
  return { ...createSketchImageProvider(), warmup: async () => {}, close: async () => {} };
}

export function createThreadedSpeechProvider(opts: LocalSpeechOptions): SpeechProvider & LocalModel {
  const thread = createModelThread({
    name: 'speech',
    module: new URL('./threads/speechModel.ts', import.meta.url),
    options: opts,
    abortError: speechCancelled,
  });
  return {
    id: 'local',
    async synthesize(request, { signal, onSentence }) {
      const result = await thread.run<SpeechResult, { done: number; total: number }>('synthesize', request, {
        signal,
        onProgress: (p) => onSentence?.(p.done, p.total),
      });
      return { ...result, audio: asBuffer(result.audio) };
    },
    warmup: () => thread.warm(),
    close: () => thread.close(),
  };
}

export function createThreadedSketchProvider(): ImageProvider & LocalModel {
  const thread = createModelThread({
    name: 'sketch',
    module: new URL('./threads/sketchModel.ts', import.meta.url),
    abortError: sketchCancelled,
  });
  return {
    id: 'local',
    async generate(request, { signal, onProgress }) {
      const result = await thread.run<ImageResult, ImageProgress>('generate', request, { signal, onProgress });
      return { ...result, png: asBuffer(result.png) };
    },
    warmup: () => thread.warm(),
    close: () => thread.close(),
  };
}

/**
 * node-llama-cpp evaluates on native threads already, but loading a model, applying the chat template and
 * tokenizing are JavaScript on the calling thread (measured: 0.6 s stalls while a model loads, 50–140 ms while one
 * writes), so the model lives in a thread of its own too. Tokens stream back as progress messages.
 */
export function createThreadedTextProvider(opts: LocalTextProviderOptions): LocalTextProvider {
  const modelPath = resolve(opts.modelPath);
  const thread = createModelThread({
    name: `text ${basename(modelPath)}`,
    module: new URL('./threads/textModel.ts', import.meta.url),
    options: { ...opts, modelPath } satisfies LocalTextProviderOptions,
    abortError,
  });
  return {
    id: 'local',
    model: basename(modelPath),
    generate: (request, { signal, onToken }) => thread.run<TextResult, string>('generate', request, { signal, onProgress: onToken }),
    warmup: () => thread.warm(),
    async dispose() {
      // After the requests already queued, as the in-process provider does; the thread goes with the model.
      if (thread.running) await thread.run('dispose', undefined, { signal: new AbortController().signal });
      await thread.close();
    },
  };
}
