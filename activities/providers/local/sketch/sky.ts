/** The sky and what is in it or falls from it: gradient, stars, sun, moon, clouds, rain and snow. */
import { ellipse } from './geometry';
import { mix, rgba } from './palette';
import type { Painter } from './painter';
import type { Mood } from './spec';

export function drawSky(p: Painter, W: number, H: number, horizon: number, mood: Mood) {
  const { ctx, pal } = p;
  const g = ctx.createLinearGradient(0, 0, 0, horizon);
  g.addColorStop(0, pal.skyTop);
  g.addColorStop(0.65, mix(pal.skyTop, pal.skyBottom, 0.7));
  g.addColorStop(1, pal.skyBottom);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, W, H);
  if (mood === 'sunset' || mood === 'dawn') {
    p.glow(W * p.r(0.3, 0.7), horizon, W * 0.7, pal.glow, 0.55);
  }
}

export function drawStars(p: Painter, W: number, horizon: number, many: boolean) {
  const n = Math.round((many ? 160 : 70) * p.detail * (W / 512));
  for (let i = 0; i < n; i++) {
    const x = p.r(0, W);
    const y = p.r(0, horizon * 0.85) * p.r(0.3, 1);
    const r = p.S * p.r(0.0012, 0.0035);
    p.ctx.fillStyle = rgba('#fffbe8', p.r(0.4, 1));
    p.ctx.beginPath();
    p.ctx.arc(x, y, r, 0, Math.PI * 2);
    p.ctx.fill();
    if (p.rng() < 0.06) {
      const s = r * 5;
      p.line(
        [
          [x - s, y],
          [x + s, y],
        ],
        '#fffbe8',
        r * 0.6,
        0.6,
      );
      p.line(
        [
          [x, y - s],
          [x, y + s],
        ],
        '#fffbe8',
        r * 0.6,
        0.6,
      );
    }
  }
}

export function drawSun(p: Painter, x: number, y: number, r: number, mood: Mood) {
  const c = mood === 'sunset' ? '#ffb347' : mood === 'dawn' ? '#ffd59a' : p.pal.light;
  p.glow(x, y, r * 4, p.pal.glow, 0.6);
  p.shape(ellipse(x, y, r, r, 48), c, { outline: true });
  if (p.style === 'ink' || mood === 'happy') {
    for (let i = 0; i < 12; i++) {
      const a = (i / 12) * Math.PI * 2 + 0.13;
      p.line(
        [
          [x + Math.cos(a) * r * 1.3, y + Math.sin(a) * r * 1.3],
          [x + Math.cos(a) * r * 1.7, y + Math.sin(a) * r * 1.7],
        ],
        c,
        r * 0.08,
        0.8,
      );
    }
  }
}

export function drawMoon(p: Painter, x: number, y: number, r: number) {
  p.glow(x, y, r * 4.5, p.pal.glow, 0.35);
  p.shape(ellipse(x, y, r, r, 48), '#f4f0dc', { outline: true });
  for (let i = 0; i < 4; i++) {
    const a = p.r(0, Math.PI * 2);
    const d = p.r(0, r * 0.6);
    const cr = r * p.r(0.1, 0.22);
    p.shape(ellipse(x + Math.cos(a) * d, y + Math.sin(a) * d, cr, cr, 20), '#d9d3bb', { alpha: 0.6, outline: false });
  }
}

export function drawCloud(p: Painter, x: number, y: number, w: number, colour: string, alpha: number) {
  const n = 4 + Math.floor(p.r(0, 3));
  for (let i = 0; i < n; i++) {
    const cx = x + (i / (n - 1) - 0.5) * w * 0.8;
    const rr = w * p.r(0.14, 0.24) * (1 - Math.abs(i / (n - 1) - 0.5));
    p.shape(ellipse(cx, y - rr * 0.3, rr * 1.3, rr, 28), colour, { alpha, outline: false, soft: true });
  }
  p.shape(ellipse(x, y, w * 0.5, w * 0.1, 32), colour, { alpha, outline: false, soft: true });
}

export function drawWeather(p: Painter, W: number, H: number, kind: 'rain' | 'snow') {
  const n = Math.round((kind === 'rain' ? 260 : 320) * p.detail * ((W * H) / (512 * 512)) ** 0.5 * 1.4);
  for (let i = 0; i < n; i++) {
    const x = p.r(-0.1, 1.1) * W;
    const y = p.r(0, H);
    if (kind === 'rain') {
      const l = p.S * p.r(0.02, 0.05);
      p.line(
        [
          [x, y],
          [x - l * 0.25, y + l],
        ],
        '#cfd8e6',
        p.S * 0.0016,
        0.45,
      );
    } else {
      p.ctx.fillStyle = rgba('#ffffff', p.r(0.55, 0.95));
      p.ctx.beginPath();
      p.ctx.arc(x, y, p.S * p.r(0.002, 0.006), 0, Math.PI * 2);
      p.ctx.fill();
    }
  }
}
