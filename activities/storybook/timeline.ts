import { splitSentences } from '../providers/audio/sentences';
import type { DecodedWav } from '../providers/audio/wav';

/** When each scene is read, in seconds from the start of the narration track. */
export interface SceneTiming {
  start: number;
  end: number;
}

export interface Cue extends SceneTiming {
  text: string;
}

/** Silence between the scenes' narrations when they are joined into one track. */
export const SCENE_GAP_S = 0.5;

/** Scenes read from one narration each: back to back, each scene keeping the gap after it. */
export function timingsFromDurations(durations: number[], gap = SCENE_GAP_S): SceneTiming[] {
  let at = 0;
  return durations.map((duration, i) => {
    const start = at;
    at += duration + (i < durations.length - 1 ? gap : 0);
    return { start, end: at };
  });
}

/** A window of this many seconds is silent when its RMS is under SILENCE_RMS of full scale. */
const WINDOW_S = 0.02;
const SILENCE_RMS = 0.015;
/** Pauses shorter than this are inside a sentence, not between paragraphs. */
const MIN_PAUSE_S = 0.12;
/** How far from the proportional guess a scene boundary may be moved to land in a real pause. */
const SNAP_S = 3;

/** The middle of every pause in the audio, in seconds. */
export function pausesOf(wav: DecodedWav): number[] {
  const frames = wav.samples.length / wav.channels;
  const size = Math.max(1, Math.round(WINDOW_S * wav.sampleRate));
  const pauses: number[] = [];
  let runStart = -1;
  for (let w = 0; w * size < frames; w++) {
    let sum = 0;
    const end = Math.min(frames, (w + 1) * size);
    for (let f = w * size; f < end; f++) sum += (wav.samples[f * wav.channels] / 32768) ** 2;
    const silent = Math.sqrt(sum / (end - w * size)) < SILENCE_RMS;
    if (silent && runStart < 0) runStart = w;
    if ((!silent || end === frames) && runStart >= 0) {
      const last = silent ? w + 1 : w;
      if ((last - runStart) * WINDOW_S >= MIN_PAUSE_S) pauses.push(((runStart + last) / 2) * WINDOW_S);
      runStart = -1;
    }
  }
  return pauses;
}

/**
 * Scenes read from one narration of them all: each boundary where the scene's share of the characters puts it,
 * moved to the nearest real pause in the audio (paragraphs end in one), so the highlight follows the reading.
 */
export function timingsFromOneTrack(scenes: string[], duration: number, pauses: number[]): SceneTiming[] {
  const total = scenes.reduce((n, s) => n + s.length, 0) || 1;
  const boundaries: number[] = [];
  let chars = 0;
  for (const scene of scenes.slice(0, -1)) {
    chars += scene.length;
    const guess = (chars / total) * duration;
    const previous = boundaries.at(-1) ?? 0;
    const nearest = pauses
      .filter((p) => p > previous && Math.abs(p - guess) <= SNAP_S)
      .sort((a, b) => Math.abs(a - guess) - Math.abs(b - guess))[0];
    boundaries.push(nearest ?? Math.max(previous, guess));
  }
  const edges = [0, ...boundaries, duration];
  return scenes.map((_, i) => ({ start: edges[i], end: edges[i + 1] }));
}

/** Characters a subtitle line holds at most: a sentence or two. */
const CUE_CHARS = 90;

/** Subtitle cues: each scene's text in short pieces, timed by their share of the scene's characters. */
export function cuesOf(scenes: string[], timings: SceneTiming[]): Cue[] {
  return scenes.flatMap((scene, i) => {
    const pieces = splitSentences(scene, CUE_CHARS);
    const { start, end } = timings[i];
    const total = pieces.reduce((n, p) => n + p.length, 0) || 1;
    let at = start;
    return pieces.map((text) => {
      const cue = { start: at, end: at + ((end - start) * text.length) / total, text };
      at = cue.end;
      return cue;
    });
  });
}

function timestamp(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/** A WebVTT file of the cues. */
export function webVtt(cues: Cue[]): string {
  const body = cues.map((c, i) => `${i + 1}\n${timestamp(c.start)} --> ${timestamp(c.end)}\n${c.text.replace(/-->/g, '→')}\n`);
  return ['WEBVTT', '', ...body].join('\n');
}
