import { fillTemplate, placeholders, type ActivityNodeParams } from '../workflows/pipeline';
import type { ActivityDeps, NodeSteps, StepInput } from './deps';
import { expectedUsage } from '../infra/estimate';
import type { Usage } from '../infra/prices';
import { requireText, type GenerationKit } from './generation';

const STREAM_EVENT_MS = 200;

type TextParams = ActivityNodeParams['story'] | ActivityNodeParams['llm'];

/** story and llm: text from a language model, streamed into the run's live events as it is written. */
export function createTextSteps({ providers }: ActivityDeps, { generation, publish }: GenerationKit): Pick<NodeSteps, 'story' | 'llm'> {
  async function writeText(
    input: StepInput<TextParams>,
    system: string | undefined,
    prompt: string,
    maxTokens: number,
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
        const text = await providers.text(provider, input.userId, model);
        let sofar = '';
        let lastEvent = 0;
        let tokens = 0;
        const result = await text.generate(
          {
            system,
            prompt,
            maxTokens,
            temperature,
            seed,
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
          parameters: { temperature, seed: seed ?? null, maxTokens, system: system ?? null },
        };
      },
      expected,
    );
  }

  return {
    story: (input) => {
      const { words, instructions } = input.params;
      const system = `${instructions}\nWrite about ${words} words.`.trim();
      const prompt = requireText(input, 'prompt');
      return writeText(input, system, prompt, Math.ceil(words * 1.7) + 32, expectedUsage.story(input.params, prompt.length));
    },

    llm: (input) => {
      const text = requireText(input, 'text');
      const { instruction, maxTokens } = input.params;
      const prompt = placeholders(instruction).includes('text') ? fillTemplate(instruction, { text }) : `${instruction}\n\n${text}`;
      return writeText(input, undefined, prompt, maxTokens, expectedUsage.llm(input.params, prompt.length));
    },
  };
}
