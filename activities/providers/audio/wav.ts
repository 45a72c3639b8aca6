/**
 * Pure helpers for 16-bit PCM WAV: encode, decode (tolerant of extra RIFF chunks such as LIST),
 * duration, and click-free joining of synthesized chunks.
 */

export interface DecodedWav {
  sampleRate: number;
  channels: number;
  /** Interleaved 16-bit samples (channels > 1 keeps the interleaving). */
  samples: Int16Array;
}

/** Encodes mono 16-bit PCM samples as a canonical 44-byte-header WAV file. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new Error(`encodeWav: bad sample rate ${sampleRate}`);
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * channels * 2, 28); // byte rate
  buf.writeUInt16LE(channels * 2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i], 44 + i * 2);
  return buf;
}

/** Decodes a 16-bit PCM WAV, walking the RIFF chunks so LIST/fact/etc. chunks are skipped. */
export function decodeWav(buf: Buffer): DecodedWav {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('decodeWav: not a RIFF/WAVE file');
  }
  let offset = 12;
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  let data: Buffer | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    let size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    // Streamed writers sometimes leave 0 or 0xFFFFFFFF as the data size: take what is there.
    if (id === 'data' && (size === 0 || size === 0xffffffff || body + size > buf.length)) size = buf.length - body;
    if (id === 'fmt ') {
      if (size < 16) throw new Error('decodeWav: fmt chunk too short');
      let format = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (format === 0xfffe && size >= 26) format = buf.readUInt16LE(body + 24);
      fmt = {
        format,
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      data = buf.subarray(body, body + size);
    }
    offset = body + size + (size % 2); // chunks are word-aligned
    if (fmt && data) break;
  }
  if (!fmt) throw new Error('decodeWav: no fmt chunk');
  if (!data) throw new Error('decodeWav: no data chunk');
  if (fmt.format !== 1 || fmt.bits !== 16) {
    throw new Error(`decodeWav: only 16-bit PCM is supported (format ${fmt.format}, ${fmt.bits} bits)`);
  }
  const count = Math.floor(data.length / 2);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) samples[i] = data.readInt16LE(i * 2);
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, samples };
}

/** Duration in seconds. */
export function wavDuration(buf: Buffer): number {
  const { sampleRate, channels, samples } = decodeWav(buf);
  return samples.length / channels / sampleRate;
}

/** Root-mean-square level of the samples, normalised to 0..1. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / samples.length) / 32768;
}

export interface JoinOptions {
  /** Silence inserted between parts, in milliseconds (default 120). */
  gapMs?: number;
  /** Length of the fade-out / fade-in applied at each boundary, in milliseconds (default 8). */
  fadeMs?: number;
}

/**
 * Joins WAV chunks of the same sample rate and channel count into one WAV. Each inner boundary
 * gets a short raised-cosine fade-out and fade-in, with a small silence gap between, so a
 * chunk that ends or starts mid-waveform doesn't click.
 */
export function joinWavs(parts: Buffer[], opts: JoinOptions = {}): Buffer {
  if (parts.length === 0) throw new Error('joinWavs: no parts');
  const gapMs = opts.gapMs ?? 120;
  const fadeMs = opts.fadeMs ?? 8;
  const decoded = parts.map(decodeWav);
  const { sampleRate, channels } = decoded[0];
  decoded.forEach((d, i) => {
    if (d.sampleRate !== sampleRate || d.channels !== channels) {
      throw new Error(
        `joinWavs: part ${i} is ${d.sampleRate} Hz/${d.channels} ch but part 0 is ${sampleRate} Hz/${channels} ch; resample first`,
      );
    }
  });
  if (decoded.length === 1) return encodeWav(decoded[0].samples, sampleRate, channels);
  const gapFrames = Math.max(0, Math.round((gapMs / 1000) * sampleRate));
  const fadeFrames = Math.max(1, Math.round((fadeMs / 1000) * sampleRate));
  const total = decoded.reduce((n, d) => n + d.samples.length, 0) + gapFrames * channels * (decoded.length - 1);
  const out = new Int16Array(total);
  let pos = 0;
  decoded.forEach((d, idx) => {
    const frames = d.samples.length / channels;
    const fadeIn = idx > 0 ? Math.min(fadeFrames, Math.floor(frames / 2)) : 0;
    const fadeOut = idx < decoded.length - 1 ? Math.min(fadeFrames, Math.floor(frames / 2)) : 0;
    for (let f = 0; f < frames; f++) {
      let gain = 1;
      if (f < fadeIn) gain = 0.5 - 0.5 * Math.cos((Math.PI * f) / fadeIn);
      const fromEnd = frames - 1 - f;
      if (fromEnd < fadeOut) gain *= 0.5 - 0.5 * Math.cos((Math.PI * fromEnd) / fadeOut);
      for (let c = 0; c < channels; c++) {
        out[pos + f * channels + c] = Math.round(d.samples[f * channels + c] * gain);
      }
    }
    pos += d.samples.length;
    if (idx < decoded.length - 1) pos += gapFrames * channels; // already zero
  });
  return encodeWav(out, sampleRate, channels);
}

/** Linear fade at both ends of a mono/interleaved buffer in place (used on raw model output). */
export function fadeEdges(samples: Int16Array, frames: number, channels = 1): void {
  const n = samples.length / channels;
  const len = Math.min(frames, Math.floor(n / 2));
  for (let f = 0; f < len; f++) {
    const g = f / len;
    for (let c = 0; c < channels; c++) {
      samples[f * channels + c] = Math.round(samples[f * channels + c] * g);
      samples[(n - 1 - f) * channels + c] = Math.round(samples[(n - 1 - f) * channels + c] * g);
    }
  }
}
