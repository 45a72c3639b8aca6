/** The render entry point: a request → a seeded painter → the composed scene, finished and labelled → PNG. */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { ProviderError, type ImageRequest } from '../../types';
import { composeScene } from './compose';
import { finish } from './finish';
import { drawLabel, encodeSketchPng } from './label';
import { Painter } from './painter';
import { PALETTES, type Palette } from './palette';
import { fnv1a, mulberry32 } from './random';
import { describeScene } from './scene';
import type { SceneSpec } from './spec';
import { BRUSHES } from './styles';

export interface SketchRender {
  png: Buffer;
  scene: SceneSpec;
}

/** What an aborted sketch rejects with. */
export function sketchCancelled(): ProviderError {
  return new ProviderError('image generation cancelled', false);
}

export async function renderSketch(req: ImageRequest, signal?: AbortSignal): Promise<SketchRender> {
  const { width: W, height: H } = req;
  const scene = describeScene(req.prompt, req.style);
  const canvas = createCanvas(W, H);
  const p = painterFor(canvas.getContext('2d'), req, scene);
  const check = () => {
    if (signal?.aborted) throw sketchCancelled();
  };
  composeScene(p, scene, W, H, check);
  finish(p, W, H);
  drawLabel(p.ctx, W, H);
  check();
  return { png: await encodeSketchPng(canvas, req.prompt), scene };
}

/** All randomness comes from one stream seeded by (seed, prompt, size, style): the same request, the same bytes. */
function painterFor(ctx: SKRSContext2D, req: ImageRequest, scene: SceneSpec): Painter {
  const { width: W, height: H } = req;
  const rng = mulberry32(fnv1a(`${req.seed}|${req.prompt}|${W}x${H}|${scene.style}`) ^ (req.seed >>> 0));
  const detail = Math.max(0.4, Math.min(1.5, (Number.isFinite(req.steps) ? req.steps : 30) / 30));
  const pal: Palette = { ...PALETTES[scene.mood], ...(scene.accent ? { accent: scene.accent } : {}) };
  return new Painter(ctx, rng, scene.style, BRUSHES[scene.style], pal, Math.min(W, H), detail);
}
