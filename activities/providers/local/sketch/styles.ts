/**
 * Each style's brush: how it fills a polygon and colours a line (the styles themselves are listed in spec.ts).
 * Surface treatment (paper, grain, grading) is the style's finish, in finish.ts.
 */
import { bounds } from './geometry';
import { mix, rgba, vivid } from './palette';
import type { Brush, Painter } from './painter';
import type { SketchStyle } from './spec';

const asIs = (_p: Painter, colour: string) => colour;

/** Layered translucent washes with wobbling edges over an opaque underpainting. */
const watercolor: Brush = {
  shape(p, pts, colour, opts) {
    const { ctx, S } = p;
    const alpha = opts.alpha ?? 1;
    if (opts.solid ?? (!opts.soft && alpha >= 0.9)) {
      // An opaque underpainting so land masses don't look like glass.
      ctx.fillStyle = rgba(colour, alpha);
      p.path(pts);
      ctx.fill();
    }
    const passes = Math.round(2 + p.detail * 2);
    const j = S * (opts.soft ? 0.012 : 0.005);
    for (let i = 0; i < passes; i++) {
      ctx.fillStyle = rgba(mix(colour, i % 2 ? '#ffffff' : '#000000', p.r(0, 0.06)), (alpha * 0.75) / passes + 0.12 * alpha);
      p.path(pts, j);
      ctx.fill();
    }
    // Pigment pools at the edge of a wash.
    ctx.strokeStyle = rgba(mix(colour, '#000000', 0.25), 0.18 * alpha);
    ctx.lineWidth = Math.max(1, S * 0.0025);
    p.path(pts, j * 0.5);
    ctx.stroke();
  },
  lineColour: asIs,
};

/** A pale wash, then a wobbly pen outline; lines take on the ink colour. */
const ink: Brush = {
  shape(p, pts, colour, opts) {
    const { ctx, S } = p;
    const alpha = opts.alpha ?? 1;
    ctx.fillStyle = rgba(mix(colour, p.pal.paper, 0.45), alpha);
    p.path(pts);
    ctx.fill();
    if (opts.outline !== false && alpha > 0.4) {
      ctx.strokeStyle = rgba(p.pal.ink, 0.85);
      ctx.lineWidth = Math.max(1, S * 0.0022);
      ctx.lineJoin = 'round';
      p.path(pts, S * 0.002);
      ctx.stroke();
    }
  },
  lineColour: (p, colour) => mix(colour, p.pal.ink, 0.6),
};

/** Solid, clean fills. */
const flat: Brush = {
  shape(p, pts, colour, opts) {
    p.ctx.fillStyle = rgba(colour, opts.alpha ?? 1);
    p.path(pts);
    p.ctx.fill();
  },
  lineColour: asIs,
};

/** Smooth shading lit from above, no outlines; soft masses are blurred like out-of-focus cloud. */
const photographic: Brush = {
  shape(p, pts, colour, opts) {
    const { ctx, S } = p;
    const alpha = opts.alpha ?? 1;
    const { top, bottom } = bounds(pts);
    const g = ctx.createLinearGradient(0, top, 0, bottom);
    g.addColorStop(0, rgba(mix(colour, p.pal.light, 0.18), alpha));
    g.addColorStop(1, rgba(mix(colour, '#000000', opts.soft ? 0.1 : 0.3), alpha));
    ctx.save();
    if (opts.soft) ctx.filter = `blur(${Math.max(1, S * 0.012).toFixed(1)}px)`;
    ctx.fillStyle = g;
    p.path(pts);
    ctx.fill();
    ctx.restore();
  },
  lineColour: asIs,
};

/** Saturated cel shading: a vivid base, a hard-edged cool shadow on the lower part, a bright rim. */
const digitalArt: Brush = {
  shape(p, pts, colour, opts) {
    const { ctx, S } = p;
    const alpha = opts.alpha ?? 1;
    const base = vivid(colour, 0.45);
    ctx.fillStyle = rgba(base, alpha);
    p.path(pts);
    ctx.fill();
    if (opts.soft) return;
    const { left, top, right, bottom } = bounds(pts);
    const split = top + (bottom - top) * 0.55;
    ctx.save();
    p.path(pts);
    ctx.clip();
    ctx.fillStyle = rgba(mix(base, '#1b1446', 0.35), alpha * 0.6);
    ctx.fillRect(left, split, right - left, bottom - split + 1);
    ctx.restore();
    if (opts.outline !== false && alpha > 0.4) {
      ctx.strokeStyle = rgba(mix(base, '#ffffff', 0.55), 0.75);
      ctx.lineWidth = Math.max(1, S * 0.0016);
      ctx.lineJoin = 'round';
      p.path(pts);
      ctx.stroke();
    }
  },
  lineColour: (_p, colour) => vivid(colour, 0.45),
};

export const BRUSHES: Record<SketchStyle, Brush> = { watercolor, ink, flat, photographic, 'digital-art': digitalArt };
