/**
 * How a sketch says what it is, so it is never mistaken for generated art: a small "sketch" label in
 * a corner, PNG Software/Description text chunks, and the model and service names the generation
 * row records.
 */
import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';

export const SKETCH_MODEL = 'procedural-sketch-v1';
export const SKETCH_SERVICE = 'local-sketch';

// 3×5 pixel glyphs for the corner label (no font files needed, identical on every machine).
const GLYPHS: Record<string, string[]> = {
  s: ['111', '100', '111', '001', '111'],
  k: ['101', '101', '110', '101', '101'],
  e: ['111', '100', '111', '100', '111'],
  t: ['111', '010', '010', '010', '010'],
  c: ['111', '100', '100', '100', '111'],
  h: ['101', '101', '111', '101', '101'],
};

export function drawLabel(ctx: SKRSContext2D, W: number, H: number) {
  const text = 'sketch';
  const px = Math.max(1, Math.round(Math.min(W, H) / 256));
  const tw = text.length * 4 * px - px;
  const th = 5 * px;
  const pad = 2 * px;
  const x0 = W - tw - pad * 2 - 2 * px;
  const y0 = H - th - pad * 2 - 2 * px;
  ctx.fillStyle = 'rgba(255,255,255,0.55)';
  ctx.fillRect(x0, y0, tw + pad * 2, th + pad * 2);
  ctx.fillStyle = 'rgba(40,40,48,0.85)';
  [...text].forEach((ch, k) => {
    GLYPHS[ch].forEach((row, j) => {
      [...row].forEach((bit, i) => {
        if (bit === '1') ctx.fillRect(x0 + pad + (k * 4 + i) * px, y0 + pad + j * px, px, px);
      });
    });
  });
}

export function encodeSketchPng(canvas: Canvas, prompt: string): Promise<Buffer> {
  return canvas.encode('png', {
    software: `CreativeFlow ${SKETCH_MODEL}`,
    description: `Procedural sketch (not AI-generated) for prompt: ${prompt.slice(0, 200)}`,
  });
}
