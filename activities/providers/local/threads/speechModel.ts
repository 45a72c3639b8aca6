/** The thread side of the local speech model (see ../threaded.ts): eSpeak NG, Piper and Flite, kept warm in this thread. */
import type { SpeechRequest } from '../../types';
import { createLocalSpeechProvider, warmLocalSpeech, type LocalSpeechOptions } from '../speech';
import { serveModelJobs, threadOptions } from './host';

const options = threadOptions<LocalSpeechOptions>();
const speech = createLocalSpeechProvider(options);

serveModelJobs({
  warm: () => warmLocalSpeech(options),
  synthesize: (request: SpeechRequest, { signal, progress }) =>
    speech.synthesize(request, { signal, onSentence: (done, total) => progress({ done, total }) }),
});
