/**
 * The local image "model": an honest procedural renderer, not AI. No package carries usable
 * text-to-image weights, so offline runs get a composed scene built from the prompt's keywords
 * (a small subject vocabulary, a mood and a style), drawn with @napi-rs/canvas. Deterministic:
 * all randomness comes from a mulberry32 PRNG seeded by (seed, prompt, size, style), so the same
 * request gives identical PNG bytes. A small "sketch" label in a corner, a PNG Software/Description
 * text chunk and `aiService: 'local-sketch'` keep it from being mistaken for generated art.
 *
 *   spec.ts      what a scene holds: subjects, moods, styles
 *   scene.ts     prompt → subjects, mood, style, accent
 *   compose.ts   where everything goes, back to front
 *   sky.ts, terrain.ts, plants.ts, structures.ts, creatures.ts   the subjects
 *   painter.ts, geometry.ts   drawing primitives;  styles.ts   each style's brush;  palette.ts   colours
 *   finish.ts    surface and vignette;  label.ts   the "sketch" marks;  render.ts   the entry point
 */
export { SKETCH_MODEL, SKETCH_SERVICE } from './label';
export { createSketchImageProvider } from './provider';
export { mulberry32 } from './random';
export { renderSketch, sketchCancelled, type SketchRender } from './render';
export { describeScene } from './scene';
export { SKETCH_STYLES, type Mood, type SceneSpec, type SketchStyle, type Subject } from './spec';
