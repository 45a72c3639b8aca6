import { join } from 'node:path';
import { CLOUD_PROVIDERS, type CloudProvider } from '../workflows/pipeline/providers';
import { outboundPolicyFromEnv, type OutboundPolicy } from './netguard';

/**
 * How the install reaches its providers, read once from the environment: by the worker, which calls them, and by
 * the API, which shows users which ones are set up and checks the base URLs they save. Nothing heavy in here:
 * the API process must never load the model stack.
 */

export interface Credentials {
  apiKey: string;
  baseUrl?: string;
}

export interface ProviderSettings {
  rootDir: string;
  /** A GGUF file to use instead of the packaged default (LOCAL_TEXT_MODEL). */
  localTextModel?: string;
  /** Where a node's `model` param finds other GGUF files by name (LOCAL_MODELS_DIR, default data/models). */
  localModelsDir: string;
  /** The install-wide keys (OPENAI_API_KEY, OPENAI_BASE_URL, …), used when a user has none of their own. */
  environment: Partial<Record<CloudProvider, Credentials>>;
  /**
   * Where a user's own base URL may lead: public addresses only, unless the operator allows more
   * (PROVIDER_ALLOW_PRIVATE, PROVIDER_ALLOWED_HOSTS). The environment's base URLs are trusted.
   */
  outbound: OutboundPolicy;
}

/** The environment variables holding a cloud provider's install-wide key and base URL. */
export function providerEnvVariables(provider: CloudProvider): { apiKey: string; baseUrl: string } {
  const prefix = provider.toUpperCase();
  return { apiKey: `${prefix}_API_KEY`, baseUrl: `${prefix}_BASE_URL` };
}

export function providerSettingsFromEnv(rootDir: string, env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const environment: ProviderSettings['environment'] = {};
  for (const provider of CLOUD_PROVIDERS) {
    const names = providerEnvVariables(provider);
    const key = env[names.apiKey];
    const baseUrl = env[names.baseUrl];
    if (key || baseUrl) environment[provider] = { apiKey: key || 'not-needed', baseUrl: baseUrl || undefined };
  }
  return {
    rootDir,
    localTextModel: env.LOCAL_TEXT_MODEL || undefined,
    localModelsDir: env.LOCAL_MODELS_DIR || join(env.DATA_DIR || join(rootDir, 'data'), 'models'),
    environment,
    outbound: outboundPolicyFromEnv(env, 'PROVIDER'),
  };
}
