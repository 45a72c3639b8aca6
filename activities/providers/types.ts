/**
 * One interface per modality. A node names a provider (`local`, `openai`, `elevenlabs`, `stability`, `comfyui`, `automatic1111`);
 * the worker's config supplies credentials. Every provider honours the AbortSignal (activity
 * cancellation) and reports what it used so the generation row can be priced.
 */

export interface TextRequest {
  system?: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  seed?: number;
  /** Provider-specific model name; the provider's default when absent. */
  model?: string;
}

export interface TextResult {
  text: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

export interface TextProvider {
  readonly id: string;
  /** Streams tokens through onToken as they are generated, then resolves with the whole text. */
  generate(request: TextRequest, opts: { signal: AbortSignal; onToken?: (chunk: string) => void }): Promise<TextResult>;
}

export interface SpeechRequest {
  /** One chunk of text (the narration step splits long texts at sentence boundaries). */
  text: string;
  voice?: string;
  /** 1 = normal. */
  speed: number;
  /** Silence between sentences at speed 1, in ms; the provider's own when absent. */
  pauseMs?: number;
  model?: string;
}

export interface SpeechResult {
  audio: Buffer;
  mimeType: 'audio/wav' | 'audio/mpeg';
  model: string;
  voice: string;
}

export interface SpeechProvider {
  readonly id: string;
  /** Providers that speak sentence by sentence call `onSentence` after each one (done so far, out of total). */
  synthesize(
    request: SpeechRequest,
    opts: { signal: AbortSignal; onSentence?: (done: number, total: number) => void },
  ): Promise<SpeechResult>;
}

export interface ImageRequest {
  prompt: string;
  width: number;
  height: number;
  steps: number;
  seed: number;
  style?: string;
  model?: string;
  /** Image servers: what the picture should not show. */
  negativePrompt?: string;
  /** Image servers: a sampler from the server's list; its default when absent. */
  sampler?: string;
  /** ComfyUI: the user's API-format workflow with marked fields; the built-in text-to-image graph when absent. */
  workflow?: string;
  /** The same for every attempt at this picture: a server that queues jobs finds a retry's earlier one by it. */
  key?: string;
}

export interface ImageResult {
  png: Buffer;
  width: number;
  height: number;
  model: string;
  /** What the generations row records as ai_service; `local-sketch` marks the procedural renderer. */
  aiService: string;
}

export interface ImageProgress {
  fraction?: number;
  message?: string;
}

export interface ImageProvider {
  readonly id: string;
  /** Providers that can tell how far along a picture is report it through onProgress, in order. */
  generate(request: ImageRequest, opts: { signal: AbortSignal; onProgress?: (progress: ImageProgress) => void }): Promise<ImageResult>;
}

/**
 * Provider failures carry whether retrying can help: 401/403/400 cannot, 429/5xx/timeouts can
 * (after `retryAfterMs` when the vendor said so). Activities map these to Temporal failures.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
