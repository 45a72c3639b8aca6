/**
 * The styles a sketch can be drawn in, and each one's brush: how it fills a polygon and colours a line.
 * Surface treatment (paper, grain, grading) is the style's finish, in finish.ts.
 */
import type { Pt } from './geometry';
import { mix, rgba } from './palette';
import type { Painter, ShapeOptions } from './painter';

export const SKETCH_STYLES = ['watercolor', 'ink', 'flat'] as const;
export type SketchStyle = (typeof SKETCH_STYLES)[number];

interface Brush {
  shape(p: Painter, pts: Pt[], colour: string, opts: ShapeOptions): void;
  /** The colour a line asked for in `colour` is stroked in. */
  lineColour(p: Painter, colour: string): string;
}

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

export const BRUSHES: Record<SketchStyle, Brush> = { watercolor, ink, flat };
