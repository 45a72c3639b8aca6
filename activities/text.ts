import { fillTemplate, placeholders, type ActivityNodeParams } from '../workflows/pipeline';
import type { ActivityDeps, NodeSteps, StepInput } from './deps';
import { expectedUsage } from '../infra/estimate';
import type { Usage } from '../infra/prices';
import { requireText, type GenerationKit } from './generation';
import type { TextProvider } from './providers/types';
import { writeStory } from './storyWriting';

const STREAM_EVENT_MS = 200;

type TextParams = ActivityNodeParams['story'] | ActivityNodeParams['llm'];

/** story and llm: text from a language model, streamed into the run's live events as it is written. */
export function createTextSteps({ providers }: ActivityDeps, { generation, publish }: GenerationKit): Pick<NodeSteps, 'story' | 'llm'> {
  /** Streams live text into the run's events, at most one event per STREAM_EVENT_MS. */
  function streamer(input: StepInput<TextParams>) {
    let lastEvent = 0;
    return (text: string, fraction: number) => {
      if (Date.now() - lastEvent < STREAM_EVENT_MS) return;
      lastEvent = Date.now();
      // The first text clears a "fetching model" / "loading model" message.
      void publish(input, { text, fraction, ...(preparing.has(input) ? { message: '' } : {}) });
      preparing.delete(input);
    };
  }
  /** Steps whose live progress shows a model-preparation message. */
  const preparing = new WeakSet<object>();

  async function writeText(
    input: StepInput<TextParams>,
    prompt: string,
    parameters: Record<string, unknown>,
    write: (
      text: TextProvider,
      model: string | undefined,
      signal: AbortSignal,
    ) => Promise<{ text: string; model: string; promptTokens: number; completionTokens: number }>,
    expected: Usage,
  ): Promise<Record<string, unknown>> {
    const { provider, temperature, seed } = input.params;
    // An empty model name means the provider's default.
    const model = input.params.model || undefined;
    return generation(
      input,
      'text',
      prompt,
      (text) => ({ text }),
      async (signal) => {
        // A model still being fetched or loading says so in the node's live progress.
        await providers.prepareText(provider, model, {
          signal,
          onProgress: (message, fraction) => {
            preparing.add(input);
            void publish(input, { message, fraction });
          },
        });
        const text = await providers.text(provider, input.userId, model);
        // The local provider serves the file it was built for; cloud ones take the model by name.
        const result = await write(text, provider === 'local' ? undefined : model, signal);
        const finalText = result.text.trim();
        await publish(input, { text: finalText, fraction: 1, ...(preparing.has(input) ? { message: '' } : {}) });
        return {
          output: { text: finalText },
          result: finalText,
          aiService: text.id,
          model: result.model,
          usage: { promptTokens: result.promptTokens, completionTokens: result.completionTokens },
          parameters: { temperature, seed: seed ?? null, ...parameters },
        };
      },
      expected,
    );
  }

  return {
    story: (input) => {
      const { words, instructions, temperature, seed } = input.params;
      const subject = requireText(input, 'prompt');
      return writeText(
        input,
        subject,
        { words, system: instructions },
        (text, model, signal) =>
          writeStory(
            text,
            { subject, words, instructions, temperature, seed, model, ...(input.params.provider === 'local' ? {} : { continuations: 0 }) },
            { signal, onText: streamer(input) },
          ),
        expectedUsage.story(input.params, subject.length),
      );
    },

    llm: (input) => {
      const text = requireText(input, 'text');
      const { instruction, maxTokens, temperature, seed } = input.params;
      const prompt = placeholders(instruction).includes('text') ? fillTemplate(instruction, { text }) : `${instruction}\n\n${text}`;
      return writeText(
        input,
        prompt,
        { maxTokens, system: null },
        (provider, model, signal) => {
          let sofar = '';
          let tokens = 0;
          const stream = streamer(input);
          return provider.generate(
            { prompt, maxTokens, temperature, seed, model },
            {
              signal,
              onToken(chunk) {
                sofar += chunk;
                tokens++;
                stream(sofar, Math.min(0.99, tokens / maxTokens));
              },
            },
          );
        },
        expectedUsage.llm(input.params, prompt.length),
      );
    },
  };
}
