import { createCanvas, loadImage } from '@napi-rs/canvas';
import { decodeWav, joinWavs } from '../providers/audio/wav';
import { dataUri, writeBook } from './book';
import { cuesOf, pausesOf, SCENE_GAP_S, timingsFromDurations, timingsFromOneTrack, webVtt, type SceneTiming } from './timeline';
import { audioToWav, makeVideo } from './video';

/** Reading speed that times the scenes of a book without narration. */
const CHARS_PER_SECOND = 15;
/** The rate narrations in other formats (or mixed rates) are brought to before they are joined. */
const COMMON_SAMPLE_RATE = 22050;

export interface StorybookMaterial {
  title?: string;
  scenes: string[];
  /** Pictures in scene order (fewer than the scenes: the later scenes go without in the book, keep the last in the video). */
  images: { body: Buffer; mimeType: string }[];
  /** No narration, one for the whole story, or one per scene. */
  narration: Buffer[];
}

export interface StorybookOptions {
  video: boolean;
  subtitles: 'none' | 'vtt' | 'burned';
  width: number;
  height: number;
  signal?: AbortSignal;
  /** What is being done, and how far along (0…1). */
  onProgress?: (fraction: number, message: string) => void;
}

export interface Storybook {
  html: string;
  /** When each scene is read; the last one's end is the narration's length. */
  timings: SceneTiming[];
  mp4?: Buffer;
  vtt?: string;
}

/** The book (one offline HTML page that reads along with the narration), and the video with its subtitles. */
export async function assembleStorybook(material: StorybookMaterial, options: StorybookOptions): Promise<Storybook> {
  const { scenes, images } = material;
  const progress = options.onProgress ?? (() => {});
  progress(0, 'Writing the book');
  const { track, timings } = await narrationTrack(scenes, material.narration, options.signal);
  const pictures = await Promise.all(images.map(forTheBook));
  const html = writeBook({
    title: material.title,
    audio: track ? dataUri('audio/wav', track) : undefined,
    scenes: scenes.map((text, i) => ({
      text,
      image: pictures[i] ? dataUri(pictures[i].mimeType, pictures[i].body) : undefined,
      timing: track ? timings[i] : undefined,
    })),
  });
  if (!options.video) return { html, timings };

  const vtt = options.subtitles === 'none' ? undefined : webVtt(cuesOf(scenes, timings));
  progress(0.05, `Making the video: ${scenes.length} scenes`);
  const mp4 = await makeVideo({
    width: options.width,
    height: options.height,
    images: scenes.map((_, i) => images[i]?.body),
    timings,
    narration: track,
    subtitles: vtt ? { vtt, burn: options.subtitles === 'burned' } : undefined,
    signal: options.signal,
    onProgress: (fraction) => progress(0.05 + 0.95 * fraction, `Encoding the video: ${Math.round(fraction * 100)} %`),
  });
  return { html, timings, mp4, vtt };
}

/** Pictures above this size go into the book as JPEG, which holds a painted picture in a fraction of a PNG's bytes. */
const BOOK_PICTURE_BYTES = 120 * 1024;
const BOOK_JPEG_QUALITY = 88;

async function forTheBook(image: { body: Buffer; mimeType: string }): Promise<{ body: Buffer; mimeType: string }> {
  if (image.body.length <= BOOK_PICTURE_BYTES || image.mimeType === 'image/jpeg') return image;
  try {
    const picture = await loadImage(image.body);
    const canvas = createCanvas(picture.width, picture.height);
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff'; // under any transparency, which JPEG lacks
    g.fillRect(0, 0, picture.width, picture.height);
    g.drawImage(picture, 0, 0);
    const jpeg = await canvas.encode('jpeg', BOOK_JPEG_QUALITY);
    return jpeg.length < image.body.length ? { body: jpeg, mimeType: 'image/jpeg' } : image;
  } catch {
    return image; // a picture the canvas can't read goes in as it is: the browser may well show it
  }
}

function isPcmWav(audio: Buffer): boolean {
  try {
    decodeWav(audio);
    return true;
  } catch {
    return false;
  }
}

/**
 * The narration as one WAV track, and when each scene is read in it: from each scene's own audio (their real
 * lengths) or, from one narration of everything, at the real pauses nearest each scene's share of the text.
 * Without narration, scenes are timed at a reading pace (for the video) and the book has no player.
 */
async function narrationTrack(
  scenes: string[],
  parts: Buffer[],
  signal: AbortSignal | undefined,
): Promise<{ track: Buffer | undefined; timings: SceneTiming[] }> {
  if (parts.length === 0) {
    return { track: undefined, timings: timingsFromDurations(scenes.map((s) => Math.max(2, s.length / CHARS_PER_SECOND))) };
  }
  const formats = parts.map((p) => (isPcmWav(p) ? decodeWav(p) : undefined));
  const first = formats[0];
  const sameFormat = formats.every((d) => d && first && d.sampleRate === first.sampleRate && d.channels === first.channels);
  const wavs = sameFormat ? parts : await Promise.all(parts.map((p) => audioToWav(p, COMMON_SAMPLE_RATE, signal)));
  const decoded = sameFormat ? (formats as NonNullable<(typeof formats)[number]>[]) : wavs.map(decodeWav);
  const seconds = decoded.map((d) => d.samples.length / d.channels / d.sampleRate);
  if (wavs.length === 1) {
    const timings = scenes.length === 1 ? [{ start: 0, end: seconds[0] }] : timingsFromOneTrack(scenes, seconds[0], pausesOf(decoded[0]));
    return { track: wavs[0], timings };
  }
  // joinWavs fades each part's edges over a few ms and puts exactly the gap between them: the timings agree.
  return { track: joinWavs(wavs, { gapMs: SCENE_GAP_S * 1000 }), timings: timingsFromDurations(seconds) };
}
