import type { ActivityDeps, NodeStep } from './deps';
import { requireText, type GenerationKit } from './generation';

/** illustration: a PNG from the node's image provider (the offline default is the labelled sketch renderer). */
export function createImageSteps({ providers }: ActivityDeps, { generation, publish, storeArtifact }: GenerationKit): Record<'illustration', NodeStep> {
  return {
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

function seedFrom(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % 2 ** 31;
}
