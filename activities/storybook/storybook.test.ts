import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../providers/audio/wav';
import { assembleStorybook } from './assemble';
import { FfmpegCancelled } from './ffmpeg';

const run = promisify(execFile);
const ffprobe = (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path;
const dir = mkdtempSync(join(tmpdir(), 'storybook-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A picture unlike the others: its own colour, with a shape so the zoom has something to move. */
function picture(hue: number): { body: Buffer; mimeType: string } {
  const canvas = createCanvas(320, 240);
  const g = canvas.getContext('2d');
  g.fillStyle = `hsl(${hue}, 70%, 45%)`;
  g.fillRect(0, 0, 320, 240);
  g.fillStyle = `hsl(${(hue + 180) % 360}, 80%, 70%)`;
  g.beginPath();
  g.arc(160, 120, 60, 0, Math.PI * 2);
  g.fill();
  return { body: canvas.toBuffer('image/png'), mimeType: 'image/png' };
}

/** A narration stand-in of an exact length: a quiet tone, 16 kHz mono. */
function tone(seconds: number, hz = 220): Buffer {
  const rate = 16000;
  const samples = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate));
  return encodeWav(samples, rate);
}

async function probe(mp4: Buffer, name: string) {
  writeFileSync(join(dir, name), mp4);
  const { stdout } = await run(ffprobe, ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', name], { cwd: dir });
  const info = JSON.parse(stdout) as {
    streams: { codec_type: string; codec_name: string; width?: number }[];
    format: { duration: string };
  };
  // Frames where the picture changes completely: one at each cut between scenes (within a scene the zoom scores under 0.05).
  const cuts = await run(
    ffprobe,
    ['-v', 'error', '-f', 'lavfi', '-i', `movie=${name},select=gt(scene\\,0.3)`, '-show_entries', 'frame=pts_time', '-of', 'csv=p=0'],
    {
      cwd: dir,
    },
  );
  return { ...info, duration: Number(info.format.duration), cuts: cuts.stdout.trim().split('\n').filter(Boolean).map(Number) };
}

const SCENES = ['The keeper climbed the stairs.', 'A whale rose beside the rocks and sang.', 'They were friends from then on.'];
const LENGTHS = [1.5, 2, 1.2];

describe('storybook video', () => {
  it('is H.264 + AAC, as long as the narration, with one cut per scene where each narration ends', { timeout: 120_000 }, async () => {
    const made = await assembleStorybook(
      { title: 'Keeper', scenes: SCENES, images: [picture(0), picture(120), picture(240)], narration: LENGTHS.map((s) => tone(s)) },
      { video: true, subtitles: 'vtt', width: 320, height: 240 },
    );
    const narrationS = made.timings.at(-1)!.end;
    expect(narrationS).toBeCloseTo(LENGTHS.reduce((a, b) => a + b) + 2 * 0.5, 2); // each scene's audio and the gaps between
    const video = await probe(made.mp4!, 'vtt.mp4');
    const codecs = Object.fromEntries(video.streams.map((s) => [s.codec_type, s.codec_name]));
    expect(codecs).toMatchObject({ video: 'h264', audio: 'aac', subtitle: 'mov_text' });
    expect(Math.abs(video.duration - narrationS)).toBeLessThan(0.5);
    expect(video.cuts).toHaveLength(SCENES.length - 1);
    video.cuts.forEach((at, i) => expect(Math.abs(at - made.timings[i + 1].start)).toBeLessThan(0.1));
    expect(made.vtt).toMatch(/^WEBVTT\n/);
    expect(made.vtt).toContain('00:00:00.000 --> ');
    expect(made.vtt).toContain(SCENES[1]);
  });

  it('burns the subtitles into the picture when asked', { timeout: 120_000 }, async () => {
    const material = { scenes: SCENES.slice(0, 1), images: [picture(200)], narration: [tone(1)] };
    const plain = await assembleStorybook(material, { video: true, subtitles: 'none', width: 320, height: 240 });
    const burned = await assembleStorybook(material, { video: true, subtitles: 'burned', width: 320, height: 240 });
    const frameAt = async (mp4: Buffer, name: string) => {
      writeFileSync(join(dir, name), mp4);
      const ffmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
      const { stdout } = await run(
        ffmpeg,
        ['-v', 'error', '-ss', '0.5', '-i', name, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
        {
          cwd: dir,
          encoding: 'buffer',
        },
      );
      return stdout as Buffer;
    };
    const [a, b] = await Promise.all([frameAt(plain.mp4!, 'plain.mp4'), frameAt(burned.mp4!, 'burned.mp4')]);
    expect(a.length).toBe(320 * 240);
    // The text sits in the bottom third: there the frames differ, above it they are the same picture.
    const differing = (from: number, to: number) => {
      let n = 0;
      for (let i = from * 320; i < to * 320; i++) if (Math.abs(a[i] - b[i]) > 40) n++;
      return n;
    };
    expect(differing(160, 240)).toBeGreaterThan(200);
    expect(differing(0, 100)).toBeLessThan(50);
    expect((await probe(burned.mp4!, 'burned.mp4')).streams.map((s) => s.codec_type)).toContain('subtitle');
  });

  it('stops ffmpeg when cancelled', { timeout: 60_000 }, async () => {
    const abort = new AbortController();
    const started = Date.now();
    const making = assembleStorybook(
      { scenes: ['A long scene.'], images: [picture(30)], narration: [tone(120)] },
      { video: true, subtitles: 'none', width: 640, height: 480, signal: abort.signal, onProgress: (f) => f > 0.06 && abort.abort() },
    );
    await expect(making).rejects.toBeInstanceOf(FfmpegCancelled);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('without video, makes only the book, timed by the narration', async () => {
    const made = await assembleStorybook(
      { scenes: SCENES, images: [picture(0)], narration: LENGTHS.map((s) => tone(s)) },
      { video: false, subtitles: 'vtt', width: 320, height: 240 },
    );
    expect(made.mp4).toBeUndefined();
    expect(made.html.match(/<img /g)).toHaveLength(1);
    expect(made.html).toContain('data-start="2.000" data-end="4.500"');
  });
});
