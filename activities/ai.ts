import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { fillTemplate, placeholders, type ArtifactRef, type LiveEvent } from '../workflows/pipeline';
import { joinWavs, wavDuration } from './providers/audio/wav';
import { splitSentences } from './providers/audio/sentences';
import { costOf, type Usage } from './providers/prices';
import type { Providers } from './providers';
import type { ActivityInput } from './contract';
import { asTemporalFailure } from './failures';
import { runChannel, type ActivityDeps, type NodeStep } from './deps';
import type { NewGeneration } from './runStore';

/** Characters per speech request: long enough for natural prosody, short enough to report progress. */
const SPEECH_CHUNK_CHARS = 400;
const HEARTBEAT_MS = 5_000;
const STREAM_EVENT_MS = 200;

type AiDeps = ActivityDeps & { providers: Providers };

interface Generated {
  output: Record<string, unknown>;
  /** The `result` column: the text, or the artifact ref as JSON. */
  result: string;
  aiService: string;
  model: string;
  usage: Usage;
  parameters: Record<string, unknown>;
}

/**
 * The AI steps. Each records one generation per (run, node, item): a retry after a crash that finds
 * it recorded returns it instead of generating (and charging, and counting) again; blobs are written
 * under keys derived from the same triple, so a retry overwrites rather than duplicates.
 */
export function createAiSteps(deps: AiDeps): Record<'story' | 'llm' | 'narration' | 'illustration', NodeStep> {
  const { providers, blobs, bus, store } = deps;

  const publish = (input: ActivityInput, progress: Omit<Extract<LiveEvent, { type: 'node.progress' }>, 'type' | 'at' | 'nodeId'>) =>
    bus.publish(runChannel(input.runId), {
      type: 'node.progress',
      at: new Date().toISOString(),
      nodeId: input.nodeId,
      ...(input.itemIndex > 0 ? { item: input.itemIndex } : {}),
      ...progress,
    } satisfies LiveEvent);

  async function generation(
    input: ActivityInput,
    type: NewGeneration['type'],
    prompt: string,
    fromRecord: (result: string) => Record<string, unknown>,
    work: (signal: AbortSignal) => Promise<Generated>,
  ): Promise<Record<string, unknown>> {
    const recorded = await store.findGeneration(input.runId, input.nodeId, input.itemIndex);
    if (recorded?.status === 'completed' && recorded.result !== null) return fromRecord(recorded.result);

    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_MS);
    const started = Date.now();
    try {
      const done = await work(ctx.cancellationSignal);
      await store.saveGeneration({
        userId: input.userId,
        projectId: input.projectId,
        runId: input.runId,
        nodeId: input.nodeId,
        itemIndex: input.itemIndex,
        type,
        aiService: done.aiService,
        model: done.model,
        prompt,
        result: done.result,
        mediaId: null,
        parameters: { ...done.parameters, model: done.model },
        processingMs: Date.now() - started,
        tokensUsed: done.usage.promptTokens !== undefined ? done.usage.promptTokens + (done.usage.completionTokens ?? 0) : null,
        costUsd: costOf(providers.prices, String(input.params.provider ?? 'local'), done.model, done.usage),
      });
      return done.output;
    } catch (err) {
      // Providers stop with an AbortError when the activity is cancelled: report a cancellation, not a failure.
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('Generation cancelled');
      throw asTemporalFailure(err);
    } finally {
      clearInterval(beat);
    }
  }

  async function writeText(input: ActivityInput, system: string | undefined, prompt: string, maxTokens: number): Promise<Record<string, unknown>> {
    const provider = String(input.params.provider ?? 'local');
    return generation(input, 'text', prompt, (text) => ({ text }), async (signal) => {
      const model = (input.params.model as string | undefined) || undefined;
      const text = await providers.text(provider, input.userId, model);
      let sofar = '';
      let lastEvent = 0;
      let tokens = 0;
      const result = await text.generate(
        {
          system,
          prompt,
          maxTokens,
          temperature: Number(input.params.temperature ?? 0.8),
          seed: input.params.seed === undefined ? undefined : Number(input.params.seed),
          // The local provider serves the file it was built for; cloud ones take the model by name.
          model: provider === 'local' ? undefined : model,
        },
        {
          signal,
          onToken(chunk) {
            sofar += chunk;
            tokens++;
            if (Date.now() - lastEvent < STREAM_EVENT_MS) return;
            lastEvent = Date.now();
            void publish(input, { text: sofar, fraction: Math.min(0.99, tokens / maxTokens) });
          },
        },
      );
      const finalText = result.text.trim();
      await publish(input, { text: finalText, fraction: 1 });
      return {
        output: { text: finalText },
        result: finalText,
        aiService: text.id,
        model: result.model,
        usage: { promptTokens: result.promptTokens, completionTokens: result.completionTokens },
        parameters: { temperature: input.params.temperature, seed: input.params.seed ?? null, maxTokens, system: system ?? null },
      };
    });
  }

  async function storeArtifact(input: ActivityInput, ext: string, body: Buffer, mimeType: string, extra: Partial<ArtifactRef>): Promise<ArtifactRef> {
    const key = `runs/${input.runId}/${input.nodeId}/${input.itemIndex}${ext}`;
    const stored = await blobs.put(key, body, { contentType: mimeType });
    return { artifact: true, key, mimeType, size: stored.size, ...extra };
  }

  return {
    story: (input) => {
      const words = Number(input.params.words ?? 150);
      const system = `${String(input.params.instructions ?? '')}\nWrite about ${words} words.`.trim();
      return writeText(input, system, requireText(input, 'prompt'), Math.ceil(words * 1.7) + 32);
    },

    llm: (input) => {
      const text = requireText(input, 'text');
      const instruction = String(input.params.instruction ?? '{{text}}');
      const prompt = placeholders(instruction).includes('text') ? fillTemplate(instruction, { text }) : `${instruction}\n\n${text}`;
      return writeText(input, undefined, prompt, Number(input.params.maxTokens ?? 200));
    },

    narration: (input) => {
      const text = requireText(input, 'text');
      const provider = String(input.params.provider ?? 'local');
      return generation(input, 'audio', text, (ref) => ({ audio: JSON.parse(ref) }), async (signal) => {
        const speech = await providers.speech(provider, input.userId);
        const chunks = splitSentences(text, SPEECH_CHUNK_CHARS);
        const parts: Buffer[] = [];
        let model = '';
        let voice = '';
        for (const [i, chunk] of chunks.entries()) {
          const result = await speech.synthesize(
            { text: chunk, voice: (input.params.voice as string | undefined) || undefined, speed: Number(input.params.speed ?? 1), model: (input.params.model as string | undefined) || undefined },
            { signal },
          );
          parts.push(result.audio);
          ({ model, voice } = result);
          Context.current().heartbeat();
          await publish(input, { fraction: (i + 1) / chunks.length, message: `${i + 1} of ${chunks.length} sentences` });
        }
        const wav = parts.length === 1 ? parts[0] : joinWavs(parts);
        const ref = await storeArtifact(input, '.wav', wav, 'audio/wav', { durationMs: Math.round(wavDuration(wav) * 1000), generator: speech.id });
        return {
          output: { audio: ref },
          result: JSON.stringify(ref),
          aiService: speech.id,
          model,
          usage: { characters: text.length },
          parameters: { voice, speed: input.params.speed, chunks: chunks.length },
        };
      });
    },

    illustration: (input) => {
      const prompt = requireText(input, 'prompt');
      const provider = String(input.params.provider ?? 'local');
      const [width, height] = String(input.params.size ?? '512x512').split('x').map(Number);
      // Without a seed, one derived from the run keeps a retry's picture the same as the first try's.
      const seed = input.params.seed === undefined ? seedFrom(`${input.runId}/${input.nodeId}/${input.itemIndex}`) : Number(input.params.seed);
      return generation(input, 'image', prompt, (ref) => ({ image: JSON.parse(ref) }), async (signal) => {
        const images = await providers.image(provider, input.userId);
        await publish(input, { fraction: 0, message: 'drawing' });
        const result = await images.generate(
          {
            prompt,
            width,
            height,
            steps: Number(input.params.steps ?? 20),
            seed,
            style: input.params.style as string | undefined,
            model: (input.params.model as string | undefined) || undefined,
          },
          { signal },
        );
        const ref = await storeArtifact(input, '.png', result.png, 'image/png', { width: result.width, height: result.height, generator: result.aiService });
        return {
          output: { image: ref },
          result: JSON.stringify(ref),
          aiService: result.aiService,
          model: result.model,
          usage: { images: 1 },
          parameters: { size: `${width}x${height}`, steps: input.params.steps, seed, style: input.params.style ?? null },
        };
      });
    },
  };
}

function requireText(input: ActivityInput, handle: string): string {
  const value = input.inputs[handle];
  if (typeof value !== 'string' || value.trim() === '') {
    throw ApplicationFailure.nonRetryable(`Input '${handle}' needs text, got ${value === undefined ? 'nothing' : typeof value === 'string' ? 'empty text' : typeof value}`, 'InvalidInput');
  }
  return value;
}

function seedFrom(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % 2 ** 31;
}
