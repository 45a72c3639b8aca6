/**
 * Scene composition: where the horizon, the sun or moon, the shore and each subject go, painted
 * back to front. Every random choice is drawn from the painter's stream in a fixed order, so the
 * order of the steps (and of the draws inside them) is part of the output.
 */
import { drawBirds, drawCat, drawDog, drawDragon, drawFish, drawPerson } from './creatures';
import type { Painter } from './painter';
import { rgba } from './palette';
import { drawFlower, drawTree } from './plants';
import { drawCloud, drawMoon, drawSky, drawStars, drawSun, drawWeather } from './sky';
import type { Mood, SceneSpec, Subject } from './spec';
import { drawBoat, drawCastle, drawCity, drawHouse, drawLighthouse } from './structures';
import { drawGround, drawMountains, drawShore, drawWater } from './terrain';

/** What every step shares: the painter, the frame, the scene and facts derived from it. */
interface Stage {
  p: Painter;
  W: number;
  H: number;
  S: number;
  scene: SceneSpec;
  mood: Mood;
  has(subject: Subject): boolean;
  nightish: boolean;
  snowy: boolean;
  water: boolean;
  /** Windows and beams are lit. */
  lit: boolean;
  horizon: number;
}

/** The sun or moon's position; `shown` when one is drawn (the water then sparkles below it). */
interface Celestial {
  x: number;
  shown: boolean;
}

/** With water and something standing on land, one side becomes a shore. */
interface Shore {
  side: -1 | 1;
  waterline: number;
  needed: boolean;
}

/** The span of land subjects stand on, left to right, and the baseline they stand at. */
interface Land {
  from: number;
  to: number;
  base: number;
  /** A jittered x for the i-th of n slots across the land. */
  slotX(i: number, n: number): number;
}

const GROUND_SUBJECTS: Subject[] = ['house', 'castle', 'lighthouse', 'tree', 'forest', 'person', 'cat', 'dog', 'flower'];

/** Paints the whole scene; `check` throws when the render was cancelled and runs between steps. */
export function composeScene(p: Painter, scene: SceneSpec, W: number, H: number, check: () => void) {
  const stage = setStage(p, scene, W, H);
  const celestial = paintSky(stage);
  check();
  paintSkyLife(stage);
  check();
  paintDistance(stage);
  check();
  const shore = planShore(stage);
  paintGroundOrWater(stage, shore, celestial);
  check();
  const land = planLand(stage, shore);
  paintForest(stage, land);
  paintStandingSubjects(stage, land);
  check();
  paintWaterLife(stage, shore);
  paintFlowers(stage, land, shore);
  paintWeather(stage);
  check();
}

function setStage(p: Painter, scene: SceneSpec, W: number, H: number): Stage {
  const has = (s: Subject) => scene.subjects.includes(s);
  const mood = scene.mood;
  const nightish = mood === 'night' || mood === 'dark';
  return {
    p,
    W,
    H,
    S: Math.min(W, H),
    scene,
    mood,
    has,
    nightish,
    snowy: has('snow') || mood === 'winter',
    water: has('water') || has('boat') || has('fish') || has('lighthouse'),
    horizon: H * p.r(0.56, 0.66),
    lit: nightish || mood === 'sunset',
  };
}

/** Sky gradient, storm haze, stars, then the sun or the moon. */
function paintSky({ p, W, H, S, mood, has, nightish, horizon }: Stage): Celestial {
  const { ctx } = p;
  drawSky(p, W, H, horizon, mood);
  if (has('rain') || mood === 'dark') {
    ctx.fillStyle = rgba('#5a606c', has('rain') ? 0.35 : 0.15);
    ctx.fillRect(0, 0, W, horizon);
  }
  if (mood === 'night' || has('stars')) drawStars(p, W, horizon, has('stars'));
  const x = W * (p.rng() < 0.5 ? p.r(0.15, 0.35) : p.r(0.65, 0.85));
  const y = mood === 'sunset' || mood === 'dawn' ? horizon - S * p.r(0.06, 0.14) : H * p.r(0.14, 0.26);
  const wantsMoon = has('moon') || (nightish && !has('sun'));
  const wantsSun = !wantsMoon && !has('rain') && (has('sun') || mood !== 'dark');
  if (wantsMoon) drawMoon(p, x, y, S * 0.06);
  else if (wantsSun) drawSun(p, x, y, S * (mood === 'sunset' ? 0.09 : 0.07), mood);
  return { x, shown: wantsMoon || wantsSun };
}

/** Clouds, then birds and a dragon in the sky. */
function paintSkyLife({ p, W, S, mood, has, nightish, horizon, scene }: Stage) {
  const clouds = has('cloud') ? 4 : has('rain') ? 6 : nightish ? 1 : 2;
  for (let i = 0; i < clouds; i++) {
    const colour = has('rain') || mood === 'dark' ? '#9aa1ad' : nightish ? '#6b7596' : mood === 'sunset' ? '#ffc9a8' : '#ffffff';
    drawCloud(p, p.r(0.05, 0.95) * W, p.r(0.08, 0.4) * horizon, S * p.r(0.25, 0.45), colour, nightish ? 0.5 : 0.8);
  }
  if (has('bird'))
    drawBirds(p, W * p.r(0.3, 0.7), horizon * p.r(0.3, 0.5), S * 0.18, 5 + Math.floor(p.r(0, 5)), nightish ? '#c8cce0' : p.pal.ink);
  if (has('dragon'))
    drawDragon(
      p,
      W * p.r(0.35, 0.65),
      horizon * p.r(0.3, 0.45),
      S * 0.26,
      scene.accent ?? (nightish ? '#6b3fa0' : '#b23a3a'),
      p.rng() < 0.5 ? -1 : 1,
    );
}

/** Mountains (a low ridge when none were asked for) or a skyline on the horizon. */
function paintDistance({ p, W, S, has, snowy, lit, horizon }: Stage) {
  if (has('mountain')) drawMountains(p, W, horizon, snowy || p.rng() < 0.5, 3);
  else if (!has('city')) drawMountains(p, W, horizon, snowy, 1);
  if (has('city')) drawCity(p, W, horizon + S * 0.01, lit);
}

/** The side and waterline are drawn from the stream whether or not a shore is needed. */
function planShore({ p, W, water, has }: Stage): Shore {
  const side = p.rng() < 0.5 ? -1 : 1;
  const waterline = side < 0 ? W * p.r(0.3, 0.42) : W * p.r(0.58, 0.7);
  return { side, waterline, needed: water && GROUND_SUBJECTS.some(has) };
}

function paintGroundOrWater({ p, W, H, water, snowy, horizon }: Stage, shore: Shore, celestial: Celestial) {
  if (!water) {
    drawGround(p, W, H, horizon, snowy);
    return;
  }
  drawWater(p, W, H, horizon, celestial.shown ? celestial.x : undefined);
  if (shore.needed) drawShore(p, W, H, horizon, shore.side, shore.waterline, snowy);
}

function planLand({ p, W, H, S, horizon }: Stage, shore: Shore): Land {
  const onShore = shore.needed;
  const from = onShore ? (shore.side < 0 ? W * 0.04 : shore.waterline + S * 0.04) : W * 0.06;
  const to = onShore ? (shore.side < 0 ? shore.waterline - S * 0.04 : W * 0.96) : W * 0.94;
  return {
    from,
    to,
    base: horizon + (H - horizon) * (onShore ? 0.3 : 0.38),
    slotX: (i, n) => from + ((to - from) * (i + 0.5)) / n + p.r(-0.25, 0.25) * ((to - from) / n),
  };
}

/** Three rows of pines across the land, paler with distance. */
function paintForest({ p, W, S, has, snowy, horizon }: Stage, land: Land) {
  if (!has('forest')) return;
  const rows = 3;
  for (let r = 0; r < rows; r++) {
    const n = Math.round((10 + r * 4) * Math.max(0.5, p.detail) * ((land.to - land.from) / W));
    const base = horizon + (land.base - horizon) * (0.15 + r * 0.35);
    for (let i = 0; i < n; i++) {
      const x = land.from + ((land.to - land.from) * (i + p.r(0, 1))) / n;
      drawTree(p, x, base + p.r(0, S * 0.01), S * (0.12 + r * 0.05) * p.r(0.8, 1.15), 'pine', snowy, 0.5 - r * 0.22);
    }
  }
}

/** Buildings, trees, people and animals, in a shuffled order across the land's slots. */
function paintStandingSubjects(stage: Stage, land: Land) {
  const { p, S, scene, has, water, snowy, lit, nightish } = stage;
  const actors = GROUND_SUBJECTS.filter((s) => has(s) && s !== 'forest' && s !== 'flower');
  if (!scene.subjects.length || (!actors.length && !has('forest') && !water && !has('city'))) actors.push('tree');
  if (has('tree') && !has('forest')) actors.push('tree'); // trees come in pairs
  const order = actors
    .map((a) => [a, p.rng()] as const)
    .sort((a, b) => a[1] - b[1])
    .map(([a]) => a);
  order.forEach((subject, i) => {
    const x = land.slotX(i, order.length);
    const base = land.base + p.r(-0.02, 0.04) * S;
    switch (subject) {
      case 'house':
        drawHouse(p, x, base, S * p.r(0.16, 0.2), lit);
        break;
      case 'castle':
        drawCastle(p, x, base, S * p.r(0.26, 0.32), lit);
        break;
      case 'lighthouse':
        drawLighthouse(p, x, base, S * p.r(0.38, 0.46), lit);
        break;
      case 'tree':
        drawTree(p, x, base, S * p.r(0.22, 0.32), snowy || p.rng() < 0.4 ? 'pine' : 'round', snowy);
        break;
      case 'person':
        drawPerson(p, x, base + S * 0.05, S * p.r(0.16, 0.2), p.pal.accent);
        break;
      case 'cat':
        drawCat(p, x, base + S * 0.08, S * 0.13, nightish ? '#2a2a33' : '#e08a3c');
        break;
      case 'dog':
        drawDog(p, x, base + S * 0.08, S * 0.15, '#9a6a44');
        break;
      default:
        break;
    }
  });
}

/** A boat and fish on the open water, away from the shore. */
function paintWaterLife({ p, W, H, S, has, water, horizon, scene }: Stage, shore: Shore) {
  if (!water) return;
  const { side, waterline, needed } = shore;
  if (has('boat')) {
    const bx = needed ? (side < 0 ? p.r(waterline + S * 0.15, W - S * 0.1) : p.r(S * 0.1, waterline - S * 0.15)) : W * p.r(0.25, 0.75);
    drawBoat(p, bx, horizon + (H - horizon) * p.r(0.25, 0.45), S * p.r(0.18, 0.24), scene.accent ?? '#f4efe2');
  }
  if (has('fish')) {
    const fx = needed ? (side < 0 ? (waterline + W) / 2 : waterline / 2) : W * p.r(0.3, 0.7);
    for (let i = 0; i < 3; i++) {
      drawFish(
        p,
        fx + p.r(-0.12, 0.12) * S,
        horizon + (H - horizon) * p.r(0.55, 0.9),
        S * p.r(0.07, 0.1),
        scene.accent ?? '#f08a4b',
        p.rng() < 0.5,
      );
    }
  }
}

/** Flowers scattered in the foreground (on the shore when there is one). */
function paintFlowers({ p, W, H, S, has, horizon }: Stage, land: Land, shore: Shore) {
  if (!has('flower')) return;
  const n = Math.round(14 * p.detail * (W / S));
  const colours = [p.pal.accent, '#e58fb0', '#f2f2f2', '#f2c14e', '#8a5cc4'];
  for (let i = 0; i < n; i++) {
    const x = shore.needed ? p.r(land.from, land.to) : p.r(0.02, 0.98) * W;
    drawFlower(p, x, H - p.r(0.01, 0.12) * (H - horizon), S * p.r(0.06, 0.11), colours[Math.floor(p.r(0, colours.length))]);
  }
}

function paintWeather({ p, W, H, has }: Stage) {
  if (has('rain')) drawWeather(p, W, H, 'rain');
  if (has('snow')) drawWeather(p, W, H, 'snow');
}
