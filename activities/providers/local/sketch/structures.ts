/** Things people built: houses, castles, lighthouses, a skyline, boats. */
import { ellipse, rect } from './geometry';
import { mix, rgba } from './palette';
import type { Painter } from './painter';

export function drawHouse(p: Painter, x: number, base: number, w: number, lit: boolean) {
  const h = w * 0.7;
  const wall = mix('#e9d8b8', p.pal.far, 0.15);
  p.shape(rect(x - w / 2, base - h, w, h), wall);
  p.shape(rect(x + w * 0.2, base - h * 1.55, w * 0.12, h * 0.45), '#8a5a44');
  p.shape(
    [
      [x - w * 0.6, base - h + 1],
      [x, base - h * 1.7],
      [x + w * 0.6, base - h + 1],
    ],
    p.pal.accent,
  );
  p.shape(rect(x - w * 0.1, base - h * 0.55, w * 0.2, h * 0.55), '#6b4a32');
  const win = lit ? p.pal.windows : '#a9c6d9';
  p.shape(rect(x - w * 0.38, base - h * 0.75, w * 0.18, w * 0.16), win);
  p.shape(rect(x + w * 0.2, base - h * 0.75, w * 0.18, w * 0.16), win);
  if (lit) p.glow(x, base - h * 0.6, w * 0.7, p.pal.windows, 0.18);
}

export function drawCastle(p: Painter, x: number, base: number, w: number, lit: boolean) {
  const stone = mix('#b8b2a7', p.pal.far, 0.3);
  const h = w * 0.55;
  p.shape(rect(x - w / 2, base - h, w, h), stone);
  // crenellations
  const n = 7;
  for (let i = 0; i < n; i += 2) p.shape(rect(x - w / 2 + (i * w) / n, base - h - w * 0.06, w / n, w * 0.06), stone);
  for (const side of [-1, 1]) {
    const tx = x + side * w * 0.5;
    const tw = w * 0.2;
    const th = h * 1.5;
    p.shape(rect(tx - tw / 2, base - th, tw, th), mix(stone, '#000000', 0.08));
    p.shape(
      [
        [tx - tw * 0.65, base - th],
        [tx, base - th - tw * 1.3],
        [tx + tw * 0.65, base - th],
      ],
      p.pal.accent,
    );
    p.shape(rect(tx - tw * 0.12, base - th * 0.7, tw * 0.24, tw * 0.35), lit ? p.pal.windows : '#3d3a40');
  }
  const kw = w * 0.28;
  const kh = h * 2;
  p.shape(rect(x - kw / 2, base - kh, kw, kh), mix(stone, '#ffffff', 0.06));
  p.shape(
    [
      [x - kw * 0.6, base - kh],
      [x, base - kh - kw * 1.2],
      [x + kw * 0.6, base - kh],
    ],
    p.pal.accent,
  );
  p.line(
    [
      [x, base - kh - kw * 1.2],
      [x, base - kh - kw * 1.7],
    ],
    p.pal.ink,
    w * 0.01,
  );
  p.shape(
    [
      [x, base - kh - kw * 1.7],
      [x + kw * 0.45, base - kh - kw * 1.58],
      [x, base - kh - kw * 1.46],
    ],
    p.pal.accent,
  );
  p.shape(
    ellipse(x, base - h * 0.25, w * 0.08, h * 0.25, 24, Math.PI, 2 * Math.PI).concat([
      [x + w * 0.08, base],
      [x - w * 0.08, base],
    ]),
    '#4a3a30',
  );
  if (lit) p.glow(x, base - kh * 0.6, w * 0.6, p.pal.windows, 0.15);
}

export function drawLighthouse(p: Painter, x: number, base: number, h: number, beam: boolean) {
  const bw = h * 0.2;
  const tw = h * 0.12;
  p.shape(ellipse(x, base, bw * 1.4, bw * 0.35, 24, Math.PI, 2 * Math.PI), '#6d6a6a');
  const bands = 4;
  for (let i = 0; i < bands; i++) {
    const y0 = base - (h * 0.8 * i) / bands;
    const y1 = base - (h * 0.8 * (i + 1)) / bands;
    const w0 = bw + (tw - bw) * (i / bands);
    const w1 = bw + (tw - bw) * ((i + 1) / bands);
    p.shape(
      [
        [x - w0 / 2, y0],
        [x - w1 / 2, y1],
        [x + w1 / 2, y1],
        [x + w0 / 2, y0],
      ],
      i % 2 ? '#f3efe6' : '#c8423a',
    );
  }
  const top = base - h * 0.8;
  p.shape(rect(x - tw * 0.45, top - h * 0.1, tw * 0.9, h * 0.1), beam ? '#ffe9a0' : '#bcd3e0');
  p.shape(
    [
      [x - tw * 0.65, top - h * 0.1],
      [x, top - h * 0.2],
      [x + tw * 0.65, top - h * 0.1],
    ],
    '#3a3a44',
  );
  if (beam) {
    p.glow(x, top - h * 0.05, h * 0.35, '#fff2b0', 0.5);
    const dir = p.rng() < 0.5 ? -1 : 1;
    p.ctx.fillStyle = rgba('#fff6c8', 0.22);
    p.path([
      [x, top - h * 0.05],
      [x + dir * p.S * 0.9, top - h * 0.25],
      [x + dir * p.S * 0.9, top + h * 0.1],
    ]);
    p.ctx.fill();
  }
}

export function drawCity(p: Painter, W: number, horizon: number, lit: boolean) {
  for (let layer = 0; layer < 2; layer++) {
    let x = -p.r(0, p.S * 0.05);
    const colour = layer ? mix(p.pal.mid, '#000000', 0.25) : mix(p.pal.far, p.pal.skyBottom, 0.2);
    while (x < W) {
      const bw = p.S * p.r(0.04, 0.09);
      const bh = p.S * p.r(0.08, 0.3) * (layer ? 0.8 : 1.1);
      p.shape(rect(x, horizon - bh, bw, bh + p.S * 0.02), colour, { alpha: 0.97 });
      if (layer && lit !== undefined) {
        const ww = bw / 7;
        for (let wy = horizon - bh + ww; wy < horizon - ww; wy += ww * 2) {
          for (let wx = x + ww; wx < x + bw - ww; wx += ww * 2) {
            if (p.rng() < (lit ? 0.45 : 0.25)) {
              p.ctx.fillStyle = rgba(lit ? p.pal.windows : '#cfe0ea', lit ? 0.9 : 0.5);
              p.ctx.fillRect(wx, wy, ww, ww);
            }
          }
        }
      }
      x += bw + p.S * p.r(0, 0.015);
    }
  }
}

export function drawBoat(p: Painter, x: number, waterY: number, s: number, sail: string) {
  p.shape(
    [
      [x - s * 0.5, waterY - s * 0.12],
      [x + s * 0.5, waterY - s * 0.12],
      [x + s * 0.35, waterY + s * 0.05],
      [x - s * 0.35, waterY + s * 0.05],
    ],
    '#7a4b32',
  );
  p.line(
    [
      [x, waterY - s * 0.12],
      [x, waterY - s * 0.95],
    ],
    '#4a3328',
    s * 0.03,
  );
  p.shape(
    [
      [x + s * 0.03, waterY - s * 0.92],
      [x + s * 0.42, waterY - s * 0.2],
      [x + s * 0.03, waterY - s * 0.2],
    ],
    sail,
  );
  p.shape(
    [
      [x - s * 0.03, waterY - s * 0.8],
      [x - s * 0.3, waterY - s * 0.2],
      [x - s * 0.03, waterY - s * 0.2],
    ],
    mix(sail, '#000000', 0.08),
  );
}
