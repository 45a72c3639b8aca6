/**
 * The providers a pipeline can name, in one list that the catalog's node params, the API's settings routes and
 * the worker's provider wiring all read. `local` runs on the worker itself; each cloud provider takes a key
 * (the user's own, else the install's) and an optional base URL.
 */
export const CLOUD_PROVIDERS = ['openai', 'elevenlabs', 'stability'] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

type Provider = 'local' | CloudProvider;
export const TEXT_PROVIDERS = ['local', 'openai'] as const satisfies readonly Provider[];
export const SPEECH_PROVIDERS = ['local', 'openai', 'elevenlabs'] as const satisfies readonly Provider[];
export const IMAGE_PROVIDERS = ['local', 'openai', 'stability'] as const satisfies readonly Provider[];
