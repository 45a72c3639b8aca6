import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../providers/audio/wav';
import { writeBook } from './book';
import { cuesOf, pausesOf, timingsFromDurations, timingsFromOneTrack, webVtt } from './timeline';

/** Speech stand-in: tone for each `[seconds, loud]` span, silence for the quiet ones. */
function track(spans: [number, boolean][], rate = 8000) {
  const parts = spans.map(([seconds, loud]) => {
    const samples = new Int16Array(Math.round(seconds * rate));
    if (loud) for (let i = 0; i < samples.length; i++) samples[i] = Math.round(9000 * Math.sin(i / 3));
    return samples;
  });
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) all.set(p, (at += p.length) - p.length);
  return decodeWav(encodeWav(all, rate));
}

describe('storybook timeline', () => {
  it('times scenes read one narration each back to back, the gap after each but the last', () => {
    expect(timingsFromDurations([1, 2, 0.5], 0.5)).toEqual([
      { start: 0, end: 1.5 },
      { start: 1.5, end: 4 },
      { start: 4, end: 4.5 },
    ]);
  });

  it('finds the pauses in speech, not the short dips inside it', () => {
    const wav = track([
      [1, true],
      [0.05, false],
      [1, true],
      [0.4, false],
      [1, true],
    ]);
    const pauses = pausesOf(wav);
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toBeCloseTo(2.25, 1);
  });

  it('puts scene boundaries of one narration at the real pause nearest each scene’s share of the text', () => {
    // Equal texts would split at 3 s; the reader paused at 3.6 s, so that is where the second scene begins.
    const timings = timingsFromOneTrack(['a'.repeat(50), 'b'.repeat(50)], 6, [1.2, 3.6, 5.1]);
    expect(timings).toEqual([
      { start: 0, end: 3.6 },
      { start: 3.6, end: 6 },
    ]);
    // No pause near enough: the share of the text decides.
    expect(timingsFromOneTrack(['a'.repeat(30), 'b'.repeat(10)], 8, [])[0].end).toBe(6);
  });

  it('writes WebVTT cues in short pieces inside each scene’s time', () => {
    const cues = cuesOf(
      ['One. Two.', 'A much longer sentence that goes on and on, well past what one subtitle line should ever hold at once.'],
      [
        { start: 0, end: 2 },
        { start: 2, end: 5 },
      ],
    );
    expect(cues[0]).toEqual({ start: 0, end: 2, text: 'One. Two.' });
    expect(cues.length).toBeGreaterThan(2);
    expect(cues.at(-1)!.end).toBeCloseTo(5, 6);
    const vtt = webVtt(cues);
    expect(vtt.startsWith('WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.000\nOne. Two.\n')).toBe(true);
  });

  it('writes a book that escapes what it is given and says when each scene is read', () => {
    const html = writeBook({
      title: '<script>alert(1)</script>',
      audio: 'data:audio/wav;base64,AAAA',
      scenes: [{ text: 'Fish & "chips"\n\nSecond <b>para</b>', image: 'data:image/png;base64,AAAA', timing: { start: 0, end: 1.25 } }],
    });
    expect(html).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(html).toContain('<p>Fish &amp; &quot;chips&quot;</p><p>Second &lt;b&gt;para&lt;/b&gt;</p>');
    expect(html).toContain('data-start="0.000" data-end="1.250"');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/https?:\/\//);
  });
});
