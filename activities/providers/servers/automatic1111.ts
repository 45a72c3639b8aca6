import { ProviderError, type ImageProgress, type ImageProvider } from '../types';
import { cleanupSignal, SERVER_DEFAULTS, serverJson, sleep, type ImageServerConnection } from './connection';
import { infotext, withPngText } from './png';

const VENDOR = 'AUTOMATIC1111';

interface Txt2ImgAnswer {
  images?: string[];
  /** JSON text: seed, sd_model_name, infotexts… */
  info?: string;
}
interface ProgressAnswer {
  progress?: number;
  state?: { sampling_step?: number; sampling_steps?: number; job_count?: number };
}

/**
 * AUTOMATIC1111's web UI and its forks (Forge, reForge, SD.Next's compatible API), started with --api:
 * POST /sdapi/v1/txt2img, whose answer waits for the picture, while GET /sdapi/v1/progress tells how far along it
 * is; a cancelled step sends POST /sdapi/v1/interrupt. The seed is fixed before the call, so a retry draws the
 * same picture.
 */
export function createAutomatic1111ImageProvider(conn: ImageServerConnection): ImageProvider {
  const pollMs = conn.pollMs ?? SERVER_DEFAULTS.pollMs;
  return {
    id: 'automatic1111',
    async generate(request, { signal, onProgress }) {
      const prompt = request.style ? `${request.prompt}, ${request.style} style` : request.prompt;
      const body = {
        prompt,
        negative_prompt: request.negativePrompt ?? '',
        seed: request.seed,
        steps: request.steps,
        width: request.width,
        height: request.height,
        batch_size: 1,
        n_iter: 1,
        ...(request.sampler ? { sampler_name: request.sampler } : {}),
        ...(request.model ? { override_settings: { sd_model_checkpoint: request.model }, override_settings_restore_afterwards: true } : {}),
        send_images: true,
        save_images: false,
      };
      const finished = new AbortController();
      const interrupt = () =>
        void serverJson(VENDOR, conn, '/sdapi/v1/interrupt', { method: 'POST', signal: cleanupSignal() }).catch(() => undefined);
      signal.addEventListener('abort', interrupt, { once: true });
      const polling = onProgress ? pollProgress(AbortSignal.any([signal, finished.signal]), onProgress) : Promise.resolve();
      try {
        const answer = await serverJson<Txt2ImgAnswer>(VENDOR, conn, '/sdapi/v1/txt2img', {
          method: 'POST',
          body,
          signal,
          timeoutMs: conn.imageTimeoutMs ?? SERVER_DEFAULTS.imageTimeoutMs,
        });
        const image = answer?.images?.[0];
        if (!image) throw new ProviderError(`${VENDOR} returned no image`, true);
        const info = parseInfo(answer.info);
        const model = info.sd_model_name || request.model || 'default';
        const parameters =
          info.infotexts?.[0] ??
          infotext({ ...request, prompt, seed: info.seed ?? request.seed, model, sampler: request.sampler ?? info.sampler_name });
        const png = withPngText(Buffer.from(image, 'base64'), 'parameters', parameters);
        if (png.length < 24) throw new ProviderError(`${VENDOR} returned an image that is not a PNG`, true);
        return { png, width: png.readUInt32BE(16), height: png.readUInt32BE(20), model, aiService: 'automatic1111' };
      } finally {
        finished.abort();
        signal.removeEventListener('abort', interrupt);
        await polling;
      }
    },
  };

  /** Reports the server's progress while the picture is drawn: only forward, once per step. */
  async function pollProgress(stop: AbortSignal, onProgress: (p: ImageProgress) => void): Promise<void> {
    let last = -1;
    while (!stop.aborted) {
      await sleep(pollMs, stop);
      if (stop.aborted) return;
      const answer = await serverJson<ProgressAnswer>(VENDOR, conn, '/sdapi/v1/progress?skip_current_image=true', {
        signal: stop,
      }).catch(() => undefined);
      const fraction = answer?.progress ?? 0;
      const { sampling_step: step, sampling_steps: steps } = answer?.state ?? {};
      if (!stop.aborted && fraction > last && fraction > 0 && fraction < 1) {
        last = fraction;
        onProgress({ fraction, message: step !== undefined && steps ? `step ${step}/${steps}` : 'drawing' });
      }
    }
  }
}

function parseInfo(info: string | undefined): { seed?: number; sd_model_name?: string; sampler_name?: string; infotexts?: string[] } {
  try {
    return info ? JSON.parse(info) : {};
  } catch {
    return {};
  }
}
