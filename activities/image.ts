import type { ActivityDeps, NodeSteps } from './deps';
import { expectedUsage } from '../infra/estimate';
import { requireText, type GenerationKit, type Progress } from './generation';

/** illustration: a PNG from the node's image provider (the offline default is the labelled sketch renderer). */
export function createImageSteps(
  { providers }: ActivityDeps,
  { generation, publish, storeArtifact }: GenerationKit,
): Pick<NodeSteps, 'illustration'> {
  return {
    illustration: (input) => {
      const prompt = requireText(input, 'prompt');
      const { provider, size, steps, style, negativePrompt, sampler, workflow } = input.params;
      const [width, height] = size.split('x').map(Number);
      // Without a seed, one derived from the run keeps a retry's picture the same as the first try's.
      const seed = input.params.seed ?? seedFrom(`${input.runId}/${input.nodeId}/${input.itemIndex}`);
      return generation(
        input,
        'image',
        prompt,
        (ref) => ({ image: JSON.parse(ref) }),
        async (signal) => {
          const images = await providers.image(provider, input.userId);
          await publish(input, { fraction: 0, message: 'drawing' });
          // One after another, so the studio sees a server's progress in the order the server sent it.
          let published = Promise.resolve();
          const onProgress = (progress: Progress) => {
            published = published.then(() => publish(input, progress));
          };
          // An empty model name means the provider's default.
          const result = await images
            .generate(
              {
                prompt,
                width,
                height,
                steps,
                seed,
                style,
                model: input.params.model || undefined,
                negativePrompt: negativePrompt || undefined,
                sampler: sampler || undefined,
                workflow: workflow || undefined,
                key: `${input.runId}/${input.nodeId}/${input.itemIndex}`,
              },
              { signal, onProgress },
            )
            .finally(() => published);
          const ref = await storeArtifact(input, '.png', result.png, 'image/png', {
            width: result.width,
            height: result.height,
            generator: result.aiService,
          });
          return {
            output: { image: ref },
            result: JSON.stringify(ref),
            aiService: result.aiService,
            model: result.model,
            usage: { images: 1 },
            parameters: {
              size: `${width}x${height}`,
              steps,
              seed,
              style,
              ...(negativePrompt ? { negativePrompt } : {}),
              ...(sampler ? { sampler } : {}),
              ...(workflow ? { workflow: 'custom' } : {}),
            },
          };
        },
        expectedUsage.illustration(),
      );
    },
  };
}

function seedFrom(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % 2 ** 31;
}
