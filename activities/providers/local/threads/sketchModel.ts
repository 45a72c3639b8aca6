/** The thread side of the local sketch renderer (see ../threaded.ts). */
import type { ImageRequest } from '../../types';
import { createSketchImageProvider } from '../sketch';
import { serveModelJobs } from './host';

const sketch = createSketchImageProvider();

serveModelJobs({
  // Loads @napi-rs/canvas and its fonts with a tiny picture, so the first real one pays only for drawing.
  warm: async () => {
    await sketch.generate({ prompt: 'warm-up', width: 64, height: 64, steps: 1, seed: 0 }, { signal: new AbortController().signal });
  },
  generate: (request: ImageRequest, { signal, progress }) => sketch.generate(request, { signal, onProgress: progress }),
});
