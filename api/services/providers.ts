import type { z } from 'zod';
import type { Config } from '../../infra/config';
import type { CredentialStore } from '../../infra/credentials';
import { createGuardedFetch } from '../../infra/guardedFetch';
import { literalHostRefusal } from '../../infra/netguard';
import { probeProvider } from '../../infra/providerProbe';
import { notSetUpMessage, providerSettingsFromEnv, type Credentials } from '../../infra/providerSettings';
import { CONFIGURABLE_PROVIDERS, isImageServer, type ConfigurableProvider } from '../../workflows/pipeline';
import type { ProviderCredentialBody } from '../contract';
import { HttpError } from '../http';
import type { ProviderSetting, ProviderTestResult, SavedProviderSetting, Wire } from '../schemas';

const invalid = (field: string, message: string) => new HttpError(400, 'invalid_request', `Invalid body: ${field}: ${message}`);

/**
 * Which providers a user's runs can call and with whose settings: the user's own (encrypted at rest, a key never
 * sent back) before the install-wide ones from the environment. Cloud providers take a key, image servers an address.
 */
export function createProviderSettingsService(deps: { credentials: CredentialStore; config: Config }) {
  const { credentials } = deps;
  const { environment: installWide, outbound } = providerSettingsFromEnv(deps.config.rootDir);
  const userFetch = createGuardedFetch(outbound);
  return {
    async list(userId: string): Promise<Wire<typeof ProviderSetting>[]> {
      const own = new Map((await credentials.list(userId)).map((c) => [c.provider, c]));
      return CONFIGURABLE_PROVIDERS.map((provider) => {
        const mine = own.get(provider);
        const source = mine ? 'user' : installWide[provider] ? 'environment' : null;
        return {
          provider,
          configured: source !== null,
          source,
          baseUrl: mine?.baseUrl ?? installWide[provider]?.baseUrl ?? null,
          updatedAt: mine?.updatedAt ?? null,
        };
      });
    },

    /** A user's base URL may not name a loopback, private or link-local host (unless the operator allows it). */
    async save(
      userId: string,
      provider: ConfigurableProvider,
      body: z.output<typeof ProviderCredentialBody>,
    ): Promise<SavedProviderSetting> {
      const saved = checkedCredentials(provider, body);
      const refused = saved.baseUrl ? literalHostRefusal(outbound, new URL(saved.baseUrl).hostname) : null;
      if (refused) {
        const install = isImageServer(provider) ? ' (the operator can allow it with PROVIDER_ALLOWED_HOSTS)' : '';
        throw invalid('baseUrl', `${refused}; only public internet addresses are allowed${install}`);
      }
      await credentials.set(userId, provider, saved);
      return { provider, configured: true, source: 'user', baseUrl: saved.baseUrl ?? null };
    },

    /** False when the user had no settings for it. */
    remove(userId: string, provider: ConfigurableProvider): Promise<boolean> {
      return credentials.remove(userId, provider);
    },

    /** Tries what a run would use: the user's own settings through the outbound guard, else the install's (trusted). */
    async test(userId: string, provider: ConfigurableProvider): Promise<Wire<typeof ProviderTestResult>> {
      const own = await credentials.get(userId, provider);
      const found = own ?? installWide[provider];
      if (!found) return { ok: false, detail: notSetUpMessage(provider) };
      return probeProvider(provider, found, { fetch: own ? userFetch : fetch, source: own ? 'user' : 'environment' });
    },
  };
}
export type ProviderSettingsService = ReturnType<typeof createProviderSettingsService>;

/** What a provider of this kind is saved with: a cloud key (and base URL), or an image server's address (and Authorization). */
function checkedCredentials(provider: ConfigurableProvider, body: z.output<typeof ProviderCredentialBody>): Credentials {
  if (isImageServer(provider)) {
    if (body.apiKey !== undefined) throw invalid('apiKey', `${provider} takes no API key: send its Authorization header in authorization`);
    if (!body.baseUrl)
      throw invalid(
        'baseUrl',
        `required for ${provider}: the server's address, e.g. http://gpu-box:${provider === 'comfyui' ? 8188 : 7860}`,
      );
    return { apiKey: '', baseUrl: body.baseUrl, ...(body.authorization ? { authorization: body.authorization } : {}) };
  }
  if (body.authorization !== undefined) throw invalid('authorization', `only image servers take one; ${provider} takes apiKey`);
  if (!body.apiKey) throw invalid('apiKey', `required for ${provider}`);
  return { apiKey: body.apiKey, ...(body.baseUrl ? { baseUrl: body.baseUrl } : {}) };
}
