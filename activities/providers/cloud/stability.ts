import { ProviderError, type ImageProvider } from '../types';
import { vendorFetch } from './http';

export interface StabilityCredentials {
  apiKey: string;
  baseUrl?: string;
  /** Per-request deadline; a missed one is retried. */
  timeoutMs?: number;
  /** How requests go out: the guarded fetch for a user's own base URL. */
  fetch?: typeof fetch;
}

const ASPECT_RATIOS: [string, number][] = [
  ['21:9', 21 / 9],
  ['16:9', 16 / 9],
  ['3:2', 3 / 2],
  ['5:4', 5 / 4],
  ['1:1', 1],
  ['4:5', 4 / 5],
  ['2:3', 2 / 3],
  ['9:16', 9 / 16],
  ['9:21', 9 / 21],
];
/** Our styles → Stability's style_preset values (watercolor has no preset; it goes into the prompt). */
const STYLE_PRESETS: Record<string, string> = {
  ink: 'line-art',
  flat: 'digital-art',
  photographic: 'photographic',
  'digital-art': 'digital-art',
};

function nearestAspectRatio(width: number, height: number): string {
  const ratio = width / height;
  return ASPECT_RATIOS.reduce((best, candidate) => (Math.abs(candidate[1] - ratio) < Math.abs(best[1] - ratio) ? candidate : best))[0];
}

/** Stability's error bodies: `{id, name, errors: [string]}`. */
function describeError(body: unknown, text: string): string {
  const b = body as { name?: string; errors?: string[] } | undefined;
  return b?.errors?.length ? `${b.name ?? 'error'}: ${b.errors.join('; ')}` : text;
}

/** Stability AI Stable Image (POST /v2beta/stable-image/generate/{core|ultra|sd3}), PNG out. */
export function createStabilityImageProvider(creds: StabilityCredentials): ImageProvider {
  const base = (creds.baseUrl ?? 'https://api.stability.ai').replace(/\/+$/, '');
  return {
    id: 'stability',
    async generate(request, { signal }) {
      const model = request.model || 'core';
      const form = new FormData();
      const preset = request.style ? STYLE_PRESETS[request.style] : undefined;
      form.set('prompt', preset || !request.style ? request.prompt : `${request.prompt}, ${request.style} style`);
      form.set('output_format', 'png');
      form.set('aspect_ratio', nearestAspectRatio(request.width, request.height));
      form.set('seed', String(request.seed));
      if (preset) form.set('style_preset', preset);
      const res = await vendorFetch('Stability AI', `${base}/v2beta/stable-image/generate/${encodeURIComponent(model)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${creds.apiKey}`, accept: 'image/*' },
        body: form,
        timeoutMs: creds.timeoutMs ?? 180_000,
        signal,
        describe: describeError,
        fetch: creds.fetch,
      });
      if (res.headers.get('finish-reason') === 'CONTENT_FILTERED') {
        throw new ProviderError('Stability AI filtered the image for content; change the prompt', false, 200);
      }
      const png = Buffer.from(await res.arrayBuffer());
      return { png, width: png.readUInt32BE(16), height: png.readUInt32BE(20), model: `stable-image-${model}`, aiService: 'stability' };
    },
  };
}
