/**
 * Local sketch renderer: seconds per image at 512×512 (the default size) and 1024×1024, per style,
 * over `reps` different seeds (after one warm-up render). Prints figures; asserts nothing.
 *
 *   npx tsx bench/image.ts [reps=5]
 */
import { createSketchImageProvider, SKETCH_STYLES } from '../activities/providers/local/sketch';

const reps = Number(process.argv[2] ?? 5);
const provider = createSketchImageProvider();
const signal = new AbortController().signal;
const prompt = 'a lighthouse on a rocky coast at sunset with a boat, birds and a small house';

await provider.generate({ prompt, width: 256, height: 256, steps: 30, seed: 0 }, { signal }); // warm-up
for (const size of [512, 1024]) {
  for (const style of SKETCH_STYLES) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      const r = await provider.generate({ prompt, width: size, height: size, steps: 30, seed: i + 1, style }, { signal });
      times.push((performance.now() - t) / 1000);
      bytes += r.png.length;
    }
    times.sort((a, b) => a - b);
    console.log(
      `${size}x${size} ${style.padEnd(12)} median ${times[Math.floor(times.length / 2)].toFixed(3)} s/image ` +
        `(min ${times[0].toFixed(3)}, max ${times[times.length - 1].toFixed(3)}), avg PNG ${Math.round(bytes / reps / 1024)} KiB`,
    );
  }
}
