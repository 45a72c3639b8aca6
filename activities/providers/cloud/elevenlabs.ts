import { encodeWav } from '../audio/wav';
import type { SpeechProvider } from '../types';
import { vendorFetch } from './http';

export interface ElevenLabsCredentials {
  apiKey: string;
  baseUrl?: string;
  /** Per-request deadline; a missed one is retried. */
  timeoutMs?: number;
  /** How requests go out: the guarded fetch for a user's own base URL. */
  fetch?: typeof fetch;
}

export const ELEVENLABS_DEFAULTS = { model: 'eleven_multilingual_v2', voice: '21m00Tcm4TlvDq8ikWAM', sampleRate: 24_000 };

/** ElevenLabs' error bodies: `{detail: {status, message}}` or, for validation, `{detail: [{msg, loc}]}`. */
function describeError(body: unknown, text: string): string {
  const detail = (body as { detail?: unknown } | undefined)?.detail;
  if (Array.isArray(detail)) return detail.map((d: { msg?: string; loc?: unknown[] }) => `${(d.loc ?? []).join('.')}: ${d.msg}`).join('; ');
  if (detail && typeof detail === 'object') return String((detail as { message?: string }).message ?? JSON.stringify(detail));
  return text;
}

/**
 * ElevenLabs text-to-speech (POST /v1/text-to-speech/{voice_id}). Asks for raw 16-bit PCM and wraps it
 * as WAV, so narration chunks join sample-exactly instead of gluing MP3 frames.
 */
export function createElevenLabsSpeechProvider(creds: ElevenLabsCredentials): SpeechProvider {
  const base = (creds.baseUrl ?? 'https://api.elevenlabs.io').replace(/\/+$/, '');
  return {
    id: 'elevenlabs',
    async synthesize(request, { signal }) {
      const model = request.model || ELEVENLABS_DEFAULTS.model;
      const voice = request.voice || ELEVENLABS_DEFAULTS.voice;
      const url = `${base}/v1/text-to-speech/${encodeURIComponent(voice)}?output_format=pcm_${ELEVENLABS_DEFAULTS.sampleRate}`;
      const res = await vendorFetch('ElevenLabs', url, {
        method: 'POST',
        headers: { 'xi-api-key': creds.apiKey, 'content-type': 'application/json', accept: 'audio/pcm' },
        body: JSON.stringify({ text: request.text, model_id: model, voice_settings: { speed: request.speed } }),
        timeoutMs: creds.timeoutMs ?? 120_000,
        signal,
        describe: describeError,
        fetch: creds.fetch,
      });
      const pcm = Buffer.from(await res.arrayBuffer());
      const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 2));
      return { audio: encodeWav(samples, ELEVENLABS_DEFAULTS.sampleRate), mimeType: 'audio/wav', model, voice };
    },
  };
}
