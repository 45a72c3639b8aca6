import { fillTemplate, placeholders } from '../workflows/pipeline';
import type { ActivityInput } from './contract';
import type { ActivityDeps, NodeStep } from './deps';
import { requireText, type GenerationKit } from './generation';

const STREAM_EVENT_MS = 200;

/** story and llm: text from a language model, streamed into the run's live events as it is written. */
export function createTextSteps({ providers }: ActivityDeps, { generation, publish }: GenerationKit): Record<'story' | 'llm', NodeStep> {
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

  };
}
