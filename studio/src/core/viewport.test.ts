import { describe, expect, it } from 'vitest';
import { READABLE_ZOOM, readableViewport } from './viewport';

describe('readable viewport', () => {
  it('centres a graph that fits, at no more than the largest zoom', () => {
    const v = readableViewport({ x: 0, y: 0, width: 400, height: 200 }, 1000, 600);
    expect(v.zoom).toBe(1.1);
    expect(v.x).toBeCloseTo((1000 - 440) / 2);
    expect(v.y).toBeCloseTo((600 - 220) / 2);
  });

  it('shrinks a wider graph only down to the readable zoom', () => {
    const v = readableViewport({ x: 0, y: 0, width: 1000, height: 200 }, 1000, 600);
    expect(v.zoom).toBeCloseTo(1000 / 1200);
    expect(readableViewport({ x: 0, y: 0, width: 3000, height: 200 }, 1000, 600).zoom).toBe(READABLE_ZOOM);
  });

  it('starts a graph too big for the view at its left and top edge instead of shrinking it', () => {
    const v = readableViewport({ x: 100, y: -50, width: 3000, height: 2000 }, 800, 600);
    expect(v.zoom).toBe(READABLE_ZOOM);
    // The graph's top-left corner lands 40 px inside the view.
    expect(100 * v.zoom + v.x).toBeCloseTo(40);
    expect(-50 * v.zoom + v.y).toBeCloseTo(40);
  });

  it('centres vertically a long but low graph while starting it at the left', () => {
    const v = readableViewport({ x: 0, y: 0, width: 3000, height: 200 }, 800, 600);
    expect(v.x).toBeCloseTo(40);
    expect(v.y).toBeCloseTo((600 - 200 * READABLE_ZOOM) / 2);
  });
});
