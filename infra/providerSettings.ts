import { join } from 'node:path';
import {
  CLOUD_PROVIDERS,
  IMAGE_SERVERS,
  type CloudProvider,
  type ConfigurableProvider,
  type ImageServer,
} from '../workflows/pipeline/providers';
import { outboundPolicyFromEnv, type OutboundPolicy } from './netguard';

/**
 * How the install reaches its providers, read once from the environment: by the worker, which calls them, and by
 * the API, which shows users which ones are set up and checks the base URLs they save. Nothing heavy in here:
 * the API process must never load the model stack.
 */

export interface Credentials {
  /** Cloud providers' key; empty for an image server. */
  apiKey: string;
  baseUrl?: string;
  /** Image servers: the Authorization header value to send (`Basic …` for AUTOMATIC1111's --api-auth, `Bearer …` behind a proxy). */
  authorization?: string;
}

export interface ProviderSettings {
  rootDir: string;
  /** A GGUF file to use instead of the packaged default (LOCAL_TEXT_MODEL). */
  localTextModel?: string;
  /**
   * Run the local text, speech and sketch models on the calling thread instead of a worker thread each
   * (LOCAL_MODELS_IN_PROCESS=1): for comparing, and for debugging a model with the process's own tools.
   */
  localModelsInProcess?: boolean;
  /** Where a node's `model` param finds other GGUF files by name (LOCAL_MODELS_DIR, default data/models). */
  localModelsDir: string;
  /**
   * The install-wide keys (OPENAI_API_KEY, OPENAI_BASE_URL, …) and image servers (COMFYUI_BASE_URL, A1111_BASE_URL),
   * used when a user has none of their own.
   */
  environment: Partial<Record<ConfigurableProvider, Credentials>>;
  /**
   * Where a user's own base URL may lead: public addresses only, unless the operator allows more
   * (PROVIDER_ALLOW_PRIVATE, PROVIDER_ALLOWED_HOSTS). The environment's base URLs are trusted.
   */
  outbound: OutboundPolicy;
  /** How long one picture on an image server may take (IMAGE_SERVER_TIMEOUT_MS), and how often progress is asked for (IMAGE_SERVER_POLL_MS). */
  imageServerTimings: { imageTimeoutMs?: number; pollMs?: number };
}

/** The environment variables holding a cloud provider's install-wide key and base URL. */
export function providerEnvVariables(provider: CloudProvider): { apiKey: string; baseUrl: string } {
  const prefix = provider.toUpperCase();
  return { apiKey: `${prefix}_API_KEY`, baseUrl: `${prefix}_BASE_URL` };
}

/** The environment variables naming the install's own image server (the names their users know: COMFYUI_, A1111_). */
export function imageServerEnvVariables(server: ImageServer): { baseUrl: string; authorization: string } {
  const prefix = server === 'comfyui' ? 'COMFYUI' : 'A1111';
  return { baseUrl: `${prefix}_BASE_URL`, authorization: `${prefix}_AUTHORIZATION` };
}

/** What to tell a user whose provider is not set up, naming both ways to set it up. */
export function notSetUpMessage(provider: ConfigurableProvider): string {
  if ((IMAGE_SERVERS as readonly string[]).includes(provider)) {
    const names = imageServerEnvVariables(provider as ImageServer);
    return `No ${provider} server set up: add its base URL in Settings → Providers, or set ${names.baseUrl} for the whole install`;
  }
  const names = providerEnvVariables(provider as CloudProvider);
  return `No credentials for ${provider}: add a key in Settings → Providers, or set ${names.apiKey} for the whole install`;
}

export function providerSettingsFromEnv(rootDir: string, env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const environment: ProviderSettings['environment'] = {};
  for (const provider of CLOUD_PROVIDERS) {
    const names = providerEnvVariables(provider);
    const key = env[names.apiKey];
    const baseUrl = env[names.baseUrl];
    if (key || baseUrl) environment[provider] = { apiKey: key || 'not-needed', baseUrl: baseUrl || undefined };
  }
  for (const server of IMAGE_SERVERS) {
    const names = imageServerEnvVariables(server);
    const baseUrl = env[names.baseUrl];
    if (baseUrl) environment[server] = { apiKey: '', baseUrl, authorization: env[names.authorization] || undefined };
  }
  return {
    rootDir,
    localTextModel: env.LOCAL_TEXT_MODEL || undefined,
    localModelsInProcess: ['1', 'true', 'yes'].includes((env.LOCAL_MODELS_IN_PROCESS ?? '').toLowerCase()),
    localModelsDir: env.LOCAL_MODELS_DIR || join(env.DATA_DIR || join(rootDir, 'data'), 'models'),
    environment,
    outbound: outboundPolicyFromEnv(env, 'PROVIDER'),
    imageServerTimings: {
      imageTimeoutMs: milliseconds(env, 'IMAGE_SERVER_TIMEOUT_MS'),
      pollMs: milliseconds(env, 'IMAGE_SERVER_POLL_MS'),
    },
  };
}

function milliseconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a whole number of milliseconds above 0, not '${raw}'`);
  return Number(raw);
}
