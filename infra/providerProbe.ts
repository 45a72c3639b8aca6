import { objectInfoChoices, type ComfyObjectInfo } from '../workflows/pipeline/comfyWorkflow';
import { isImageServer, type ConfigurableProvider } from '../workflows/pipeline/providers';
import { blockedAddressIn } from './netguard';
import { imageServerEnvVariables, type Credentials } from './providerSettings';
import { sanitizeDetail } from './vendorText';

/** What a connection test found (the API's ProviderTestResult). */
export interface ProbeResult {
  ok: boolean;
  detail: string;
  models?: string[];
  samplers?: string[];
}

const NAMES: Record<ConfigurableProvider, string> = {
  openai: 'The OpenAI-compatible server',
  elevenlabs: 'ElevenLabs',
  stability: 'Stability AI',
  comfyui: 'ComfyUI',
  automatic1111: 'AUTOMATIC1111',
};
const DEFAULT_BASE: Partial<Record<ConfigurableProvider, string>> = {
  openai: 'https://api.openai.com/v1',
  elevenlabs: 'https://api.elevenlabs.io',
  stability: 'https://api.stability.ai',
};

class ProbeFailure extends Error {}

/**
 * One cheap authenticated call per provider (listing models where the vendor can), made with what is saved for the
 * user: it says whether runs will get through, and when not, what to change.
 */
export async function probeProvider(
  provider: ConfigurableProvider,
  credentials: Credentials,
  opts: { fetch: typeof fetch; source: 'user' | 'environment'; timeoutMs?: number },
): Promise<ProbeResult> {
  const base = (credentials.baseUrl ?? DEFAULT_BASE[provider] ?? '').replace(/\/+$/, '');
  const name = NAMES[provider];
  const get = async <T>(path: string, headers: Record<string, string>): Promise<T> => {
    const url = `${base}${path}`;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    let res: Response;
    try {
      res = await opts.fetch(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new ProbeFailure(unreachable(provider, base, err, timeoutMs, opts.source));
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new ProbeFailure(refused(provider, path, res.status, text));
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ProbeFailure(
        `${name} at ${base} answered ${path} with something that is not JSON: check the base URL points at the API itself`,
      );
    }
  };
  const auth: Record<string, string> = credentials.authorization ? { authorization: credentials.authorization } : {};
  try {
    switch (provider) {
      case 'openai': {
        const answer = await get<{ data?: { id: string }[] }>('/models', { authorization: `Bearer ${credentials.apiKey}` });
        const models = (answer.data ?? []).map((m) => m.id).sort();
        return { ok: true, detail: `${name} accepted the key and offers ${count(models.length, 'model')}`, models };
      }
      case 'elevenlabs': {
        const answer = await get<{ model_id: string }[]>('/v1/models', { 'xi-api-key': credentials.apiKey });
        const models = answer.map((m) => m.model_id);
        return { ok: true, detail: `${name} accepted the key and offers ${count(models.length, 'model')}`, models };
      }
      case 'stability': {
        const answer = await get<{ credits?: number }>('/v1/user/balance', { authorization: `Bearer ${credentials.apiKey}` });
        return { ok: true, detail: `${name} accepted the key (${answer.credits ?? 0} credits left)` };
      }
      case 'automatic1111': {
        const models = (await get<{ title: string }[]>('/sdapi/v1/sd-models', auth)).map((m) => m.title);
        const samplers = (await get<{ name: string }[]>('/sdapi/v1/samplers', auth)).map((s) => s.name);
        if (models.length === 0)
          return {
            ok: false,
            detail: `${name} answered but has no models: put a checkpoint in its models/Stable-diffusion folder`,
            models,
            samplers,
          };
        return {
          ok: true,
          detail: `Connected to ${name}: ${count(models.length, 'model')}, ${count(samplers.length, 'sampler')}`,
          models,
          samplers,
        };
      }
      case 'comfyui': {
        const checkpoints = await get<ComfyObjectInfo>('/object_info/CheckpointLoaderSimple', auth);
        const sampler = await get<ComfyObjectInfo>('/object_info/KSampler', auth);
        const models = objectInfoChoices(checkpoints, 'CheckpointLoaderSimple', 'ckpt_name');
        const samplers = objectInfoChoices(sampler, 'KSampler', 'sampler_name');
        if (models.length === 0)
          return {
            ok: false,
            detail: `${name} answered but has no checkpoints: put a model in its models/checkpoints folder`,
            models,
            samplers,
          };
        return {
          ok: true,
          detail: `Connected to ${name}: ${count(models.length, 'checkpoint')}, ${count(samplers.length, 'sampler')}`,
          models,
          samplers,
        };
      }
    }
  } catch (err) {
    if (err instanceof ProbeFailure) return { ok: false, detail: err.message };
    throw err;
  }
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function unreachable(
  provider: ConfigurableProvider,
  base: string,
  err: unknown,
  timeoutMs: number,
  source: 'user' | 'environment',
): string {
  const name = NAMES[provider];
  const blocked = blockedAddressIn(err);
  if (blocked) {
    const install = isImageServer(provider) ? ` or to set ${imageServerEnvVariables(provider).baseUrl} for the whole install` : '';
    const why = blocked.message.replace(/^refused to connect: /, '').replace(/ \(not a public internet address\)$/, '');
    return `${base} is not allowed: ${why}, and your own settings may reach public internet addresses only. Ask the operator to allow it with PROVIDER_ALLOWED_HOSTS${install}.`;
  }
  if ((err as Error)?.name === 'TimeoutError')
    return `${name} did not answer within ${timeoutMs / 1000} s at ${base}: check the address and that the server is up`;
  const { cause } = err as { cause?: { code?: string; message?: string } };
  const why = sanitizeDetail(String(cause?.code ?? cause?.message ?? (err as Error)?.message ?? err));
  const listen = isImageServer(provider)
    ? ` and listening on the network (${provider === 'comfyui' ? 'start ComfyUI with --listen' : 'start the web UI with --listen --api'})`
    : '';
  const whose = source === 'environment' ? ' (the install-wide address: tell the operator)' : '';
  return `Could not reach ${name} at ${base} (${why})${whose}: check the address, that the server is running${listen}`;
}

function refused(provider: ConfigurableProvider, path: string, status: number, text: string): string {
  const name = NAMES[provider];
  if (status === 401 || status === 403) {
    return isImageServer(provider)
      ? `${name} refused the request (${status}): set the Authorization header it expects (AUTOMATIC1111's --api-auth user:password means "Basic " + base64 of user:password)`
      : `${name} rejected the key (${status}): paste a valid API key and save again`;
  }
  if (status === 404 && provider === 'automatic1111')
    return `${name} has no ${path} (404): start the web UI with --api, and check the base URL is the server itself (e.g. http://gpu-box:7860)`;
  if (status === 404)
    return `${name} has no ${path} (404): check the base URL${provider === 'openai' ? ' ends where the API starts (e.g. …/v1)' : ''}`;
  if (status === 429) return `${name} is rate limiting (429): try again in a minute`;
  let detail = text;
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; detail?: unknown; message?: string };
    detail =
      typeof body.error === 'string'
        ? body.error
        : (body.error?.message ?? body.message ?? (typeof body.detail === 'string' ? body.detail : text));
  } catch {
    // not JSON: the text as it is
  }
  return `${name} answered ${status} to ${path}: ${sanitizeDetail(detail) || 'no detail'}${status >= 500 ? ' (server trouble: try again later, or look at its log)' : ''}`;
}
