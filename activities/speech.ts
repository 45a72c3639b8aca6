import { Context } from '@temporalio/activity';
import type { ActivityDeps, NodeSteps } from './deps';
import { requireText, type GenerationKit } from './generation';
import { splitSentences } from './providers/audio/sentences';
import { joinWavs, wavDuration } from './providers/audio/wav';

/** Characters per speech request: long enough for natural prosody, short enough to report progress. */
const SPEECH_CHUNK_CHARS = 400;

/** narration: long texts split at sentence boundaries, each spoken, joined without clicks into one WAV. */
export function createSpeechSteps(
  { providers }: ActivityDeps,
  { generation, publish, storeArtifact }: GenerationKit,
): Pick<NodeSteps, 'narration'> {
  return {
    narration: (input) => {
      const text = requireText(input, 'text');
      const { provider, speed } = input.params;
      // Empty names mean the provider's defaults.
      const request = { voice: input.params.voice || undefined, speed, model: input.params.model || undefined };
      return generation(
        input,
        'audio',
        text,
        (ref) => ({ audio: JSON.parse(ref) }),
        async (signal) => {
          const speech = await providers.speech(provider, input.userId);
          const chunks = splitSentences(text, SPEECH_CHUNK_CHARS);
          const parts: Buffer[] = [];
          let model = '';
          let voice = '';
          for (const [i, chunk] of chunks.entries()) {
            const result = await speech.synthesize({ text: chunk, ...request }, { signal });
            parts.push(result.audio);
            ({ model, voice } = result);
            Context.current().heartbeat();
            await publish(input, { fraction: (i + 1) / chunks.length, message: `${i + 1} of ${chunks.length} sentences` });
          }
          const wav = parts.length === 1 ? parts[0] : joinWavs(parts);
          const ref = await storeArtifact(input, '.wav', wav, 'audio/wav', {
            durationMs: Math.round(wavDuration(wav) * 1000),
            generator: speech.id,
          });
          return {
            output: { audio: ref },
            result: JSON.stringify(ref),
            aiService: speech.id,
            model,
            usage: { characters: text.length },
            parameters: { voice, speed, chunks: chunks.length },
          };
        },
      );
    },
  };
}
