/** The drawing primitives every subject uses; how a shape or line looks is up to the style's brush. */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Pt } from './geometry';
import { rgba, type Palette } from './palette';
import type { SketchStyle } from './spec';

export interface ShapeOptions {
  alpha?: number;
  outline?: boolean;
  /** A soft-edged mass (cloud): washes spread further, brushes skip hard detail. */
  soft?: boolean;
  /** Opaque even when soft or translucent (land masses). */
  solid?: boolean;
}

/** How a style fills a polygon and colours a line (styles.ts holds one per style). */
export interface Brush {
  shape(p: Painter, pts: Pt[], colour: string, opts: ShapeOptions): void;
  /** The colour a line asked for in `colour` is stroked in. */
  lineColour(p: Painter, colour: string): string;
}

export class Painter {
  constructor(
    readonly ctx: SKRSContext2D,
    readonly rng: () => number,
    readonly style: SketchStyle,
    /** The style's brush. */
    readonly brush: Brush,
    readonly pal: Palette,
    /** The shorter side: sizes are fractions of it. */
    readonly S: number,
    /** 0.4..1.5 from the step count: how many strokes, stars, blades of grass. */
    readonly detail: number,
  ) {}

  r(a = 0, b = 1) {
    return a + (b - a) * this.rng();
  }

  path(pts: Pt[], jitter = 0) {
    const { ctx } = this;
    ctx.beginPath();
    pts.forEach(([x, y], i) => {
      const jx = jitter ? (this.rng() - 0.5) * jitter : 0;
      const jy = jitter ? (this.rng() - 0.5) * jitter : 0;
      if (i === 0) ctx.moveTo(x + jx, y + jy);
      else ctx.lineTo(x + jx, y + jy);
    });
    ctx.closePath();
  }

  /** Fills a polygon in the current style. */
  shape(pts: Pt[], colour: string, opts: ShapeOptions = {}) {
    this.brush.shape(this, pts, colour, opts);
  }

  line(pts: Pt[], colour: string, width: number, alpha = 1) {
    const { ctx } = this;
    ctx.strokeStyle = rgba(this.brush.lineColour(this, colour), alpha);
    ctx.lineWidth = Math.max(1, width);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.stroke();
  }

  glow(x: number, y: number, r: number, colour: string, alpha: number) {
    const g = this.ctx.createRadialGradient(x, y, 0, x, y, r);
    g.addColorStop(0, rgba(colour, alpha));
    g.addColorStop(1, rgba(colour, 0));
    this.ctx.fillStyle = g;
    this.ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
  }
}
