import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, joinWavs, rms, wavDuration } from './wav';
import { sentencesOf, splitSentences } from './sentences';

function sine(freq: number, seconds: number, rate: number, amp = 20000, phase = 0): Int16Array {
  const n = Math.round(seconds * rate);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amp * Math.sin(phase + (2 * Math.PI * freq * i) / rate));
  return out;
}

function maxJump(s: Int16Array): number {
  let m = 0;
  for (let i = 1; i < s.length; i++) m = Math.max(m, Math.abs(s[i] - s[i - 1]));
  return m;
}

describe('wav', () => {
  it('round-trips samples through encode/decode', () => {
    const s = sine(440, 0.5, 16000);
    const buf = encodeWav(s, 16000);
    expect(buf.toString('ascii', 0, 4)).toBe('RIFF');
    expect(buf.length).toBe(44 + s.length * 2);
    const d = decodeWav(buf);
    expect(d.sampleRate).toBe(16000);
    expect(d.channels).toBe(1);
    expect(Array.from(d.samples)).toEqual(Array.from(s));
    expect(wavDuration(buf)).toBeCloseTo(0.5, 5);
  });

  it('skips extra chunks such as LIST (odd-sized, padded) before data', () => {
    const s = sine(300, 0.1, 8000);
    const plain = encodeWav(s, 8000);
    const info = Buffer.from('INFOISFT\x05\x00\x00\x00test\x00', 'latin1'); // 17 bytes: odd, needs a pad byte
    const list = Buffer.concat([Buffer.from('LIST', 'ascii'), Buffer.alloc(4), info, Buffer.alloc(1)]);
    list.writeUInt32LE(info.length, 4);
    const withList = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    const d = decodeWav(withList);
    expect(d.sampleRate).toBe(8000);
    expect(Array.from(d.samples)).toEqual(Array.from(s));
  });

  it('rejects non-WAV and non-16-bit input clearly', () => {
    expect(() => decodeWav(Buffer.from('not a wav file at all'))).toThrow(/RIFF/);
    const b = encodeWav(new Int16Array(4), 8000);
    b.writeUInt16LE(8, 34);
    expect(() => decodeWav(b)).toThrow(/16-bit/);
  });

  it('joins parts without clicks, with a silence gap', () => {
    const rate = 22050;
    // Part a ends near a positive peak, part b starts at a negative peak: a naive join jumps ~40000.
    const a = sine(441, 0.25, rate, 20000, 0); // 110.25 cycles: ends at +peak
    const b = sine(441, 0.25, rate, 20000, -Math.PI / 2);
    const naive = new Int16Array([...a, ...b]);
    expect(maxJump(naive)).toBeGreaterThan(30000);
    const inner = maxJump(a); // the largest step the signal itself makes (~2500)
    const joined = joinWavs([encodeWav(a, rate), encodeWav(b, rate), encodeWav(a, rate)], { gapMs: 50 });
    const d = decodeWav(joined);
    expect(maxJump(d.samples)).toBeLessThanOrEqual(inner + 50);
    expect(d.samples.length).toBe(a.length * 2 + b.length + 2 * Math.round(0.05 * rate));
    expect(wavDuration(joined)).toBeCloseTo(0.75 + 0.1, 2);
    // The middle of each part is untouched.
    expect(d.samples[1000]).toBe(a[1000]);
  });

  it('refuses to join parts with different sample rates', () => {
    expect(() => joinWavs([encodeWav(new Int16Array(100), 16000), encodeWav(new Int16Array(100), 22050)])).toThrow(
      /22050 Hz.*16000 Hz.*resample/,
    );
  });

  it('measures RMS', () => {
    expect(rms(new Int16Array(100))).toBe(0);
    expect(rms(sine(440, 0.1, 16000, 16384))).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });
});

describe('splitSentences', () => {
  const words = (chunks: string[]) => chunks.join(' ').split(/\s+/);

  it('splits at . ! ? … and newlines', () => {
    expect(sentencesOf('Room No. 5 is free. One. Two! Three? Four… Five\nSix')).toEqual([
      'Room No. 5 is free.',
      'One.',
      'Two!',
      'Three?',
      'Four…',
      'Five',
      'Six',
    ]);
  });

  it('keeps decimals, abbreviations and initials inside a sentence', () => {
    expect(sentencesOf('Dr. Smith paid 3.50 dollars, e.g. for J. R. Tolkien books. Then he left.')).toEqual([
      'Dr. Smith paid 3.50 dollars, e.g. for J. R. Tolkien books.',
      'Then he left.',
    ]);
  });

  it('keeps closing quotes with their sentence', () => {
    expect(sentencesOf('He asked, "Is it ready?" She nodded.')).toEqual(['He asked, "Is it ready?"', 'She nodded.']);
  });

  it('merges short sentences up to maxChars', () => {
    expect(splitSentences('Hi. Yes. No. This one is longer.', 16)).toEqual(['Hi. Yes. No.', 'This one is', 'longer.']);
    expect(splitSentences('Hi. Yes. No. Okay then.', 13)).toEqual(['Hi. Yes. No.', 'Okay then.']);
    expect(splitSentences('A b. C d. E f.', 100)).toEqual(['A b. C d. E f.']);
  });

  it('never exceeds maxChars and never cuts a word', () => {
    const text =
      'The studio renders every frame locally. It never calls the network, which keeps drafts private, and it still feels quick! ' +
      'Does it work offline? Yes… completely.\nNew paragraph here.';
    for (const max of [20, 40, 80, 200]) {
      const chunks = splitSentences(text, max);
      for (const c of chunks) expect(c.length).toBeLessThanOrEqual(max);
      expect(words(chunks)).toEqual(text.split(/\s+/));
    }
  });

  it('hard-splits one over-long sentence at a comma first, then at a space', () => {
    const s = 'When the rain stopped at last, the children ran out into the garden and played until dark';
    const chunks = splitSentences(s, 50);
    expect(chunks[0]).toBe('When the rain stopped at last,');
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(50);
    expect(words(chunks)).toEqual(s.split(' '));
    const noComma = splitSentences('aaaa bbbb cccc dddd eeee', 10);
    expect(noComma).toEqual(['aaaa bbbb', 'cccc dddd', 'eeee']);
  });

  it('keeps a single word longer than maxChars whole', () => {
    expect(splitSentences('Supercalifragilistic is long.', 8)).toEqual(['Supercalifragilistic', 'is long.']);
  });

  it('ignores empty input and extra whitespace', () => {
    expect(splitSentences('  \n\n ', 50)).toEqual([]);
    expect(splitSentences('Hello   there.\r\n\r\nGeneral   Kenobi.', 100)).toEqual(['Hello there. General Kenobi.']);
  });
});
