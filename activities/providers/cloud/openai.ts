import OpenAI from 'openai';
import { ProviderError, type ImageProvider, type SpeechProvider, type TextProvider } from '../types';
import { blockedConnection, errorForStatus } from './http';

export interface OpenAICredentials {
  apiKey: string;
  /** Any OpenAI-compatible server: OpenAI, Ollama, vLLM, LM Studio, llama.cpp server, LocalAI. */
  baseUrl?: string;
  /** Per-request deadline; a missed one is retried. */
  timeoutMs?: number;
  /** How requests go out: the guarded fetch for a user's own base URL. */
  fetch?: typeof fetch;
}

const VENDOR = 'OpenAI-compatible API';
export const OPENAI_DEFAULTS = { text: 'gpt-4o-mini', speech: 'tts-1', voice: 'alloy', image: 'dall-e-3' };

function client(creds: OpenAICredentials, timeoutMs: number): OpenAI {
  // Temporal owns retries (with back-off and Retry-After); the SDK must not retry on its own.
  return new OpenAI({ apiKey: creds.apiKey, baseURL: creds.baseUrl, maxRetries: 0, timeout: timeoutMs, fetch: creds.fetch });
}

/** The SDK's errors as ProviderErrors: 4xx rejections are final, 429/5xx/timeouts are retried. */
function mapError(err: unknown, signal: AbortSignal): unknown {
  if (signal.aborted || err instanceof OpenAI.APIUserAbortError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new ProviderError(`${VENDOR} did not answer in time`, true);
  if (err instanceof OpenAI.APIConnectionError)
    return blockedConnection(VENDOR, err) ?? new ProviderError(`${VENDOR} is unreachable: ${err.message}`, true);
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    const detail = (err.error as { message?: string } | undefined)?.message ?? err.message;
    return errorForStatus(VENDOR, err.status, detail, err.headers?.get('retry-after'));
  }
  return err;
}

async function guarded<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw mapError(err, signal);
  }
}

export function createOpenAITextProvider(creds: OpenAICredentials): TextProvider {
  return {
    id: 'openai',
    generate: (request, { signal, onToken }) =>
      guarded(signal, async () => {
        const model = request.model || OPENAI_DEFAULTS.text;
        const stream = await client(creds, creds.timeoutMs ?? 120_000).chat.completions.create(
          {
            model,
            messages: [
              ...(request.system ? [{ role: 'system' as const, content: request.system }] : []),
              { role: 'user', content: request.prompt },
            ],
            temperature: request.temperature,
            max_tokens: request.maxTokens,
            ...(request.seed !== undefined ? { seed: request.seed } : {}),
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal },
        );
        let text = '';
        let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
        for await (const chunk of stream) {
          const delta = chunk.choices[0]?.delta?.content;
          if (delta) {
            text += delta;
            onToken?.(delta);
          }
          if (chunk.usage) usage = chunk.usage;
        }
        return {
          text,
          model,
          promptTokens: usage?.prompt_tokens ?? 0,
          completionTokens: usage?.completion_tokens ?? 0,
        };
      }),
  };
}

export function createOpenAISpeechProvider(creds: OpenAICredentials): SpeechProvider {
  return {
    id: 'openai',
    synthesize: (request, { signal }) =>
      guarded(signal, async () => {
        const model = request.model || OPENAI_DEFAULTS.speech;
        const voice = request.voice || OPENAI_DEFAULTS.voice;
        const res = await client(creds, creds.timeoutMs ?? 120_000).audio.speech.create(
          { model, voice, input: request.text, response_format: 'wav', speed: request.speed },
          { signal },
        );
        return { audio: Buffer.from(await res.arrayBuffer()), mimeType: 'audio/wav', model, voice };
      }),
  };
}

export function createOpenAIImageProvider(creds: OpenAICredentials): ImageProvider {
  return {
    id: 'openai',
    generate: (request, { signal }) =>
      guarded(signal, async () => {
        const model = request.model || OPENAI_DEFAULTS.image;
        const size = `${request.width}x${request.height}` as OpenAI.ImageGenerateParams['size'];
        const style = request.style ? `, ${request.style} style` : '';
        const res = await client(creds, creds.timeoutMs ?? 180_000).images.generate(
          {
            model,
            prompt: `${request.prompt}${style}`,
            size,
            n: 1,
            // gpt-image models always answer base64 and refuse the parameter.
            ...(model.startsWith('gpt-image') ? {} : { response_format: 'b64_json' as const }),
          },
          { signal },
        );
        const b64 = res.data?.[0]?.b64_json;
        if (!b64) throw new ProviderError(`${VENDOR} returned no image data`, true);
        const png = Buffer.from(b64, 'base64');
        return { png, width: png.readUInt32BE(16), height: png.readUInt32BE(20), model, aiService: 'openai' };
      }),
  };
}
