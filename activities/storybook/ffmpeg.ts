import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The ffmpeg binary of npm `@ffmpeg-installer/ffmpeg` (GPL): always run as a separate process, never linked. */
export function ffmpegPath(): string {
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

export class FfmpegCancelled extends Error {
  constructor() {
    super('ffmpeg cancelled');
    this.name = 'AbortError';
  }
}

export interface FfmpegRun {
  /** Working directory: the inputs are named relative to it, which keeps filter graphs free of path escaping. */
  cwd: string;
  signal?: AbortSignal;
  /** Seconds of output written so far, from ffmpeg's `-progress` report (several times a second). */
  onProgress?: (seconds: number) => void;
}

/** How much of ffmpeg's stderr is kept for the error message: its last lines say what went wrong. */
const STDERR_TAIL_BYTES = 4000;

/** Runs ffmpeg with `args` (no shell); resolves when it exits with 0, kills it when `signal` aborts. */
export function runFfmpeg(args: string[], { cwd, signal, onProgress }: FfmpegRun): Promise<void> {
  if (signal?.aborted) return Promise.reject(new FfmpegCancelled());
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), ['-hide_banner', '-nostdin', '-nostats', '-progress', 'pipe:1', ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let pending = '';
    const kill = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', kill, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // out_time_ms is in microseconds, despite its name (and out_time_us is missing from older builds).
        const match = /^out_time_ms=(\d+)/.exec(line.trim());
        if (match) onProgress?.(Number(match[1]) / 1e6);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', kill);
      reject(new Error(`ffmpeg could not start: ${err.message}`));
    });
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', kill);
      if (signal?.aborted) return reject(new FfmpegCancelled());
      if (code === 0) return resolve();
      const why = stderr.trim().split('\n').slice(-3).join(' / ');
      reject(new Error(`ffmpeg ${killedBy ? `was killed (${killedBy})` : `exited with ${code}`}: ${why}`));
    });
  });
}
