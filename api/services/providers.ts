import type { Config } from '../../infra/config';
import type { CredentialStore } from '../../infra/credentials';
import { literalHostRefusal } from '../../infra/netguard';
import { providerSettingsFromEnv, type Credentials } from '../../infra/providerSettings';
import { CLOUD_PROVIDERS, type CloudProvider } from '../../workflows/pipeline';
import { HttpError } from '../http';
import type { ProviderSetting, SavedProviderSetting, Wire } from '../schemas';

/**
 * Which cloud providers a user's runs can call and with whose key: the user's own (encrypted at rest,
 * never sent back) before the install-wide one from the environment.
 */
export function createProviderSettingsService(deps: { credentials: CredentialStore; config: Config }) {
  const { credentials } = deps;
  const { environment: installWide, outbound } = providerSettingsFromEnv(deps.config.rootDir);
  return {
    async list(userId: string): Promise<Wire<typeof ProviderSetting>[]> {
      const own = new Map((await credentials.list(userId)).map((c) => [c.provider, c]));
      return CLOUD_PROVIDERS.map((provider) => {
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
    async save(userId: string, provider: CloudProvider, key: Credentials): Promise<SavedProviderSetting> {
      const refused = key.baseUrl ? literalHostRefusal(outbound, new URL(key.baseUrl).hostname) : null;
      if (refused)
        throw new HttpError(400, 'invalid_request', `Invalid body: baseUrl: ${refused}; only public internet addresses are allowed`);
      await credentials.set(userId, provider, key);
      return { provider, configured: true, source: 'user', baseUrl: key.baseUrl ?? null };
    },

    /** False when the user had no key for it. */
    remove(userId: string, provider: CloudProvider): Promise<boolean> {
      return credentials.remove(userId, provider);
    },
  };
}
export type ProviderSettingsService = ReturnType<typeof createProviderSettingsService>;
