/** The drawing primitives every subject uses; how a shape or line looks is up to the style's brush. */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Pt } from './geometry';
import { rgba, type Palette } from './palette';
import { BRUSHES, type SketchStyle } from './styles';

export interface ShapeOptions {
  alpha?: number;
  outline?: boolean;
  /** A soft-edged mass (cloud): washes spread further, brushes skip hard detail. */
  soft?: boolean;
  /** Opaque even when soft or translucent (land masses). */
  solid?: boolean;
}

export class Painter {
  constructor(
    readonly ctx: SKRSContext2D,
    readonly rng: () => number,
    readonly style: SketchStyle,
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
    BRUSHES[this.style].shape(this, pts, colour, opts);
  }

  line(pts: Pt[], colour: string, width: number, alpha = 1) {
    const { ctx } = this;
    ctx.strokeStyle = rgba(BRUSHES[this.style].lineColour(this, colour), alpha);
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
