/**
 * Each local model alone, on this thread and in its model thread: how long a job takes, and how long this thread's
 * event loop stalled meanwhile (the longest gap between 5 ms ticks, and monitorEventLoopDelay's p99/max, which
 * under-reports one long stall: it is a single sample). Rounds alternate the two. Asserts nothing.
 *
 *   npx tsx bench/modelThreads.ts [rounds=2]
 *   LOCAL_TEXT_MODEL=path.gguf   another text model than the product's default
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSketchImageProvider } from '../activities/providers/local/sketch';
import { createLocalSpeechProvider, warmLocalSpeech } from '../activities/providers/local/speech';
import { createLocalTextProvider, defaultTextModelPath } from '../activities/providers/local/text';
import { localSketchModel, localSpeechModel, localTextModel } from '../activities/providers/local/threaded';
import { closeModelThreads } from '../activities/providers/local/threads/modelThread';
import type { ImageProvider, SpeechProvider, TextProvider } from '../activities/providers/types';

const rounds = Number(process.argv[2] ?? 2);
const rootDir = join(import.meta.dirname, '..');
const modelPath = process.env.LOCAL_TEXT_MODEL || defaultTextModelPath(rootDir);
const signal = new AbortController().signal;
const STORY =
  'Once upon a time, a small otter lived by the river. Every morning she swam to the old mill. One day she found a shiny stone! What could it be? She took it home to show her family.';

interface Stall {
  ms: number;
  gap: number;
  p99: number;
  max: number;
}

async function stalls(job: () => Promise<unknown>): Promise<Stall> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let last = performance.now();
  let gap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  await job();
  const ms = performance.now() - t0;
  await sleep(30);
  clearInterval(tick);
  delay.disable();
  return { ms, gap, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
}

interface Models {
  speech: SpeechProvider;
  sketch: ImageProvider;
  text: TextProvider;
}

const jobs: [string, (m: Models) => Promise<unknown>][] = [
  ['piper joe, 6 sentences', (m) => m.speech.synthesize({ text: STORY, speed: 1, voice: 'joe' }, { signal })],
  ['flite slt, 6 sentences', (m) => m.speech.synthesize({ text: STORY, speed: 1, voice: 'slt' }, { signal })],
  [
    'sketch 1024×1024',
    (m) =>
      m.sketch.generate(
        { prompt: 'a castle on a hill at sunset with a dragon', width: 1024, height: 1024, steps: 30, seed: 1 },
        { signal },
      ),
  ],
  [
    'text, 100 tokens',
    (m) => m.text.generate({ prompt: 'Write a short story about an otter.', maxTokens: 100, temperature: 0.7, seed: 1 }, { signal }),
  ],
];

const inProcess = {
  speech: createLocalSpeechProvider({ rootDir }),
  sketch: createSketchImageProvider(),
  text: createLocalTextProvider({ modelPath }),
};
const threadedText = localTextModel({ modelPath });
const inThreads = { speech: localSpeechModel({ rootDir }), sketch: localSketchModel(), text: threadedText };

console.log(
  `model threads: ${modelPath.split('/').pop()}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const load = { 'this thread': await stalls(() => Promise.all([warmLocalSpeech({ rootDir }), inProcess.text.warmup()])) };
const warm = {
  'model threads': await stalls(() => Promise.all([inThreads.speech.warmup(), inThreads.sketch.warmup(), threadedText.warmup()])),
};
for (const [where, s] of Object.entries({ ...load, ...warm })) {
  console.log(`  loading the models (${where}): ${s.ms.toFixed(0)} ms, longest stall ${s.gap.toFixed(0)} ms`);
}

const fmt = (s: Stall) =>
  `${s.ms.toFixed(0).padStart(5)} ms, longest stall ${s.gap.toFixed(0).padStart(4)} ms (loop delay p99 ${s.p99.toFixed(0)}, max ${s.max.toFixed(0)})`;
for (let round = 1; round <= rounds; round++) {
  for (const [name, job] of jobs) {
    const here = await stalls(() => job(inProcess));
    const there = await stalls(() => job(inThreads));
    console.log(`  ${name.padEnd(24)} this thread ${fmt(here)} | model thread ${fmt(there)}`);
  }
}
console.log(
  `  load after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

await inProcess.text.dispose();
await closeModelThreads();
