/** The last pass over the whole picture: each style's surface (paper, pigment) and a vignette. */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { rgba } from './palette';
import type { Painter } from './painter';
import type { SketchStyle } from './spec';

interface Finish {
  surface?(p: Painter, W: number, H: number): void;
  /** Darkness of the vignette at the corners. */
  vignette: number;
}

const FINISHES: Record<SketchStyle, Finish> = {
  watercolor: { surface: (p, W, H) => paperTexture(p, W, H, { blotches: 0.18, fibre: 0.09 }), vignette: 0.28 },
  ink: {
    surface(p, W, H) {
      paperTexture(p, W, H, { blotches: 0.1, fibre: 0.1 });
      p.ctx.fillStyle = rgba(p.pal.paper, 0.18); // sepia paper shows through
      p.ctx.fillRect(0, 0, W, H);
    },
    vignette: 0.28,
  },
  flat: { vignette: 0.12 },
  photographic: {
    surface(p, W, H) {
      const { ctx, S } = p;
      ctx.save();
      // Lens softness, then bloom: the picture blurred over itself, its highlights screened on.
      ctx.filter = `blur(${Math.max(0.5, S * 0.002).toFixed(2)}px)`;
      ctx.globalAlpha = 0.6;
      ctx.drawImage(ctx.canvas, 0, 0);
      ctx.filter = `blur(${(S * 0.03).toFixed(2)}px)`;
      ctx.globalCompositeOperation = 'screen';
      ctx.globalAlpha = 0.22;
      ctx.drawImage(ctx.canvas, 0, 0);
      ctx.restore();
      ctx.save();
      ctx.globalCompositeOperation = 'overlay';
      fineGrain(ctx, p.rng, W, H, 0.05); // film grain
      ctx.restore();
    },
    vignette: 0.4,
  },
  'digital-art': {
    surface(p, W, H) {
      const { ctx, S, pal } = p;
      ctx.save();
      // Colour grade: the glow from above, the accent pooling below.
      ctx.globalCompositeOperation = 'soft-light';
      const grade = ctx.createLinearGradient(0, 0, 0, H);
      grade.addColorStop(0, rgba(pal.glow, 0.6));
      grade.addColorStop(1, rgba(pal.accent, 0.5));
      ctx.fillStyle = grade;
      ctx.fillRect(0, 0, W, H);
      // Bloom.
      ctx.filter = `blur(${(S * 0.02).toFixed(2)}px)`;
      ctx.globalCompositeOperation = 'screen';
      ctx.globalAlpha = 0.3;
      ctx.drawImage(ctx.canvas, 0, 0);
      ctx.restore();
    },
    vignette: 0.16,
  },
};

export function finish(p: Painter, W: number, H: number) {
  const { surface, vignette } = FINISHES[p.style];
  surface?.(p, W, H);
  drawVignette(p.ctx, W, H, vignette);
}

/** A w×h canvas of seeded grey noise (drawn scaled up, canvas smoothing makes it value noise). */
function noiseCanvas(rng: () => number, w: number, h: number) {
  const c = createCanvas(w, h);
  const cx = c.getContext('2d');
  const img = cx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = Math.round(rng() * 255);
    img.data[i * 4] = v;
    img.data[i * 4 + 1] = v;
    img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  cx.putImageData(img, 0, 0);
  return c;
}

/** Paper and pigment texture. All native canvas compositing, so 2048² stays cheap. */
function paperTexture(p: Painter, W: number, H: number, alpha: { blotches: number; fibre: number }) {
  const { ctx, rng } = p;
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.globalCompositeOperation = 'overlay';
  // Large soft blotches: uneven pigment.
  ctx.globalAlpha = alpha.blotches;
  ctx.drawImage(noiseCanvas(rng, 7, 7), 0, 0, W, H);
  // Paper fibre, a few pixels across.
  ctx.globalAlpha = alpha.fibre;
  ctx.drawImage(noiseCanvas(rng, Math.max(8, Math.round(W / 5)), Math.max(8, Math.round(H / 5))), 0, 0, W, H);
  fineGrain(ctx, rng, W, H, 0.07);
  ctx.restore();
}

/** Pixel-sized noise, tiled, in the current composite mode. */
function fineGrain(ctx: SKRSContext2D, rng: () => number, W: number, H: number, alpha: number) {
  ctx.globalAlpha = alpha;
  const tile = noiseCanvas(rng, 128, 128);
  const pattern = ctx.createPattern(tile, 'repeat');
  if (pattern) {
    ctx.fillStyle = pattern;
    ctx.fillRect(0, 0, W, H);
  }
}

function drawVignette(ctx: SKRSContext2D, W: number, H: number, darkness: number) {
  const g = ctx.createRadialGradient(W / 2, H / 2, Math.min(W, H) * 0.35, W / 2, H / 2, Math.hypot(W, H) * 0.6);
  g.addColorStop(0, 'rgba(0,0,0,0)');
  g.addColorStop(1, `rgba(30,20,10,${darkness})`);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, W, H);
}
