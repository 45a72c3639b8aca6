/**
 * The offline text provider: a small instruction-tuned GGUF model (the default is named by
 * infra/models/text.json and fetched into .cache/models by `node infra/setup.mjs`) run on the CPU
 * through node-llama-cpp's prebuilt binaries. Nothing is built or downloaded at run time.
 *
 * - The model and one context (2048 tokens, one sequence) load lazily on the first request and stay
 *   warm for the life of the process; every provider made for the same model file shares them.
 * - Requests are serialised on that one sequence (bounded memory; no cross-talk). Each request gets a
 *   fresh chat history and an emptied sequence, so nothing leaks from one request to the next and the
 *   same seed + temperature reproduces the same text.
 * - The model's own chat template is applied (LlamaChatSession; the "auto" chat wrapper is resolved once
 *   per load and reused).
 * - A model that cannot be loaded (missing file, bad GGUF, no prebuilt binary) fails every request with a
 *   non-retryable ProviderError; the next request tries loading again.
 * - Abort: generate() rejects with an Error named 'AbortError' as soon as the signal fires, whether
 *   the request is still queued or already generating (generation stops at the next token). Partial
 *   text has already been streamed through onToken by then.
 * - promptTokens counts the templated prompt (system + user turn + chat-template tokens) as the model's
 *   tokenizer split it and the sequence evaluated it; completionTokens counts the generated tokens.
 */
import { basename, resolve } from 'node:path';
import {
  getLlama,
  LlamaChatSession,
  LlamaLogLevel,
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
} from 'node-llama-cpp';
import { defaultTextManifest, packagedModelPath } from '../../../infra/localModels';
import { ProviderError, type TextProvider, type TextRequest, type TextResult } from '../types';

export interface LocalTextProviderOptions {
  /** Path of the GGUF file (see defaultTextModelPath). */
  modelPath: string;
  /**
   * CPU threads for prompt evaluation and generation; 1 when absent. On a shared 2-core machine
   * llama.cpp's spinning thread pool collapses under contention (measured: 25 tok/s with 1 thread,
   * 0.8 tok/s with 2 while other jobs ran), so more threads only pay off on an otherwise idle box.
   */
  threads?: number;
}

export interface LocalTextProvider extends TextProvider {
  readonly id: 'local';
  /** The GGUF file name, reported as `model` in every result. */
  readonly model: string;
  /** Loads the model now instead of on the first request (e.g. at worker start). */
  warmup(): Promise<void>;
  /** Frees the model and its context once queued requests are done; a later request loads it again. */
  dispose(): Promise<void>;
}

/** Context window of the one shared context: prompt + completion must fit in it. */
export const LOCAL_TEXT_CONTEXT_SIZE = 2048;
/**
 * Used when a request has no system prompt (node-llama-cpp's own default is a long paragraph that
 * costs ~60 prompt tokens on every request).
 */
export const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant.';
/** Threads used when the caller names none (see LocalTextProviderOptions.threads). */
export const LOCAL_TEXT_DEFAULT_THREADS = 1;

/** `<rootDir>/.cache/models/<file>` for the default text model (the infra/models manifest marked `default`). */
export function defaultTextModelPath(rootDir: string): string {
  return packagedModelPath(rootDir, defaultTextManifest(rootDir).file);
}

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  /**
   * The model's chat template, resolved once: resolving it ("auto") on every new LlamaChatSession
   * cost about a second per request on this CPU.
   */
  chatWrapper: ChatWrapper;
}

interface Entry {
  loaded: Promise<Loaded>;
  /** Tail of the request queue: each request runs after the previous one settled. */
  tail: Promise<void>;
  users: number;
}

let llamaPromise: Promise<Llama> | undefined;
const entries = new Map<string, Entry>();

function llama(): Promise<Llama> {
  // CPU only, prebuilt binaries only: never compile llama.cpp or fetch anything.
  llamaPromise ??= getLlama({
    gpu: false,
    build: 'never',
    usePrebuiltBinaries: true,
    skipDownload: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.error,
  }).catch((err: unknown) => {
    llamaPromise = undefined;
    throw err;
  });
  return llamaPromise;
}

async function load(modelPath: string, threads: number | undefined): Promise<Loaded> {
  try {
    return await loadOnce(modelPath, threads);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ProviderError(`local text model ${basename(modelPath)} could not be loaded (run \`node infra/setup.mjs\`?): ${why}`, false);
  }
}

async function loadOnce(modelPath: string, threads: number | undefined): Promise<Loaded> {
  const l = await llama();
  const model = await l.loadModel({ modelPath });
  try {
    const context = await model.createContext({
      contextSize: LOCAL_TEXT_CONTEXT_SIZE,
      sequences: 1,
      threads: threads && threads > 0 ? Math.floor(threads) : LOCAL_TEXT_DEFAULT_THREADS,
    });
    const sequence = context.getSequence();
    const probe = new LlamaChatSession({ contextSequence: sequence });
    const chatWrapper = probe.chatWrapper;
    probe.dispose({ disposeSequence: false });
    return { model, context, sequence, chatWrapper };
  } catch (err) {
    await model.dispose();
    throw err;
  }
}

/** What generate() rejects with once its signal fires. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const err = new Error(reason instanceof Error && reason.message ? `generation aborted: ${reason.message}` : 'generation aborted');
  err.name = 'AbortError';
  return err;
}

export function createLocalTextProvider(opts: LocalTextProviderOptions): LocalTextProvider {
  const modelPath = resolve(opts.modelPath);
  const fileName = basename(modelPath);
  const key = `${modelPath}|${opts.threads ?? LOCAL_TEXT_DEFAULT_THREADS}`;
  let entry: Entry | undefined;

  function acquire(): Entry {
    if (entry && entries.get(key) === entry) return entry;
    let shared = entries.get(key);
    if (!shared) {
      const loaded = load(modelPath, opts.threads);
      shared = { loaded, tail: Promise.resolve(), users: 0 };
      const created = shared;
      // A failed load is not memoised: the next request tries again.
      loaded.catch(() => {
        if (entries.get(key) === created) entries.delete(key);
      });
      entries.set(key, shared);
    }
    shared.users++;
    entry = shared;
    return shared;
  }

  function checkModel(requested: string | undefined): void {
    if (!requested) return;
    const wanted = requested.replace(/\.gguf$/i, '');
    if (requested === 'local' || wanted === fileName.replace(/\.gguf$/i, '')) return;
    throw new ProviderError(`local text provider serves ${fileName}, not "${requested}"`, false);
  }

  async function run(loaded: Loaded, request: TextRequest, signal: AbortSignal, onToken?: (chunk: string) => void): Promise<TextResult> {
    const { model, sequence, chatWrapper } = loaded;
    // Fresh state per request: empty KV cache, new chat history with only this request's system prompt.
    await sequence.clearHistory();
    const session = new LlamaChatSession({
      contextSequence: sequence,
      chatWrapper,
      systemPrompt: request.system?.trim() ? request.system : DEFAULT_SYSTEM_PROMPT,
    });
    try {
      const history: ChatHistoryItem[] = [
        ...session.getChatHistory(),
        { type: 'user', text: request.prompt },
        { type: 'model', response: [] },
      ];
      // Tokenized up front only to keep prompt + completion inside the context (no context shifting).
      const estimate = chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
      const room = LOCAL_TEXT_CONTEXT_SIZE - estimate;
      if (room < 16)
        throw new ProviderError(`prompt is ${estimate} tokens; ${fileName} has a ${LOCAL_TEXT_CONTEXT_SIZE}-token context`, false);
      const metered = sequence.tokenMeter.getState();
      const maxTokens = Math.max(1, Math.min(Math.floor(request.maxTokens), room));

      let completionTokens = 0;
      const res = await session.promptWithMeta(request.prompt, {
        maxTokens,
        temperature: Math.max(0, request.temperature),
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
        signal,
        stopOnAbortSignal: false,
        onToken: (tokens) => {
          completionTokens += tokens.length;
        },
        // node-llama-cpp ends with an empty chunk; callers get only text.
        ...(onToken ? { onTextChunk: (chunk: string) => void (chunk && onToken(chunk)) } : {}),
      });
      if (signal.aborted) throw abortError(signal);
      // The sequence started empty, so every input token it evaluated belongs to the templated prompt.
      const promptTokens = sequence.tokenMeter.getState().usedInputTokens - metered.usedInputTokens || estimate;
      return { text: res.responseText, model: fileName, promptTokens, completionTokens };
    } catch (err) {
      if (signal.aborted) throw abortError(signal);
      throw err;
    } finally {
      session.dispose({ disposeSequence: false });
    }
  }

  return {
    id: 'local',
    model: fileName,

    async warmup() {
      await acquire().loaded;
    },

    generate(request, { signal, onToken }) {
      try {
        checkModel(request.model);
      } catch (err) {
        return Promise.reject(err);
      }
      if (signal.aborted) return Promise.reject(abortError(signal));
      const shared = acquire();
      const result = new Promise<TextResult>((resolveResult, reject) => {
        let started = false;
        // Leave at once when aborted while waiting for the model to load or for an earlier request.
        const onAbort = () => {
          if (!started) reject(abortError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const turn = shared.tail.then(async () => {
          if (signal.aborted) return;
          try {
            const loaded = await shared.loaded;
            if (signal.aborted) throw abortError(signal);
            started = true;
            resolveResult(await run(loaded, request, signal, onToken));
          } catch (err) {
            reject(err);
          } finally {
            signal.removeEventListener('abort', onAbort);
          }
        });
        shared.tail = turn.catch(() => undefined);
      });
      return result;
    },

    async dispose() {
      const shared = entry;
      entry = undefined;
      if (!shared) return;
      shared.users--;
      if (shared.users > 0 || entries.get(key) !== shared) return;
      entries.delete(key);
      await shared.tail;
      const loaded = await shared.loaded.catch(() => undefined);
      if (!loaded) return;
      await loaded.context.dispose();
      await loaded.model.dispose();
    },
  };
}
