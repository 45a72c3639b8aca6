import { Context } from '@temporalio/activity';
import type { ActivityDeps, NodeStep } from './deps';
import { requireText, type GenerationKit } from './generation';
import { splitSentences } from './providers/audio/sentences';
import { joinWavs, wavDuration } from './providers/audio/wav';

/** Characters per speech request: long enough for natural prosody, short enough to report progress. */
const SPEECH_CHUNK_CHARS = 400;

/** narration: long texts split at sentence boundaries, each spoken, joined without clicks into one WAV. */
export function createSpeechSteps({ providers }: ActivityDeps, { generation, publish, storeArtifact }: GenerationKit): Record<'narration', NodeStep> {
  return {
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

  };
}
