/** Living things: cats, dogs, birds, fish, people and dragons. */
import { ellipse, rect, type Pt } from './geometry';
import { mix, rgba } from './palette';
import type { Painter } from './painter';

export function drawCat(p: Painter, x: number, base: number, s: number, colour: string) {
  p.shape(ellipse(x, base - s * 0.35, s * 0.28, s * 0.36, 30), colour);
  const hy = base - s * 0.85;
  p.shape(ellipse(x, hy, s * 0.2, s * 0.18, 26), colour);
  p.shape(
    [
      [x - s * 0.19, hy - s * 0.05],
      [x - s * 0.14, hy - s * 0.32],
      [x - s * 0.03, hy - s * 0.15],
    ],
    colour,
  );
  p.shape(
    [
      [x + s * 0.19, hy - s * 0.05],
      [x + s * 0.14, hy - s * 0.32],
      [x + s * 0.03, hy - s * 0.15],
    ],
    colour,
  );
  const tail: Pt[] = Array.from({ length: 12 }, (_, i) => {
    const t = i / 11;
    return [x + s * (0.25 + t * 0.35), base - s * (0.05 + Math.sin(t * Math.PI) * 0.3 + t * 0.2)];
  });
  p.line(tail, colour, s * 0.07);
  p.ctx.fillStyle = rgba('#f2d45c', 0.95);
  for (const d of [-1, 1]) {
    p.ctx.beginPath();
    p.ctx.arc(x + d * s * 0.075, hy - s * 0.01, s * 0.028, 0, Math.PI * 2);
    p.ctx.fill();
  }
}

export function drawDog(p: Painter, x: number, base: number, s: number, colour: string) {
  const body = ellipse(x, base - s * 0.45, s * 0.42, s * 0.2, 30);
  for (const lx of [-0.3, -0.15, 0.15, 0.3])
    p.shape(rect(x + lx * s - s * 0.04, base - s * 0.4, s * 0.08, s * 0.4), mix(colour, '#000000', 0.1));
  p.shape(body, colour);
  const hx = x + s * 0.42;
  const hy = base - s * 0.75;
  p.shape(ellipse(hx, hy, s * 0.17, s * 0.15, 24), colour);
  p.shape(ellipse(hx + s * 0.15, hy + s * 0.05, s * 0.1, s * 0.07, 20), mix(colour, '#ffffff', 0.2));
  p.shape(ellipse(hx - s * 0.08, hy + s * 0.05, s * 0.06, s * 0.14, 20), mix(colour, '#000000', 0.3));
  p.line(
    [
      [x - s * 0.4, base - s * 0.5],
      [x - s * 0.55, base - s * 0.75],
    ],
    colour,
    s * 0.06,
  );
  p.ctx.fillStyle = rgba('#1a1a1a', 0.9);
  p.ctx.beginPath();
  p.ctx.arc(hx + s * 0.05, hy - s * 0.03, s * 0.022, 0, Math.PI * 2);
  p.ctx.fill();
}

export function drawBirds(p: Painter, cx: number, cy: number, spread: number, n: number, colour: string) {
  for (let i = 0; i < n; i++) {
    const x = cx + p.r(-spread, spread);
    const y = cy + p.r(-spread, spread) * 0.4;
    const s = p.S * p.r(0.012, 0.025);
    p.line(
      [
        [x - s, y - s * 0.3],
        [x - s * 0.4, y - s * 0.55],
        [x, y],
        [x + s * 0.4, y - s * 0.55],
        [x + s, y - s * 0.3],
      ],
      colour,
      s * 0.18,
      0.85,
    );
  }
}

export function drawFish(p: Painter, x: number, y: number, s: number, colour: string, flip: boolean) {
  const d = flip ? -1 : 1;
  p.shape(ellipse(x, y, s * 0.5, s * 0.22, 30), colour);
  p.shape(
    [
      [x - d * s * 0.45, y],
      [x - d * s * 0.8, y - s * 0.22],
      [x - d * s * 0.8, y + s * 0.22],
    ],
    mix(colour, '#000000', 0.15),
  );
  p.ctx.fillStyle = rgba('#111111', 0.9);
  p.ctx.beginPath();
  p.ctx.arc(x + d * s * 0.3, y - s * 0.04, s * 0.04, 0, Math.PI * 2);
  p.ctx.fill();
}

export function drawPerson(p: Painter, x: number, base: number, h: number, coat: string) {
  const skin = '#e8c4a0';
  p.shape(rect(x - h * 0.09, base - h * 0.42, h * 0.07, h * 0.42), '#3a3a48');
  p.shape(rect(x + h * 0.02, base - h * 0.42, h * 0.07, h * 0.42), '#3a3a48');
  p.shape(
    [
      [x - h * 0.16, base - h * 0.38],
      [x - h * 0.11, base - h * 0.78],
      [x + h * 0.11, base - h * 0.78],
      [x + h * 0.16, base - h * 0.38],
    ],
    coat,
  );
  p.shape(ellipse(x, base - h * 0.88, h * 0.1, h * 0.11, 24), skin);
  p.shape(ellipse(x, base - h * 0.93, h * 0.11, h * 0.07, 20, Math.PI, 2 * Math.PI), '#4a3226');
}

export function drawDragon(p: Painter, x: number, y: number, s: number, colour: string, facing: number) {
  const body: Pt[] = Array.from({ length: 24 }, (_, i) => {
    const t = i / 23;
    return [x - facing * s * (t - 0.5) * 1.6, y + Math.sin(t * Math.PI * 2.2) * s * 0.15];
  });
  // wings first, behind the body
  const wx = x + facing * s * 0.1;
  const wing = (up: number, c: string) =>
    p.shape(
      [
        [wx, y],
        [wx - facing * s * 0.15, y - up * s * 0.65],
        [wx - facing * s * 0.4, y - up * s * 0.5],
        [wx - facing * s * 0.55, y - up * s * 0.2],
        [wx - facing * s * 0.3, y],
      ],
      c,
      { alpha: 0.92 },
    );
  wing(1, mix(colour, '#000000', 0.25));
  for (let i = 0; i < body.length - 1; i++) {
    const t = i / (body.length - 1);
    p.line([body[i], body[i + 1]], colour, s * (0.16 * (1 - t) + 0.02));
  }
  wing(0.8, mix(colour, '#ffffff', 0.12));
  const [hx, hy] = body[0];
  p.shape(
    [
      [hx, hy - s * 0.08],
      [hx + facing * s * 0.28, hy],
      [hx, hy + s * 0.08],
    ],
    colour,
  );
  p.shape(
    [
      [hx - facing * s * 0.02, hy - s * 0.06],
      [hx - facing * s * 0.1, hy - s * 0.2],
      [hx + facing * s * 0.05, hy - s * 0.07],
    ],
    mix(colour, '#000000', 0.3),
  );
  p.ctx.fillStyle = rgba('#ffd34d', 1);
  p.ctx.beginPath();
  p.ctx.arc(hx + facing * s * 0.08, hy - s * 0.02, s * 0.022, 0, Math.PI * 2);
  p.ctx.fill();
}
