/**
 * The providers a pipeline can name, in one list that the catalog's node params, the API's settings routes and
 * the worker's provider wiring all read. `local` runs on the worker itself; each cloud provider takes a key
 * (the user's own, else the install's) and an optional base URL; each image server (ComfyUI, AUTOMATIC1111 /
 * Forge, usually on the user's own GPU box) takes a base URL and an optional Authorization header.
 */
export const CLOUD_PROVIDERS = ['openai', 'elevenlabs', 'stability'] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

export const IMAGE_SERVERS = ['comfyui', 'automatic1111'] as const;
export type ImageServer = (typeof IMAGE_SERVERS)[number];

/** Everything a user can set up in Settings → Providers. */
export const CONFIGURABLE_PROVIDERS = [...CLOUD_PROVIDERS, ...IMAGE_SERVERS] as const;
export type ConfigurableProvider = (typeof CONFIGURABLE_PROVIDERS)[number];

export function isImageServer(provider: string): provider is ImageServer {
  return (IMAGE_SERVERS as readonly string[]).includes(provider);
}

type Provider = 'local' | ConfigurableProvider;
export const TEXT_PROVIDERS = ['local', 'openai'] as const satisfies readonly Provider[];
export const SPEECH_PROVIDERS = ['local', 'openai', 'elevenlabs'] as const satisfies readonly Provider[];
export const IMAGE_PROVIDERS = ['local', 'openai', 'stability', ...IMAGE_SERVERS] as const satisfies readonly Provider[];
