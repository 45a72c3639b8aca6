import { ProviderError, type ImageProvider, type ImageRequest, type ImageResult } from '../../types';
import { SKETCH_MODEL, SKETCH_SERVICE } from './label';
import { renderSketch, sketchCancelled } from './render';

/** The local image provider: the procedural sketch renderer, sizes 64..2048. */
export function createSketchImageProvider(): ImageProvider {
  return {
    id: 'local',
    async generate(request: ImageRequest, { signal }): Promise<ImageResult> {
      if (signal.aborted) throw sketchCancelled();
      for (const [k, v] of [
        ['width', request.width],
        ['height', request.height],
      ] as const) {
        if (!Number.isInteger(v) || v < 64 || v > 2048) {
          throw new ProviderError(`sketch: ${k} must be an integer in 64..2048 (got ${v})`, false, 400);
        }
      }
      const { png } = await renderSketch(request, signal);
      return { png, width: request.width, height: request.height, model: SKETCH_MODEL, aiService: SKETCH_SERVICE };
    },
  };
}
