import { Context } from '@temporalio/activity';
import type { ActivityDeps, NodeSteps } from './deps';
import { expectedUsage } from '../infra/estimate';
import { requireText, type GenerationKit } from './generation';
import { sentencesOf, splitSentences } from './providers/audio/sentences';
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
      const { provider, speed, pauseMs } = input.params;
      // Empty names mean the provider's defaults.
      const request = { voice: input.params.voice || undefined, speed, pauseMs, model: input.params.model || undefined };
      return generation(
        input,
        'audio',
        text,
        (ref) => ({ audio: JSON.parse(ref) }),
        async (signal) => {
          const speech = await providers.speech(provider, input.userId);
          const chunks = splitSentences(text, SPEECH_CHUNK_CHARS);
          // Counted as the local voices speak them, so "sentence k of n" moves one sentence at a time.
          const sentencesIn = chunks.map((chunk) => Math.max(1, sentencesOf(chunk).length));
          const total = sentencesIn.reduce((a, b) => a + b, 0);
          let done = 0;
          /** Says which sentence is being read: "sentence k of n", then "n of n sentences read". */
          const report = (spoken: number) => {
            if (spoken <= done) return;
            done = spoken;
            Context.current().heartbeat();
            const message = done < total ? `sentence ${done + 1} of ${total}` : `${total} of ${total} sentences read`;
            void publish(input, { fraction: done / total, message });
          };
          await publish(input, { fraction: 0, message: `sentence 1 of ${total}` });
          const parts: Buffer[] = [];
          let model = '';
          let voice = '';
          for (const [i, chunk] of chunks.entries()) {
            const before = done;
            const result = await speech.synthesize(
              { text: chunk, ...request },
              { signal, onSentence: (k) => report(before + Math.min(k, sentencesIn[i])) },
            );
            parts.push(result.audio);
            ({ model, voice } = result);
            report(before + sentencesIn[i]);
          }
          const wav = parts.length === 1 ? parts[0] : joinWavs(parts, { gapMs: pauseMs / speed });
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
            parameters: { voice, speed, pauseMs, chunks: chunks.length, sentences: total },
          };
        },
        expectedUsage.narration(text.length),
      );
    },
  };
}
