/** The viewport an opened pipeline starts at: the whole graph when it fits at a readable zoom, else its start at that zoom. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** Below this zoom a node's 13 px title reads at about 10 px: the smallest an opened pipeline is shown at. */
export const READABLE_ZOOM = 0.8;

export interface ReadableFitOptions {
  /** Room around the graph when it fits, as a share of its size (React Flow's fitView padding). */
  padding?: number;
  maxZoom?: number;
  minZoom?: number;
  /** Room, in screen pixels, between the view's edge and a graph too big to fit. */
  margin?: number;
}

/**
 * Fits `bounds` (flow coordinates) into a `width`×`height` view, never below `minZoom`: along an axis where the
 * graph is too big at that zoom, it starts at the view's top-left (pipelines read left to right), else it is centred.
 */
export function readableViewport(bounds: Rect, width: number, height: number, options: ReadableFitOptions = {}): Viewport {
  const { padding = 0.2, maxZoom = 1.1, minZoom = READABLE_ZOOM, margin = 40 } = options;
  const fit = Math.min(width / Math.max(1, bounds.width * (1 + padding)), height / Math.max(1, bounds.height * (1 + padding)));
  const zoom = Math.min(maxZoom, Math.max(minZoom, fit));
  const place = (view: number, start: number, size: number) =>
    size * zoom + 2 * margin <= view ? (view - size * zoom) / 2 - start * zoom : margin - start * zoom;
  return { x: place(width, bounds.x, bounds.width), y: place(height, bounds.y, bounds.height), zoom };
}
