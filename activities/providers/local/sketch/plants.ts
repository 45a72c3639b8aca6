/** Trees and flowers. */
import { ellipse, rect, type Pt } from './geometry';
import { mix } from './palette';
import type { Painter } from './painter';

export function drawTree(p: Painter, x: number, base: number, h: number, kind: 'pine' | 'round', snowy: boolean, shade = 0) {
  const foliage = mix(snowy ? '#3f5f55' : p.pal.foliage, p.pal.far, shade);
  const trunk = mix('#6b4a32', p.pal.far, shade);
  p.shape(rect(x - h * 0.035, base - h * 0.3, h * 0.07, h * 0.3), trunk, { alpha: 0.95 });
  if (kind === 'pine') {
    for (let i = 0; i < 3; i++) {
      const w = h * (0.42 - i * 0.1);
      const y0 = base - h * (0.2 + i * 0.24);
      const pts: Pt[] = [
        [x - w / 2, y0],
        [x, y0 - h * 0.42],
        [x + w / 2, y0],
      ];
      p.shape(pts, mix(foliage, '#000000', i * 0.05), { alpha: 0.95 });
      if (snowy)
        p.shape(
          [
            [x - w * 0.18, y0 - h * 0.28],
            [x, y0 - h * 0.42],
            [x + w * 0.18, y0 - h * 0.28],
          ],
          '#f5f8fb',
          { alpha: 0.9, outline: false },
        );
    }
  } else {
    const cy = base - h * 0.6;
    for (let i = 0; i < 4; i++) {
      const rr = h * p.r(0.2, 0.28);
      p.shape(
        ellipse(x + p.r(-0.15, 0.15) * h, cy + p.r(-0.15, 0.1) * h, rr, rr * 0.9, 30),
        mix(foliage, i % 2 ? '#ffffff' : '#000000', 0.08),
        { alpha: 0.92 },
      );
    }
  }
}

export function drawFlower(p: Painter, x: number, base: number, h: number, colour: string) {
  const top: Pt = [x + p.r(-0.15, 0.15) * h, base - h];
  p.line([[x, base], [(x + top[0]) / 2 + h * 0.05, base - h * 0.5], top], '#4d7a3a', h * 0.05);
  const r = h * 0.14;
  for (let i = 0; i < 5; i++) {
    const a = (i / 5) * Math.PI * 2;
    p.shape(ellipse(top[0] + Math.cos(a) * r, top[1] + Math.sin(a) * r, r * 0.75, r * 0.75, 16), colour, { outline: false });
  }
  p.shape(ellipse(top[0], top[1], r * 0.55, r * 0.55, 16), '#f2c14e', { outline: false });
}
