/**
 * Storybook assembly time for a 4-scene story: the book (HTML: narration joined, pictures and audio inlined)
 * and the video (MP4, H.264 + AAC, with subtitles burned in or not), at the node's default 960×540 and at
 * 1280×720. Pictures from the local sketch renderer, narration from the local default voice (made once, not
 * timed). Prints figures; asserts nothing.
 *
 *   npx tsx bench/storybook.ts [reps=2]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wavDuration } from '../activities/providers/audio/wav';
import { createLocalSpeechProvider } from '../activities/providers/local/speech';
import { createSketchImageProvider } from '../activities/providers/local/sketch';
import { assembleStorybook } from '../activities/storybook/assemble';

const reps = Number(process.argv[2] ?? 2);
const rootDir = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const signal = new AbortController().signal;
const SCENES = [
  'Every morning the old lighthouse keeper climbed the narrow stairs to polish the great lamp.',
  'One grey dawn a whale rose beside the rocks and sang a long, low song to the tower.',
  'The keeper sang back, badly, and the whale splashed its tail as if it were laughing.',
  'From then on, whenever fog rolled in, the whale called out, and the keeper lit the lamp for two.',
];

const images = await Promise.all(
  SCENES.map((prompt, seed) => createSketchImageProvider().generate({ prompt, width: 512, height: 512, steps: 20, seed }, { signal })),
);
const speech = createLocalSpeechProvider({ rootDir });
const narration: Buffer[] = [];
for (const text of SCENES) narration.push((await speech.synthesize({ text, speed: 1 }, { signal })).audio);
const audioS = narration.reduce((s, wav) => s + wavDuration(wav), 0);
console.log(`4 scenes, ${audioS.toFixed(1)} s of narration, 512×512 pictures; ${reps} runs each, median`);

const material = {
  title: 'The keeper and the whale',
  scenes: SCENES,
  images: images.map((i) => ({ body: i.png, mimeType: 'image/png' })),
  narration,
};
const cases = [
  { label: 'book only (HTML)', video: false, subtitles: 'none', width: 960, height: 540 },
  { label: 'book + MP4 960×540, VTT', video: true, subtitles: 'vtt', width: 960, height: 540 },
  { label: 'book + MP4 960×540, burned subtitles', video: true, subtitles: 'burned', width: 960, height: 540 },
  { label: 'book + MP4 1280×720, VTT', video: true, subtitles: 'vtt', width: 1280, height: 720 },
] as const;
for (const c of cases) {
  const times: number[] = [];
  let sizes = '';
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const made = await assembleStorybook(material, { ...c, signal });
    times.push((performance.now() - t) / 1000);
    sizes = `HTML ${Math.round(made.html.length / 1024)} KiB${made.mp4 ? `, MP4 ${Math.round(made.mp4.length / 1024)} KiB` : ''}`;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${c.label.padEnd(40)} ${median.toFixed(2)} s (${(median / audioS).toFixed(2)} s per narration second); ${sizes}`);
}
