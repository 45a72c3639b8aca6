import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runFfmpeg } from './ffmpeg';
import type { SceneTiming } from './timeline';

export interface VideoRequest {
  width: number;
  height: number;
  /** One picture per scene (PNG or JPEG bytes); a scene without one shows the last picture before it. */
  images: (Buffer | undefined)[];
  timings: SceneTiming[];
  /** The narration as one WAV track; silence for the length of the timings when absent. */
  narration?: Buffer;
  /** WebVTT subtitles: muxed as a soft subtitle track, and burned into the picture when `burn`. */
  subtitles?: { vtt: string; burn: boolean };
  signal?: AbortSignal;
  /** Share of the video encoded, 0…1. */
  onProgress?: (fraction: number) => void;
}

const FPS = 25;
/** How far each picture zooms over its scene: slow enough to read as a drift, not a lunge. */
const ZOOM = 0.12;

/**
 * Fonts for burned-in subtitles: libass in the static ffmpeg build finds no system fonts without a fontconfig
 * setup, so one of these is handed to it by folder. The first that exists on this machine wins.
 */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf',
  '/usr/share/fonts/noto/NotoSans-Regular.ttf',
  '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  '/Library/Fonts/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

export function subtitleFont(): string | undefined {
  return FONT_CANDIDATES.find((path) => existsSync(path));
}

/** Frames per scene, summing to the whole track's length in frames (rounding never drifts the end). */
function sceneFrames(timings: SceneTiming[]): number[] {
  let done = 0;
  return timings.map((t) => {
    const frames = Math.max(1, Math.round(t.end * FPS) - done);
    done += frames;
    return frames;
  });
}

/** Scene i's slow move: even scenes zoom in on the centre, odd ones pan left to right, zoomed in. */
function kenBurns(i: number, frames: number, width: number, height: number): string {
  const progress = `(on/${Math.max(1, frames - 1)})`;
  const move =
    i % 2 === 0
      ? `z='1+${ZOOM}*${progress}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'`
      : `z='${1 + ZOOM}':x='(iw-iw/zoom)*${progress}':y='ih/2-(ih/zoom/2)'`;
  return `zoompan=${move}:d=${frames}:s=${width}x${height}:fps=${FPS}`;
}

/** An MP4 (H.264 + AAC): each scene's picture for the length of its narration with a slow pan and zoom. */
export async function makeVideo(request: VideoRequest): Promise<Buffer> {
  const { width, height, timings } = request;
  const dir = mkdtempSync(join(tmpdir(), 'cf-storybook-'));
  try {
    const frames = sceneFrames(timings);
    const total = frames.reduce((a, b) => a + b, 0) / FPS;
    const args: string[] = [];
    const filters: string[] = [];
    let last: Buffer | undefined = request.images.find(Boolean);
    timings.forEach((_, i) => {
      last = request.images[i] ?? last;
      const name = `scene-${i}.img`;
      if (last) writeFileSync(join(dir, name), last);
      // A scene before any picture gets a plain card.
      args.push(...(last ? ['-i', name] : ['-f', 'lavfi', '-i', `color=c=0x1b1d24:s=${width}x${height}:d=0.04`]));
      // Drawn at twice the size, so the zoom moves by sub-pixels instead of jittering.
      filters.push(
        `[${i}:v]scale=${width * 2}:${height * 2}:force_original_aspect_ratio=increase,crop=${width * 2}:${height * 2},setsar=1,` +
          `${kenBurns(i, frames[i], width, height)},trim=end_frame=${frames[i]}[v${i}]`,
      );
    });
    const audioInput = timings.length;
    if (request.narration) {
      writeFileSync(join(dir, 'narration.wav'), request.narration);
      args.push('-i', 'narration.wav');
    } else {
      args.push('-f', 'lavfi', '-t', total.toFixed(3), '-i', 'anullsrc=r=22050:cl=mono');
    }
    const subtitles = request.subtitles;
    if (subtitles) {
      writeFileSync(join(dir, 'captions.vtt'), subtitles.vtt);
      args.push('-i', 'captions.vtt');
    }
    let video = `${timings.map((_, i) => `[v${i}]`).join('')}concat=n=${timings.length}:v=1:a=0,format=yuv420p`;
    if (subtitles?.burn) {
      const font = subtitleFont();
      let fontOptions = '';
      if (font) {
        mkdirSync(join(dir, 'fonts'));
        copyFileSync(font, join(dir, 'fonts', basename(font)));
        fontOptions = `:fontsdir=fonts:force_style='Fontname=${fontName(font)},Fontsize=${Math.max(14, Math.round(height / 24))},Outline=2,MarginV=24'`;
      }
      video += `,subtitles=captions.vtt${fontOptions}`;
    }
    filters.push(`${video}[video]`);
    args.push(
      '-filter_complex',
      filters.join(';'),
      '-map',
      '[video]',
      '-map',
      `${audioInput}:a`,
      ...(subtitles ? ['-map', `${audioInput + 1}:s`, '-c:s', 'mov_text', '-metadata:s:s:0', 'language=eng'] : []),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-r',
      String(FPS),
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-t',
      total.toFixed(3),
      '-movflags',
      '+faststart',
      '-y',
      'story.mp4',
    );
    await runFfmpeg(args, { cwd: dir, signal: request.signal, onProgress: (s) => request.onProgress?.(Math.min(1, s / total)) });
    return readFileSync(join(dir, 'story.mp4'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The family name libass matches a font file by: its file name is close enough for the common fonts. */
function fontName(path: string): string {
  const file = basename(path).replace(/\.(ttf|otf|ttc)$/i, '');
  if (/^DejaVuSans$/i.test(file)) return 'DejaVu Sans';
  if (/^LiberationSans/i.test(file)) return 'Liberation Sans';
  if (/^NotoSans/i.test(file)) return 'Noto Sans';
  return file.replace(/-Regular$/, '');
}

/** Converts any audio file ffmpeg reads into 16-bit mono WAV at `sampleRate`. */
export async function audioToWav(audio: Buffer, sampleRate: number, signal?: AbortSignal): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'cf-audio-'));
  try {
    writeFileSync(join(dir, 'in'), audio);
    await runFfmpeg(['-i', 'in', '-ac', '1', '-ar', String(sampleRate), '-c:a', 'pcm_s16le', '-f', 'wav', '-y', 'out.wav'], {
      cwd: dir,
      signal,
    });
    return readFileSync(join(dir, 'out.wav'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
