/** The land and water: mountain ridges, open ground, the sea and a shore beside it. */
import { ellipse, type Pt } from './geometry';
import { mix, rgba } from './palette';
import type { Painter } from './painter';

export function ridge(p: Painter, W: number, base: number, amp: number, peaks: number): Pt[] {
  const phases = Array.from({ length: 4 }, () => p.r(0, Math.PI * 2));
  const pts: Pt[] = [[0, base + amp * 2]];
  const steps = 80;
  for (let i = 0; i <= steps; i++) {
    const x = (i / steps) * W;
    const t = (i / steps) * Math.PI * peaks;
    const y =
      base -
      amp *
        (0.55 * Math.abs(Math.sin(t + phases[0])) +
          0.25 * Math.sin(2.3 * t + phases[1]) +
          0.12 * Math.sin(5.1 * t + phases[2]) +
          0.05 * Math.sin(11.7 * t + phases[3]));
    pts.push([x, y]);
  }
  pts.push([W, base + amp * 2]);
  return pts;
}

export function drawMountains(p: Painter, W: number, horizon: number, snowy: boolean, layers: number) {
  for (let l = 0; l < layers; l++) {
    const depth = l / Math.max(1, layers - 1);
    const colour = mix(p.pal.far, p.pal.mid, depth);
    const amp = p.S * (0.22 - depth * 0.09) * p.r(0.8, 1.2);
    const pts = ridge(p, W, horizon + p.S * 0.01 * l, amp, p.r(1.2, 2.6));
    p.shape(pts, colour, { alpha: 0.95 });
    if (snowy && l === 0) {
      p.ctx.save();
      p.path(pts);
      p.ctx.clip();
      const top = Math.min(...pts.map(([, y]) => y));
      const line = ridge(p, W, top + amp * 0.45, amp * 0.12, 7);
      const cap: Pt[] = [[0, 0], ...line.slice(1, -1), [W, 0]];
      p.shape(cap, '#f5f7fa', { alpha: 0.9, outline: false });
      p.ctx.restore();
    }
  }
}

export function drawWater(p: Painter, W: number, H: number, horizon: number, sparkleX?: number) {
  const { ctx, pal } = p;
  const g = ctx.createLinearGradient(0, horizon, 0, H);
  g.addColorStop(0, mix(pal.water, pal.skyBottom, 0.45));
  g.addColorStop(1, mix(pal.water, '#000000', 0.2));
  ctx.fillStyle = g;
  ctx.fillRect(0, horizon, W, H - horizon);
  const n = Math.round(50 * p.detail * (W / 512));
  for (let i = 0; i < n; i++) {
    const y = horizon + Math.pow(p.rng(), 1.6) * (H - horizon);
    const depth = (y - horizon) / (H - horizon);
    const x = p.r(0, W);
    const len = p.S * (0.02 + depth * 0.08);
    p.line(
      [
        [x, y],
        [x + len, y],
      ],
      mix(pal.water, '#ffffff', 0.45),
      Math.max(1, p.S * 0.002 * (0.5 + depth)),
      0.35,
    );
  }
  if (sparkleX !== undefined) {
    for (let i = 0; i < 26 * p.detail; i++) {
      const y = horizon + p.r(0.01, 1) * (H - horizon) * 0.8;
      const spread = ((y - horizon) / (H - horizon) + 0.1) * p.S * 0.12;
      const x = sparkleX + p.r(-spread, spread);
      p.line(
        [
          [x - spread * 0.3, y],
          [x + spread * 0.3, y],
        ],
        pal.light,
        p.S * 0.003,
        0.5,
      );
    }
  }
}

export function drawGround(p: Painter, W: number, H: number, horizon: number, snowy: boolean) {
  const top = snowy ? '#f2f5f8' : p.pal.ground;
  const bottom = snowy ? '#cdd8e4' : p.pal.groundDark;
  const far = ridge(p, W, horizon + p.S * 0.02, p.S * 0.03, p.r(0.8, 1.6));
  p.shape([...far.slice(0, -1), [W, H], [0, H]], mix(top, p.pal.far, 0.35), { solid: true });
  const near = ridge(p, W, horizon + (H - horizon) * 0.35, p.S * 0.04, p.r(0.5, 1.2));
  const g = p.ctx.createLinearGradient(0, horizon, 0, H);
  g.addColorStop(0, top);
  g.addColorStop(1, bottom);
  p.path([...near.slice(0, -1), [W, H], [0, H]]);
  p.ctx.fillStyle = g;
  p.ctx.fill();
  // Grass/snow texture strokes.
  const n = Math.round(140 * p.detail * (W / 512));
  for (let i = 0; i < n; i++) {
    const x = p.r(0, W);
    const y = p.r(horizon + (H - horizon) * 0.4, H);
    const h = p.S * p.r(0.006, 0.018);
    p.line(
      [
        [x, y],
        [x + p.r(-h, h) * 0.4, y - h],
      ],
      mix(bottom, snowy ? '#9fb0c4' : '#20351a', 0.3),
      p.S * 0.0018,
      0.35,
    );
  }
}

/**
 * A strip of land along one side of the water (side -1 left, 1 right) whose waterline starts at
 * `waterline` on the horizon and widens towards the viewer, ragged, with rocks along it.
 */
export function drawShore(p: Painter, W: number, H: number, horizon: number, side: -1 | 1, waterline: number, snowy: boolean) {
  const { ctx, pal, S } = p;
  const edge: Pt[] = [];
  for (let i = 0; i <= 20; i++) {
    const y = horizon + ((H - horizon) * i) / 20;
    edge.push([waterline + side * (i / 20) * S * 0.12 + p.r(-1, 1) * S * 0.008, y]);
  }
  const outer = side < 0 ? 0 : W;
  const top: Pt[] = [];
  const rise = S * p.r(0.03, 0.06);
  for (let i = 0; i <= 12; i++) {
    const t = i / 12; // 0 at the outer edge, 1 at the waterline
    top.push([
      outer + (waterline - outer) * t,
      horizon - rise * Math.sin(Math.PI * (0.35 + 0.65 * t)) * (1 - t * 0.7) + p.r(-1, 1) * S * 0.004,
    ]);
  }
  const land: Pt[] = [...top, ...edge, [outer, H]];
  const landTop = snowy ? '#eef2f6' : mix(pal.ground, '#a08c62', 0.3);
  p.shape(land, landTop, { solid: true });
  const lg = ctx.createLinearGradient(0, horizon, 0, H);
  lg.addColorStop(0, rgba(landTop, 0));
  lg.addColorStop(1, rgba(snowy ? '#c9d4df' : pal.groundDark, 0.7));
  p.path(land);
  ctx.fillStyle = lg;
  ctx.fill();
  // rocks along the waterline, bigger nearer the viewer
  for (let i = 0; i < 7; i++) {
    const k = Math.floor(p.r(3, 20));
    const [ex, ey] = edge[k];
    const rr = S * (0.008 + 0.018 * (k / 20)) * p.r(0.7, 1.2);
    p.shape(ellipse(ex, ey, rr * 1.5, rr, 16, Math.PI, 2 * Math.PI), mix('#77706a', pal.far, 0.25));
  }
}
