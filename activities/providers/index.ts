import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createGuardedFetch, createGuardedWebSocket } from '../../infra/guardedFetch';
import { defaultTextManifest, modelFetchState, textManifests, waitForModel } from '../../infra/localModels';
import { notSetUpMessage, type Credentials, type ProviderSettings } from '../../infra/providerSettings';
import type { CloudProvider, ConfigurableProvider, ImageServer } from '../../workflows/pipeline';
import { createElevenLabsSpeechProvider } from './cloud/elevenlabs';
import { createOpenAIImageProvider, createOpenAISpeechProvider, createOpenAITextProvider } from './cloud/openai';
import { createStabilityImageProvider } from './cloud/stability';
import { defaultTextModelPath, type LocalTextProvider } from './local/text';
import { localSketchModel, localSpeechModel, localTextModel } from './local/threaded';
import { loadPrices, type PriceTable } from '../../infra/prices';
import { createAutomatic1111ImageProvider } from './servers/automatic1111';
import type { ImageServerConnection } from './servers/connection';
import { createComfyUIImageProvider } from './servers/comfyui';
import { ProviderError, type ImageProvider, type SpeechProvider, type TextProvider } from './types';

/** Where a user's own keys come from (encrypted in the database); the install-wide ones come from the environment. */
export type UserCredentialLookup = (userId: string, provider: ConfigurableProvider) => Promise<Credentials | undefined>;

export interface Providers {
  prices: PriceTable;
  /** `model`, for the local provider, may name another GGUF file in the local models folder. */
  text(provider: string, userId: string, model?: string): Promise<TextProvider>;
  /**
   * Gets a local text model ready before a step uses it: waits while its file is still being fetched in the
   * background and loads it, saying so through onProgress ("fetching model 40%", "loading model"). A no-op for cloud providers.
   */
  prepareText(
    provider: string,
    model: string | undefined,
    opts: { signal: AbortSignal; onProgress(message: string, fraction?: number): void },
  ): Promise<void>;
  speech(provider: string, userId: string): Promise<SpeechProvider>;
  image(provider: string, userId: string): Promise<ImageProvider>;
  /** Loads the local models now rather than on the first run that needs them. */
  warmup(): Promise<void>;
  /** Frees the local models (worker shutdown, tests). */
  close(): Promise<void>;
}

/**
 * Hands each AI step the provider its node names. Local providers are built once per worker and
 * stay warm; cloud ones are built per call from the user's key, else the install's.
 */
export function createProviders(
  settings: ProviderSettings,
  userCredentials: UserCredentialLookup = async () => undefined,
  prices: PriceTable = loadPrices(),
): Providers {
  const localTexts = new Map<string, LocalTextProvider>();
  // Each in a thread of its own (started on first use) unless the install asks for them in process.
  const localSpeech = localSpeechModel({ rootDir: settings.rootDir }, { inProcess: settings.localModelsInProcess });
  const sketch = localSketchModel({ inProcess: settings.localModelsInProcess });
  const localTextProvider = (modelPath = settings.localTextModel ?? defaultTextModelPath(settings.rootDir)) => {
    let found = localTexts.get(modelPath);
    if (!found) localTexts.set(modelPath, (found = localTextModel({ modelPath }, { inProcess: settings.localModelsInProcess })));
    return found;
  };
  /** A GGUF file named by a node: looked up by bare file name only, in the local models folder or the packaged ones. */
  const namedModel = (model: string): string => {
    if (!/^[\w.-]+\.gguf$/i.test(model)) {
      throw new ProviderError(
        `model '${model}': name a .gguf file in ${settings.localModelsDir} (file name only), or leave it empty`,
        false,
      );
    }
    const candidates = [join(settings.localModelsDir, model), join(settings.rootDir, '.cache', 'models', model)];
    const path = candidates.find((c) => existsSync(c));
    if (!path) throw new ProviderError(`No model file '${model}' in ${settings.localModelsDir}: copy the GGUF file there`, false);
    return path;
  };
  const userFetch = createGuardedFetch(settings.outbound);

  /** A user's own key travels only through the guarded fetch, which checks every address it connects to. */
  const credentials = async (provider: CloudProvider, userId: string): Promise<Credentials & { fetch?: typeof fetch }> => {
    const own = await userCredentials(userId, provider);
    if (own) return { ...own, fetch: userFetch };
    const found = settings.environment[provider];
    if (!found) throw new ProviderError(notSetUpMessage(provider), false, 401);
    return found;
  };
  const userSocket = createGuardedWebSocket(settings.outbound);
  /** A user's own image server is reached through the guard (fetch and websocket alike); the install's is trusted. */
  const imageServer = async (server: ImageServer, userId: string): Promise<ImageServerConnection> => {
    const own = await userCredentials(userId, server);
    const found = own ?? settings.environment[server];
    if (!found?.baseUrl) throw new ProviderError(notSetUpMessage(server), false, 401);
    return {
      baseUrl: found.baseUrl,
      authorization: found.authorization,
      ...(own ? { fetch: userFetch, openSocket: userSocket } : {}),
      ...settings.imageServerTimings,
    };
  };
  const unknown = (kind: string, provider: string) => new ProviderError(`Unknown ${kind} provider '${provider}'`, false);

  /** The packaged model file a text node means (its own pick, LOCAL_TEXT_MODEL, or the default), when it is a packaged one. */
  const packagedFile = (model: string | undefined): string | undefined => {
    if (model && model !== 'local') return textManifests(settings.rootDir).find((m) => m.file === model)?.file;
    return settings.localTextModel ? undefined : defaultTextManifest(settings.rootDir).file;
  };

  return {
    prices,
    async prepareText(provider, model, { signal, onProgress }) {
      if (provider !== 'local') return;
      const file = packagedFile(model);
      if (file && modelFetchState(settings.rootDir, file).state === 'fetching') {
        await waitForModel(settings.rootDir, file, {
          signal,
          onProgress: (fraction) => onProgress(`fetching model ${Math.floor(fraction * 100)}%`, fraction),
        });
      }
      const local = localTextProvider(model && model !== 'local' ? namedModel(model) : undefined);
      // Say "loading model" only when it takes a while (it is usually loaded already).
      const warm = local.warmup();
      const loaded = await Promise.race([warm.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 150))]);
      if (!loaded) {
        onProgress('loading model', 0);
        await warm;
      }
    },
    async text(provider, userId, model) {
      if (provider === 'local') return localTextProvider(model && model !== 'local' ? namedModel(model) : undefined);
      if (provider === 'openai') return createOpenAITextProvider(await credentials('openai', userId));
      throw unknown('text', provider);
    },
    async speech(provider, userId) {
      if (provider === 'local') return localSpeech;
      if (provider === 'openai') return createOpenAISpeechProvider(await credentials('openai', userId));
      if (provider === 'elevenlabs') return createElevenLabsSpeechProvider(await credentials('elevenlabs', userId));
      throw unknown('speech', provider);
    },
    async image(provider, userId) {
      if (provider === 'local') return sketch;
      if (provider === 'openai') return createOpenAIImageProvider(await credentials('openai', userId));
      if (provider === 'stability') return createStabilityImageProvider(await credentials('stability', userId));
      if (provider === 'comfyui') return createComfyUIImageProvider(await imageServer('comfyui', userId));
      if (provider === 'automatic1111') return createAutomatic1111ImageProvider(await imageServer('automatic1111', userId));
      throw unknown('image', provider);
    },
    async warmup() {
      // A default model still being fetched in the background is loaded by the first step that needs it.
      const file = packagedFile(undefined);
      const fetching = file !== undefined && modelFetchState(settings.rootDir, file).state !== 'installed';
      await Promise.all([fetching ? undefined : localTextProvider().warmup(), localSpeech.warmup(), sketch.warmup()]);
    },
    async close() {
      await Promise.all([...[...localTexts.values()].map((p) => p.dispose()), localSpeech.close(), sketch.close()]);
    },
  };
}
