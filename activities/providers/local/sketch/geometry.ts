/** Polygons: every shape is a list of points so a style can wobble, layer or outline it. */

export type Pt = [number, number];

export const ellipse = (cx: number, cy: number, rx: number, ry: number, n = 40, from = 0, to = Math.PI * 2): Pt[] =>
  Array.from({ length: n }, (_, i) => {
    const a = from + ((to - from) * i) / (n - 1 || 1);
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)] as Pt;
  });

export const rect = (x: number, y: number, w: number, h: number): Pt[] => [
  [x, y],
  [x + w, y],
  [x + w, y + h],
  [x, y + h],
];

export function bounds(pts: Pt[]): { left: number; top: number; right: number; bottom: number } {
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => y);
  return { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) };
}
