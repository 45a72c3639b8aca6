/**
 * Local speech real-time factor (synthesis seconds / audio seconds; below 1 is faster than real
 * time) for a ~60-word paragraph, per voice. The first call per voice is reported separately
 * (it loads the ONNX session / compiles the WASM); then `reps` warm runs. Prints figures; asserts nothing.
 *
 *   npx tsx bench/speech.ts [reps=3] [voices=joe,slt,kal]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wavDuration } from '../activities/providers/audio/wav';
import { createLocalSpeechProvider } from '../activities/providers/local/speech';

const reps = Number(process.argv[2] ?? 3);
const voices = (process.argv[3] ?? 'joe,slt,kal').split(',');
const rootDir = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const PARAGRAPH =
  'Every morning the old lighthouse keeper climbed the narrow stairs to polish the great lamp. ' +
  'He liked the quiet hour before sunrise, when the sea was calm and the gulls were still asleep. ' +
  'From the top he could see the fishing boats leave the harbour, one after another, ' +
  'their small lights fading slowly into the grey dawn.';
const words = PARAGRAPH.split(/\s+/).length;
const provider = createLocalSpeechProvider({ rootDir });
const signal = new AbortController().signal;

console.log(`paragraph: ${words} words, ${PARAGRAPH.length} chars; ${reps} warm runs per voice`);
for (const voice of voices) {
  const t0 = performance.now();
  const first = await provider.synthesize({ text: PARAGRAPH, voice, speed: 1 }, { signal });
  const coldS = (performance.now() - t0) / 1000;
  const audioS = wavDuration(first.audio);
  const rtfs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const r = await provider.synthesize({ text: PARAGRAPH, voice, speed: 1 }, { signal });
    rtfs.push((performance.now() - t) / 1000 / wavDuration(r.audio));
  }
  rtfs.sort((a, b) => a - b);
  const median = rtfs[Math.floor(rtfs.length / 2)];
  console.log(
    `${voice.padEnd(4)} ${first.model.padEnd(24)} audio ${audioS.toFixed(1)} s | cold ${coldS.toFixed(2)} s (RTF ${(coldS / audioS).toFixed(3)}) | ` +
      `warm RTF median ${median.toFixed(3)} (min ${rtfs[0].toFixed(3)}, max ${rtfs[rtfs.length - 1].toFixed(3)})`,
  );
}
