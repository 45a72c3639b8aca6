/** The thread side of a local text model (see ../threaded.ts): node-llama-cpp's model and context live in this thread. */
import type { TextRequest } from '../../types';
import { createLocalTextProvider, type LocalTextProviderOptions } from '../text';
import { serveModelJobs, threadOptions } from './host';

const text = createLocalTextProvider(threadOptions<LocalTextProviderOptions>());

serveModelJobs({
  warm: () => text.warmup(),
  generate: (request: TextRequest, { signal, progress }) => text.generate(request, { signal, onToken: progress }),
  dispose: () => text.dispose(),
});
