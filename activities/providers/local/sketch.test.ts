import { describe, expect, it } from 'vitest';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { IMAGE_STYLES } from '../../../workflows/pipeline';
import { ProviderError } from '../types';
import { createSketchImageProvider, describeScene, mulberry32, SKETCH_STYLES } from './sketch';

const provider = createSketchImageProvider();
const signal = new AbortController().signal;
const base = { prompt: 'a lighthouse on a rocky coast at sunset with a boat', width: 320, height: 200, steps: 20, seed: 42 };

function ihdr(png: Buffer) {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

async function pixels(png: Buffer) {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return ctx.getImageData(0, 0, img.width, img.height).data;
}

describe('sketch image provider', () => {
  it('returns a PNG of the requested size, labelled as the local sketch model', async () => {
    const r = await provider.generate(base, { signal });
    expect(r.aiService).toBe('local-sketch');
    expect(r.model).toBe('procedural-sketch-v1');
    expect(provider.id).toBe('local');
    expect([r.width, r.height]).toEqual([320, 200]);
    expect(ihdr(r.png)).toEqual({ width: 320, height: 200 });
    expect(r.png.includes(Buffer.from('not AI-generated'))).toBe(true);
  });

  it('handles the size limits and rejects sizes outside 64..2048', async () => {
    const small = await provider.generate({ ...base, width: 64, height: 64 }, { signal });
    expect(ihdr(small.png)).toEqual({ width: 64, height: 64 });
    const tall = await provider.generate({ ...base, width: 64, height: 700, style: 'ink' }, { signal });
    expect(ihdr(tall.png)).toEqual({ width: 64, height: 700 });
    for (const [width, height] of [
      [63, 100],
      [100, 2049],
      [100.5, 100],
    ]) {
      await expect(provider.generate({ ...base, width, height }, { signal })).rejects.toBeInstanceOf(ProviderError);
    }
  });

  it('is deterministic for the same prompt, seed and size', async () => {
    const a = await provider.generate(base, { signal });
    const b = await provider.generate(base, { signal });
    expect(a.png.equals(b.png)).toBe(true);
  });

  it('differs for another seed and for another prompt', async () => {
    const a = await provider.generate(base, { signal });
    const seed = await provider.generate({ ...base, seed: 43 }, { signal });
    const prompt = await provider.generate({ ...base, prompt: 'a cat in a snowy forest at night' }, { signal });
    expect(a.png.equals(seed.png)).toBe(false);
    expect(a.png.equals(prompt.png)).toBe(false);
    expect(seed.png.equals(prompt.png)).toBe(false);
  });

  it('is not a flat single colour, in every style', async () => {
    for (const style of SKETCH_STYLES) {
      const r = await provider.generate({ ...base, style }, { signal });
      const d = await pixels(r.png);
      const colours = new Set<number>();
      let min = 255;
      let max = 0;
      for (let i = 0; i < d.length; i += 4) {
        colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        const l = (d[i] + d[i + 1] + d[i + 2]) / 3;
        min = Math.min(min, l);
        max = Math.max(max, l);
      }
      expect(colours.size).toBeGreaterThan(50);
      expect(max - min).toBeGreaterThan(80);
    }
  });

  it('draws every style the illustration node offers, each visibly different for the same prompt and seed', async () => {
    const images = new Map<string, Uint8ClampedArray>();
    for (const style of IMAGE_STYLES) {
      expect(describeScene(base.prompt, style).style).toBe(style);
      images.set(style, await pixels((await provider.generate({ ...base, style }, { signal })).png));
    }
    for (const [a, pa] of images) {
      for (const [b, pb] of images) {
        if (a >= b) continue;
        let sum = 0;
        for (let i = 0; i < pa.length; i++) if (i % 4 !== 3) sum += Math.abs(pa[i] - pb[i]);
        const meanDifference = sum / ((pa.length / 4) * 3);
        expect(meanDifference, `${a} vs ${b}`).toBeGreaterThan(8);
      }
    }
  });

  it('reads subjects, mood and style from the prompt', () => {
    const s = describeScene('A red dragon over a castle on a stormy night, ink style');
    expect(s.subjects).toEqual(expect.arrayContaining(['dragon', 'castle', 'rain']));
    expect(s.mood).toBe('night');
    expect(s.style).toBe('ink');
    expect(s.accent).toBe('#d1495b');
    expect(describeScene('a lake', 'flat').style).toBe('flat');
    expect(describeScene('something abstract').subjects).toEqual([]);
  });

  it('uses a seeded PRNG', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const xs = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(provider.generate(base, { signal: ac.signal })).rejects.toThrow(/cancel/);
  });
});
