/**
 * The local image "model": an honest procedural renderer, not AI. No package carries usable
 * text-to-image weights, so offline runs get a composed scene built from the prompt's keywords
 * (a small subject vocabulary, a mood and a style), drawn with @napi-rs/canvas. Deterministic:
 * all randomness comes from a mulberry32 PRNG seeded by (seed, prompt, size, style), so the same
 * request gives identical PNG bytes. A small "sketch" label in a corner, a PNG Software/Description
 * text chunk and `aiService: 'local-sketch'` keep it from being mistaken for generated art.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { ProviderError, type ImageProvider, type ImageRequest, type ImageResult } from '../types';

export const SKETCH_MODEL = 'procedural-sketch-v1';
export const SKETCH_SERVICE = 'local-sketch';
export const SKETCH_STYLES = ['watercolor', 'ink', 'flat'] as const;
export type SketchStyle = (typeof SKETCH_STYLES)[number];

// ---------------------------------------------------------------------------------------------
// Seeded randomness

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Prompt → scene

export type Subject =
  | 'sun' | 'moon' | 'stars' | 'mountain' | 'water' | 'tree' | 'forest' | 'house' | 'castle' | 'lighthouse'
  | 'cat' | 'dog' | 'bird' | 'fish' | 'person' | 'flower' | 'boat' | 'city' | 'cloud' | 'rain' | 'snow' | 'dragon';
export type Mood = 'day' | 'night' | 'dawn' | 'sunset' | 'winter' | 'dark' | 'happy';

const VOCABULARY: [RegExp, Subject][] = [
  [/\b(sun|sunny|sunshine)\b/, 'sun'],
  [/\b(moon|moonlit|moonlight|lunar)\b/, 'moon'],
  [/\b(stars?|starry|starlit|galaxy|constellations?)\b/, 'stars'],
  [/\b(mountains?|peaks?|hills?|alps|summit|volcano)\b/, 'mountain'],
  [/\b(sea|seas|ocean|lake|beach|shore|coast|waves?|river|bay|harbou?r|pond)\b/, 'water'],
  [/\b(trees?|oak|pine|palm|willow)\b/, 'tree'],
  [/\b(forest|woods|woodland|jungle|grove)\b/, 'forest'],
  [/\b(house|home|cottage|cabin|hut|village|farm|barn)\b/, 'house'],
  [/\b(castle|palace|fortress|tower|kingdom)\b/, 'castle'],
  [/\b(lighthouse|beacon)\b/, 'lighthouse'],
  [/\b(cats?|kitten|kitty)\b/, 'cat'],
  [/\b(dogs?|puppy|pup|hound)\b/, 'dog'],
  [/\b(birds?|gulls?|seagulls?|crows?|swallows?|flock)\b/, 'bird'],
  [/\b(fish|fishes|whale|dolphin|koi)\b/, 'fish'],
  [/\b(person|people|man|woman|girl|boy|child|children|kid|traveller|traveler|wanderer|hero|knight|figure)\b/, 'person'],
  [/\b(flowers?|roses?|tulips?|garden|meadow|blossoms?|daisy|daisies)\b/, 'flower'],
  [/\b(boats?|ship|sail|sailboat|yacht|canoe)\b/, 'boat'],
  [/\b(city|town|skyline|skyscrapers?|buildings?|street|metropolis)\b/, 'city'],
  [/\b(clouds?|cloudy|sky)\b/, 'cloud'],
  [/\b(rain|rainy|raining|storm|stormy|drizzle)\b/, 'rain'],
  [/\b(snow|snowy|snowing|blizzard|snowfall)\b/, 'snow'],
  [/\b(dragons?|wyvern)\b/, 'dragon'],
];

const MOODS: [RegExp, Mood][] = [
  [/\b(night|midnight|nocturnal|moonlit|starry|starlit)\b/, 'night'],
  [/\b(sunset|dusk|evening|twilight|golden hour)\b/, 'sunset'],
  [/\b(dawn|sunrise|morning|daybreak)\b/, 'dawn'],
  [/\b(winter|snowy|snow|frozen|ice|icy|frost|christmas)\b/, 'winter'],
  [/\b(dark|gloomy|spooky|haunted|storm|stormy|sinister|grim|eerie|horror)\b/, 'dark'],
  [/\b(happy|cheerful|bright|joyful|sunny|summer|playful|colou?rful|cute)\b/, 'happy'],
];

const COLOUR_WORDS: Record<string, string> = {
  red: '#d1495b', orange: '#f08a4b', yellow: '#f2c14e', gold: '#e0a526', golden: '#e0a526', green: '#5b9a52',
  blue: '#3f7cc4', purple: '#8a5cc4', violet: '#8a5cc4', pink: '#e58fb0', teal: '#2a9d8f', white: '#f4f1ea', black: '#2a2a30',
};

export interface SceneSpec {
  subjects: Subject[];
  mood: Mood;
  style: SketchStyle;
  accent?: string;
}

export function describeScene(prompt: string, style?: string): SceneSpec {
  const p = prompt.toLowerCase();
  const subjects = VOCABULARY.filter(([re]) => re.test(p)).map(([, s]) => s);
  const mood = MOODS.find(([re]) => re.test(p))?.[1] ?? 'day';
  const colour = Object.keys(COLOUR_WORDS).find((w) => new RegExp(`\\b${w}\\b`).test(p));
  const s = (style ?? '').toLowerCase();
  const fromPrompt = SKETCH_STYLES.find((k) => p.includes(k)) ?? (/\b(pen|sepia|etching|line art)\b/.test(p) ? 'ink' : undefined);
  const chosen = (SKETCH_STYLES as readonly string[]).includes(s) ? (s as SketchStyle) : (fromPrompt ?? 'watercolor');
  return { subjects: [...new Set(subjects)], mood, style: chosen, accent: colour ? COLOUR_WORDS[colour] : undefined };
}

// ---------------------------------------------------------------------------------------------
// Colour

type RGB = [number, number, number];
const hex = (h: string): RGB => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as RGB;
const mix = (a: string, b: string, t: number): string => {
  const x = hex(a);
  const y = hex(b);
  return `#${x.map((v, i) => Math.round(v + (y[i] - v) * t).toString(16).padStart(2, '0')).join('')}`;
};
const rgba = (h: string, a: number) => {
  const [r, g, b] = hex(h);
  return `rgba(${r},${g},${b},${a.toFixed(3)})`;
};

interface Palette {
  skyTop: string; skyBottom: string; glow: string; far: string; mid: string; ground: string; groundDark: string;
  water: string; light: string; ink: string; paper: string; windows: string; foliage: string; accent: string;
}

const PALETTES: Record<Mood, Palette> = {
  day: { skyTop: '#6aa6da', skyBottom: '#d7ebf5', glow: '#fff6d5', far: '#9db4cc', mid: '#7b9d83', ground: '#86b46a', groundDark: '#5c8a4a', water: '#4f8fbf', light: '#fff2a8', ink: '#2b2d42', paper: '#f7f1e3', windows: '#f5e6a8', foliage: '#4f8a45', accent: '#d1495b' },
  happy: { skyTop: '#4ea3e8', skyBottom: '#bfe6ff', glow: '#fff3b8', far: '#8fb7dd', mid: '#6fbf73', ground: '#8fd16a', groundDark: '#5fae4a', water: '#3d9bd6', light: '#ffe066', ink: '#2b2d42', paper: '#fbf6e9', windows: '#ffe9a0', foliage: '#49a84a', accent: '#f25f5c' },
  dawn: { skyTop: '#7d8fc7', skyBottom: '#f7c6a5', glow: '#ffe3b3', far: '#a99ab8', mid: '#8a9a8c', ground: '#8fae7a', groundDark: '#66855a', water: '#8aa3c8', light: '#ffd9a0', ink: '#33304a', paper: '#f8efe4', windows: '#ffe0a0', foliage: '#5a8356', accent: '#e07a5f' },
  sunset: { skyTop: '#3b2d6b', skyBottom: '#ff9a5c', glow: '#ffd27a', far: '#8a4f78', mid: '#5d3f63', ground: '#4b3b4f', groundDark: '#2f2535', water: '#5a4a80', light: '#ffcf66', ink: '#231a2e', paper: '#f6e8da', windows: '#ffcf70', foliage: '#3d3048', accent: '#ff6b4a' },
  night: { skyTop: '#070b24', skyBottom: '#27386b', glow: '#c9d6ff', far: '#28335c', mid: '#1d2846', ground: '#17233a', groundDark: '#0e1628', water: '#142447', light: '#f3efd7', ink: '#0b0d1a', paper: '#e9e6dc', windows: '#ffd66e', foliage: '#152238', accent: '#8fb3ff' },
  winter: { skyTop: '#9fb9d6', skyBottom: '#edf3f8', glow: '#ffffff', far: '#b9c8da', mid: '#9fb0c2', ground: '#f3f6f9', groundDark: '#cfd9e3', water: '#7c9cb8', light: '#fff8e0', ink: '#2c3440', paper: '#f5f6f4', windows: '#ffd98a', foliage: '#3e5e55', accent: '#c0392b' },
  dark: { skyTop: '#15161c', skyBottom: '#4b4f5c', glow: '#9aa0ad', far: '#3a3d48', mid: '#2c2e36', ground: '#262830', groundDark: '#17181d', water: '#2b3340', light: '#d9d4c0', ink: '#0d0d10', paper: '#dcd8cf', windows: '#e8c06a', foliage: '#1f2620', accent: '#8b1e2d' },
};

// ---------------------------------------------------------------------------------------------
// Painter: every shape is a polygon so the style can wobble, layer or outline it.

type Pt = [number, number];

class Painter {
  constructor(
    readonly ctx: SKRSContext2D,
    readonly rng: () => number,
    readonly style: SketchStyle,
    readonly pal: Palette,
    readonly S: number,
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
  shape(pts: Pt[], colour: string, opts: { alpha?: number; outline?: boolean; soft?: boolean; solid?: boolean } = {}) {
    const { ctx, S } = this;
    const alpha = opts.alpha ?? 1;
    if ((opts.solid ?? (!opts.soft && alpha >= 0.9)) && this.style === 'watercolor') {
      // An opaque underpainting so land masses don't look like glass.
      ctx.fillStyle = rgba(colour, alpha);
      this.path(pts);
      ctx.fill();
    }
    if (this.style === 'flat') {
      ctx.fillStyle = rgba(colour, alpha);
      this.path(pts);
      ctx.fill();
      return;
    }
    if (this.style === 'watercolor') {
      const passes = Math.round(2 + this.detail * 2);
      const j = S * (opts.soft ? 0.012 : 0.005);
      for (let i = 0; i < passes; i++) {
        ctx.fillStyle = rgba(mix(colour, i % 2 ? '#ffffff' : '#000000', this.r(0, 0.06)), (alpha * 0.75) / passes + 0.12 * alpha);
        this.path(pts, j);
        ctx.fill();
      }
      // Pigment pools at the edge of a wash.
      ctx.strokeStyle = rgba(mix(colour, '#000000', 0.25), 0.18 * alpha);
      ctx.lineWidth = Math.max(1, S * 0.0025);
      this.path(pts, j * 0.5);
      ctx.stroke();
      return;
    }
    // ink: pale wash, then a wobbly pen outline.
    ctx.fillStyle = rgba(mix(colour, this.pal.paper, 0.45), alpha);
    this.path(pts);
    ctx.fill();
    if (opts.outline !== false && alpha > 0.4) {
      ctx.strokeStyle = rgba(this.pal.ink, 0.85);
      ctx.lineWidth = Math.max(1, S * 0.0022);
      ctx.lineJoin = 'round';
      this.path(pts, S * 0.002);
      ctx.stroke();
    }
  }

  line(pts: Pt[], colour: string, width: number, alpha = 1) {
    const { ctx } = this;
    ctx.strokeStyle = rgba(this.style === 'ink' ? mix(colour, this.pal.ink, 0.6) : colour, alpha);
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

const ellipse = (cx: number, cy: number, rx: number, ry: number, n = 40, from = 0, to = Math.PI * 2): Pt[] =>
  Array.from({ length: n }, (_, i) => {
    const a = from + ((to - from) * i) / (n - 1 || 1);
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)] as Pt;
  });

const rect = (x: number, y: number, w: number, h: number): Pt[] => [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];

// ---------------------------------------------------------------------------------------------
// Subjects

function drawSky(p: Painter, W: number, H: number, horizon: number, mood: Mood) {
  const { ctx, pal } = p;
  const g = ctx.createLinearGradient(0, 0, 0, horizon);
  g.addColorStop(0, pal.skyTop);
  g.addColorStop(0.65, mix(pal.skyTop, pal.skyBottom, 0.7));
  g.addColorStop(1, pal.skyBottom);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, W, H);
  if (mood === 'sunset' || mood === 'dawn') {
    p.glow(W * p.r(0.3, 0.7), horizon, W * 0.7, pal.glow, 0.55);
  }
}

function drawStars(p: Painter, W: number, horizon: number, many: boolean) {
  const n = Math.round((many ? 160 : 70) * p.detail * (W / 512));
  for (let i = 0; i < n; i++) {
    const x = p.r(0, W);
    const y = p.r(0, horizon * 0.85) * p.r(0.3, 1);
    const r = p.S * p.r(0.0012, 0.0035);
    p.ctx.fillStyle = rgba('#fffbe8', p.r(0.4, 1));
    p.ctx.beginPath();
    p.ctx.arc(x, y, r, 0, Math.PI * 2);
    p.ctx.fill();
    if (p.rng() < 0.06) {
      const s = r * 5;
      p.line([[x - s, y], [x + s, y]], '#fffbe8', r * 0.6, 0.6);
      p.line([[x, y - s], [x, y + s]], '#fffbe8', r * 0.6, 0.6);
    }
  }
}

function drawSun(p: Painter, x: number, y: number, r: number, mood: Mood) {
  const c = mood === 'sunset' ? '#ffb347' : mood === 'dawn' ? '#ffd59a' : p.pal.light;
  p.glow(x, y, r * 4, p.pal.glow, 0.6);
  p.shape(ellipse(x, y, r, r, 48), c, { outline: true });
  if (p.style === 'ink' || mood === 'happy') {
    for (let i = 0; i < 12; i++) {
      const a = (i / 12) * Math.PI * 2 + 0.13;
      p.line([[x + Math.cos(a) * r * 1.3, y + Math.sin(a) * r * 1.3], [x + Math.cos(a) * r * 1.7, y + Math.sin(a) * r * 1.7]], c, r * 0.08, 0.8);
    }
  }
}

function drawMoon(p: Painter, x: number, y: number, r: number) {
  p.glow(x, y, r * 4.5, p.pal.glow, 0.35);
  p.shape(ellipse(x, y, r, r, 48), '#f4f0dc', { outline: true });
  for (let i = 0; i < 4; i++) {
    const a = p.r(0, Math.PI * 2);
    const d = p.r(0, r * 0.6);
    const cr = r * p.r(0.1, 0.22);
    p.shape(ellipse(x + Math.cos(a) * d, y + Math.sin(a) * d, cr, cr, 20), '#d9d3bb', { alpha: 0.6, outline: false });
  }
}

function drawCloud(p: Painter, x: number, y: number, w: number, colour: string, alpha: number) {
  const n = 4 + Math.floor(p.r(0, 3));
  for (let i = 0; i < n; i++) {
    const cx = x + (i / (n - 1) - 0.5) * w * 0.8;
    const rr = w * p.r(0.14, 0.24) * (1 - Math.abs(i / (n - 1) - 0.5));
    p.shape(ellipse(cx, y - rr * 0.3, rr * 1.3, rr, 28), colour, { alpha, outline: false, soft: true });
  }
  p.shape(ellipse(x, y, w * 0.5, w * 0.1, 32), colour, { alpha, outline: false, soft: true });
}

function ridge(p: Painter, W: number, base: number, amp: number, peaks: number): Pt[] {
  const phases = Array.from({ length: 4 }, () => p.r(0, Math.PI * 2));
  const pts: Pt[] = [[0, base + amp * 2]];
  const steps = 80;
  for (let i = 0; i <= steps; i++) {
    const x = (i / steps) * W;
    const t = (i / steps) * Math.PI * peaks;
    const y =
      base -
      amp *
        (0.55 * Math.abs(Math.sin(t + phases[0])) +
          0.25 * Math.sin(2.3 * t + phases[1]) +
          0.12 * Math.sin(5.1 * t + phases[2]) +
          0.05 * Math.sin(11.7 * t + phases[3]));
    pts.push([x, y]);
  }
  pts.push([W, base + amp * 2]);
  return pts;
}

function drawMountains(p: Painter, W: number, horizon: number, snowy: boolean, layers: number) {
  for (let l = 0; l < layers; l++) {
    const depth = l / Math.max(1, layers - 1);
    const colour = mix(p.pal.far, p.pal.mid, depth);
    const amp = p.S * (0.22 - depth * 0.09) * p.r(0.8, 1.2);
    const pts = ridge(p, W, horizon + p.S * 0.01 * l, amp, p.r(1.2, 2.6));
    p.shape(pts, colour, { alpha: 0.95 });
    if (snowy && l === 0) {
      p.ctx.save();
      p.path(pts);
      p.ctx.clip();
      const top = Math.min(...pts.map(([, y]) => y));
      const line = ridge(p, W, top + amp * 0.45, amp * 0.12, 7);
      const cap: Pt[] = [[0, 0], ...line.slice(1, -1), [W, 0]];
      p.shape(cap, '#f5f7fa', { alpha: 0.9, outline: false });
      p.ctx.restore();
    }
  }
}

function drawWater(p: Painter, W: number, H: number, horizon: number, sparkleX?: number) {
  const { ctx, pal } = p;
  const g = ctx.createLinearGradient(0, horizon, 0, H);
  g.addColorStop(0, mix(pal.water, pal.skyBottom, 0.45));
  g.addColorStop(1, mix(pal.water, '#000000', 0.2));
  ctx.fillStyle = g;
  ctx.fillRect(0, horizon, W, H - horizon);
  const n = Math.round(50 * p.detail * (W / 512));
  for (let i = 0; i < n; i++) {
    const y = horizon + Math.pow(p.rng(), 1.6) * (H - horizon);
    const depth = (y - horizon) / (H - horizon);
    const x = p.r(0, W);
    const len = p.S * (0.02 + depth * 0.08);
    p.line([[x, y], [x + len, y]], mix(pal.water, '#ffffff', 0.45), Math.max(1, p.S * 0.002 * (0.5 + depth)), 0.35);
  }
  if (sparkleX !== undefined) {
    for (let i = 0; i < 26 * p.detail; i++) {
      const y = horizon + p.r(0.01, 1) * (H - horizon) * 0.8;
      const spread = ((y - horizon) / (H - horizon) + 0.1) * p.S * 0.12;
      const x = sparkleX + p.r(-spread, spread);
      p.line([[x - spread * 0.3, y], [x + spread * 0.3, y]], pal.light, p.S * 0.003, 0.5);
    }
  }
}

function drawGround(p: Painter, W: number, H: number, horizon: number, snowy: boolean) {
  const top = snowy ? '#f2f5f8' : p.pal.ground;
  const bottom = snowy ? '#cdd8e4' : p.pal.groundDark;
  const far = ridge(p, W, horizon + p.S * 0.02, p.S * 0.03, p.r(0.8, 1.6));
  p.shape([...far.slice(0, -1), [W, H], [0, H]], mix(top, p.pal.far, 0.35), { solid: true });
  const near = ridge(p, W, horizon + (H - horizon) * 0.35, p.S * 0.04, p.r(0.5, 1.2));
  const g = p.ctx.createLinearGradient(0, horizon, 0, H);
  g.addColorStop(0, top);
  g.addColorStop(1, bottom);
  p.path([...near.slice(0, -1), [W, H], [0, H]]);
  p.ctx.fillStyle = g;
  p.ctx.fill();
  // Grass/snow texture strokes.
  const n = Math.round(140 * p.detail * (W / 512));
  for (let i = 0; i < n; i++) {
    const x = p.r(0, W);
    const y = p.r(horizon + (H - horizon) * 0.4, H);
    const h = p.S * p.r(0.006, 0.018);
    p.line([[x, y], [x + p.r(-h, h) * 0.4, y - h]], mix(bottom, snowy ? '#9fb0c4' : '#20351a', 0.3), p.S * 0.0018, 0.35);
  }
}

function drawTree(p: Painter, x: number, base: number, h: number, kind: 'pine' | 'round', snowy: boolean, shade = 0) {
  const foliage = mix(snowy ? '#3f5f55' : p.pal.foliage, p.pal.far, shade);
  const trunk = mix('#6b4a32', p.pal.far, shade);
  p.shape(rect(x - h * 0.035, base - h * 0.3, h * 0.07, h * 0.3), trunk, { alpha: 0.95 });
  if (kind === 'pine') {
    for (let i = 0; i < 3; i++) {
      const w = h * (0.42 - i * 0.1);
      const y0 = base - h * (0.2 + i * 0.24);
      const pts: Pt[] = [[x - w / 2, y0], [x, y0 - h * 0.42], [x + w / 2, y0]];
      p.shape(pts, mix(foliage, '#000000', i * 0.05), { alpha: 0.95 });
      if (snowy) p.shape([[x - w * 0.18, y0 - h * 0.28], [x, y0 - h * 0.42], [x + w * 0.18, y0 - h * 0.28]], '#f5f8fb', { alpha: 0.9, outline: false });
    }
  } else {
    const cy = base - h * 0.6;
    for (let i = 0; i < 4; i++) {
      const rr = h * p.r(0.2, 0.28);
      p.shape(ellipse(x + p.r(-0.15, 0.15) * h, cy + p.r(-0.15, 0.1) * h, rr, rr * 0.9, 30), mix(foliage, i % 2 ? '#ffffff' : '#000000', 0.08), { alpha: 0.92 });
    }
  }
}

function drawHouse(p: Painter, x: number, base: number, w: number, lit: boolean) {
  const h = w * 0.7;
  const wall = mix('#e9d8b8', p.pal.far, 0.15);
  p.shape(rect(x - w / 2, base - h, w, h), wall);
  p.shape(rect(x + w * 0.2, base - h * 1.55, w * 0.12, h * 0.45), '#8a5a44');
  p.shape([[x - w * 0.6, base - h + 1], [x, base - h * 1.7], [x + w * 0.6, base - h + 1]], p.pal.accent);
  p.shape(rect(x - w * 0.1, base - h * 0.55, w * 0.2, h * 0.55), '#6b4a32');
  const win = lit ? p.pal.windows : '#a9c6d9';
  p.shape(rect(x - w * 0.38, base - h * 0.75, w * 0.18, w * 0.16), win);
  p.shape(rect(x + w * 0.2, base - h * 0.75, w * 0.18, w * 0.16), win);
  if (lit) p.glow(x, base - h * 0.6, w * 0.7, p.pal.windows, 0.18);
}

function drawCastle(p: Painter, x: number, base: number, w: number, lit: boolean) {
  const stone = mix('#b8b2a7', p.pal.far, 0.3);
  const h = w * 0.55;
  p.shape(rect(x - w / 2, base - h, w, h), stone);
  // crenellations
  const n = 7;
  for (let i = 0; i < n; i += 2) p.shape(rect(x - w / 2 + (i * w) / n, base - h - w * 0.06, w / n, w * 0.06), stone);
  for (const side of [-1, 1]) {
    const tx = x + side * w * 0.5;
    const tw = w * 0.2;
    const th = h * 1.5;
    p.shape(rect(tx - tw / 2, base - th, tw, th), mix(stone, '#000000', 0.08));
    p.shape([[tx - tw * 0.65, base - th], [tx, base - th - tw * 1.3], [tx + tw * 0.65, base - th]], p.pal.accent);
    p.shape(rect(tx - tw * 0.12, base - th * 0.7, tw * 0.24, tw * 0.35), lit ? p.pal.windows : '#3d3a40');
  }
  const kw = w * 0.28;
  const kh = h * 2;
  p.shape(rect(x - kw / 2, base - kh, kw, kh), mix(stone, '#ffffff', 0.06));
  p.shape([[x - kw * 0.6, base - kh], [x, base - kh - kw * 1.2], [x + kw * 0.6, base - kh]], p.pal.accent);
  p.line([[x, base - kh - kw * 1.2], [x, base - kh - kw * 1.7]], p.pal.ink, w * 0.01);
  p.shape([[x, base - kh - kw * 1.7], [x + kw * 0.45, base - kh - kw * 1.58], [x, base - kh - kw * 1.46]], p.pal.accent);
  p.shape(ellipse(x, base - h * 0.25, w * 0.08, h * 0.25, 24, Math.PI, 2 * Math.PI).concat([[x + w * 0.08, base], [x - w * 0.08, base]]), '#4a3a30');
  if (lit) p.glow(x, base - kh * 0.6, w * 0.6, p.pal.windows, 0.15);
}

function drawLighthouse(p: Painter, x: number, base: number, h: number, beam: boolean) {
  const bw = h * 0.2;
  const tw = h * 0.12;
  p.shape(ellipse(x, base, bw * 1.4, bw * 0.35, 24, Math.PI, 2 * Math.PI), '#6d6a6a');
  const bands = 4;
  for (let i = 0; i < bands; i++) {
    const y0 = base - (h * 0.8 * i) / bands;
    const y1 = base - (h * 0.8 * (i + 1)) / bands;
    const w0 = bw + (tw - bw) * (i / bands);
    const w1 = bw + (tw - bw) * ((i + 1) / bands);
    p.shape([[x - w0 / 2, y0], [x - w1 / 2, y1], [x + w1 / 2, y1], [x + w0 / 2, y0]], i % 2 ? '#f3efe6' : '#c8423a');
  }
  const top = base - h * 0.8;
  p.shape(rect(x - tw * 0.45, top - h * 0.1, tw * 0.9, h * 0.1), beam ? '#ffe9a0' : '#bcd3e0');
  p.shape([[x - tw * 0.65, top - h * 0.1], [x, top - h * 0.2], [x + tw * 0.65, top - h * 0.1]], '#3a3a44');
  if (beam) {
    p.glow(x, top - h * 0.05, h * 0.35, '#fff2b0', 0.5);
    const dir = p.rng() < 0.5 ? -1 : 1;
    p.ctx.fillStyle = rgba('#fff6c8', 0.22);
    p.path([[x, top - h * 0.05], [x + dir * p.S * 0.9, top - h * 0.25], [x + dir * p.S * 0.9, top + h * 0.1]]);
    p.ctx.fill();
  }
}

function drawCity(p: Painter, W: number, horizon: number, lit: boolean) {
  for (let layer = 0; layer < 2; layer++) {
    let x = -p.r(0, p.S * 0.05);
    const colour = layer ? mix(p.pal.mid, '#000000', 0.25) : mix(p.pal.far, p.pal.skyBottom, 0.2);
    while (x < W) {
      const bw = p.S * p.r(0.04, 0.09);
      const bh = p.S * p.r(0.08, 0.3) * (layer ? 0.8 : 1.1);
      p.shape(rect(x, horizon - bh, bw, bh + p.S * 0.02), colour, { alpha: 0.97 });
      if (layer && lit !== undefined) {
        const ww = bw / 7;
        for (let wy = horizon - bh + ww; wy < horizon - ww; wy += ww * 2) {
          for (let wx = x + ww; wx < x + bw - ww; wx += ww * 2) {
            if (p.rng() < (lit ? 0.45 : 0.25)) {
              p.ctx.fillStyle = rgba(lit ? p.pal.windows : '#cfe0ea', lit ? 0.9 : 0.5);
              p.ctx.fillRect(wx, wy, ww, ww);
            }
          }
        }
      }
      x += bw + p.S * p.r(0, 0.015);
    }
  }
}

function drawCat(p: Painter, x: number, base: number, s: number, colour: string) {
  p.shape(ellipse(x, base - s * 0.35, s * 0.28, s * 0.36, 30), colour);
  const hy = base - s * 0.85;
  p.shape(ellipse(x, hy, s * 0.2, s * 0.18, 26), colour);
  p.shape([[x - s * 0.19, hy - s * 0.05], [x - s * 0.14, hy - s * 0.32], [x - s * 0.03, hy - s * 0.15]], colour);
  p.shape([[x + s * 0.19, hy - s * 0.05], [x + s * 0.14, hy - s * 0.32], [x + s * 0.03, hy - s * 0.15]], colour);
  const tail: Pt[] = Array.from({ length: 12 }, (_, i) => {
    const t = i / 11;
    return [x + s * (0.25 + t * 0.35), base - s * (0.05 + Math.sin(t * Math.PI) * 0.3 + t * 0.2)];
  });
  p.line(tail, colour, s * 0.07);
  p.ctx.fillStyle = rgba('#f2d45c', 0.95);
  for (const d of [-1, 1]) {
    p.ctx.beginPath();
    p.ctx.arc(x + d * s * 0.075, hy - s * 0.01, s * 0.028, 0, Math.PI * 2);
    p.ctx.fill();
  }
}

function drawDog(p: Painter, x: number, base: number, s: number, colour: string) {
  const body = ellipse(x, base - s * 0.45, s * 0.42, s * 0.2, 30);
  for (const lx of [-0.3, -0.15, 0.15, 0.3]) p.shape(rect(x + lx * s - s * 0.04, base - s * 0.4, s * 0.08, s * 0.4), mix(colour, '#000000', 0.1));
  p.shape(body, colour);
  const hx = x + s * 0.42;
  const hy = base - s * 0.75;
  p.shape(ellipse(hx, hy, s * 0.17, s * 0.15, 24), colour);
  p.shape(ellipse(hx + s * 0.15, hy + s * 0.05, s * 0.1, s * 0.07, 20), mix(colour, '#ffffff', 0.2));
  p.shape(ellipse(hx - s * 0.08, hy + s * 0.05, s * 0.06, s * 0.14, 20), mix(colour, '#000000', 0.3));
  p.line([[x - s * 0.4, base - s * 0.5], [x - s * 0.55, base - s * 0.75]], colour, s * 0.06);
  p.ctx.fillStyle = rgba('#1a1a1a', 0.9);
  p.ctx.beginPath();
  p.ctx.arc(hx + s * 0.05, hy - s * 0.03, s * 0.022, 0, Math.PI * 2);
  p.ctx.fill();
}

function drawBirds(p: Painter, cx: number, cy: number, spread: number, n: number, colour: string) {
  for (let i = 0; i < n; i++) {
    const x = cx + p.r(-spread, spread);
    const y = cy + p.r(-spread, spread) * 0.4;
    const s = p.S * p.r(0.012, 0.025);
    p.line([[x - s, y - s * 0.3], [x - s * 0.4, y - s * 0.55], [x, y], [x + s * 0.4, y - s * 0.55], [x + s, y - s * 0.3]], colour, s * 0.18, 0.85);
  }
}

function drawFish(p: Painter, x: number, y: number, s: number, colour: string, flip: boolean) {
  const d = flip ? -1 : 1;
  p.shape(ellipse(x, y, s * 0.5, s * 0.22, 30), colour);
  p.shape([[x - d * s * 0.45, y], [x - d * s * 0.8, y - s * 0.22], [x - d * s * 0.8, y + s * 0.22]], mix(colour, '#000000', 0.15));
  p.ctx.fillStyle = rgba('#111111', 0.9);
  p.ctx.beginPath();
  p.ctx.arc(x + d * s * 0.3, y - s * 0.04, s * 0.04, 0, Math.PI * 2);
  p.ctx.fill();
}

function drawPerson(p: Painter, x: number, base: number, h: number, coat: string) {
  const skin = '#e8c4a0';
  p.shape(rect(x - h * 0.09, base - h * 0.42, h * 0.07, h * 0.42), '#3a3a48');
  p.shape(rect(x + h * 0.02, base - h * 0.42, h * 0.07, h * 0.42), '#3a3a48');
  p.shape([[x - h * 0.16, base - h * 0.38], [x - h * 0.11, base - h * 0.78], [x + h * 0.11, base - h * 0.78], [x + h * 0.16, base - h * 0.38]], coat);
  p.shape(ellipse(x, base - h * 0.88, h * 0.1, h * 0.11, 24), skin);
  p.shape(ellipse(x, base - h * 0.93, h * 0.11, h * 0.07, 20, Math.PI, 2 * Math.PI), '#4a3226');
}

function drawFlower(p: Painter, x: number, base: number, h: number, colour: string) {
  const top: Pt = [x + p.r(-0.15, 0.15) * h, base - h];
  p.line([[x, base], [(x + top[0]) / 2 + h * 0.05, base - h * 0.5], top], '#4d7a3a', h * 0.05);
  const r = h * 0.14;
  for (let i = 0; i < 5; i++) {
    const a = (i / 5) * Math.PI * 2;
    p.shape(ellipse(top[0] + Math.cos(a) * r, top[1] + Math.sin(a) * r, r * 0.75, r * 0.75, 16), colour, { outline: false });
  }
  p.shape(ellipse(top[0], top[1], r * 0.55, r * 0.55, 16), '#f2c14e', { outline: false });
}

function drawBoat(p: Painter, x: number, waterY: number, s: number, sail: string) {
  p.shape([[x - s * 0.5, waterY - s * 0.12], [x + s * 0.5, waterY - s * 0.12], [x + s * 0.35, waterY + s * 0.05], [x - s * 0.35, waterY + s * 0.05]], '#7a4b32');
  p.line([[x, waterY - s * 0.12], [x, waterY - s * 0.95]], '#4a3328', s * 0.03);
  p.shape([[x + s * 0.03, waterY - s * 0.92], [x + s * 0.42, waterY - s * 0.2], [x + s * 0.03, waterY - s * 0.2]], sail);
  p.shape([[x - s * 0.03, waterY - s * 0.8], [x - s * 0.3, waterY - s * 0.2], [x - s * 0.03, waterY - s * 0.2]], mix(sail, '#000000', 0.08));
}

function drawDragon(p: Painter, x: number, y: number, s: number, colour: string, facing: number) {
  const body: Pt[] = Array.from({ length: 24 }, (_, i) => {
    const t = i / 23;
    return [x - facing * s * (t - 0.5) * 1.6, y + Math.sin(t * Math.PI * 2.2) * s * 0.15];
  });
  // wings first, behind the body
  const wx = x + facing * s * 0.1;
  const wing = (up: number, c: string) =>
    p.shape([[wx, y], [wx - facing * s * 0.15, y - up * s * 0.65], [wx - facing * s * 0.4, y - up * s * 0.5], [wx - facing * s * 0.55, y - up * s * 0.2], [wx - facing * s * 0.3, y]], c, { alpha: 0.92 });
  wing(1, mix(colour, '#000000', 0.25));
  for (let i = 0; i < body.length - 1; i++) {
    const t = i / (body.length - 1);
    p.line([body[i], body[i + 1]], colour, s * (0.16 * (1 - t) + 0.02));
  }
  wing(0.8, mix(colour, '#ffffff', 0.12));
  const [hx, hy] = body[0];
  p.shape([[hx, hy - s * 0.08], [hx + facing * s * 0.28, hy], [hx, hy + s * 0.08]], colour);
  p.shape([[hx - facing * s * 0.02, hy - s * 0.06], [hx - facing * s * 0.1, hy - s * 0.2], [hx + facing * s * 0.05, hy - s * 0.07]], mix(colour, '#000000', 0.3));
  p.ctx.fillStyle = rgba('#ffd34d', 1);
  p.ctx.beginPath();
  p.ctx.arc(hx + facing * s * 0.08, hy - s * 0.02, s * 0.022, 0, Math.PI * 2);
  p.ctx.fill();
}

function drawWeather(p: Painter, W: number, H: number, kind: 'rain' | 'snow') {
  const n = Math.round((kind === 'rain' ? 260 : 320) * p.detail * ((W * H) / (512 * 512)) ** 0.5 * 1.4);
  for (let i = 0; i < n; i++) {
    const x = p.r(-0.1, 1.1) * W;
    const y = p.r(0, H);
    if (kind === 'rain') {
      const l = p.S * p.r(0.02, 0.05);
      p.line([[x, y], [x - l * 0.25, y + l]], '#cfd8e6', p.S * 0.0016, 0.45);
    } else {
      p.ctx.fillStyle = rgba('#ffffff', p.r(0.55, 0.95));
      p.ctx.beginPath();
      p.ctx.arc(x, y, p.S * p.r(0.002, 0.006), 0, Math.PI * 2);
      p.ctx.fill();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Finishing: paper texture, vignette, label

/** A w×h canvas of seeded grey noise (drawn scaled up, canvas smoothing makes it value noise). */
function noiseCanvas(rng: () => number, w: number, h: number) {
  const c = createCanvas(w, h);
  const cx = c.getContext('2d');
  const img = cx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = Math.round(rng() * 255);
    img.data[i * 4] = v;
    img.data[i * 4 + 1] = v;
    img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  cx.putImageData(img, 0, 0);
  return c;
}

/** Paper and pigment texture, vignette. All native canvas compositing, so 2048² stays cheap. */
function finish(p: Painter, W: number, H: number) {
  const { ctx, style, rng } = p;
  if (style !== 'flat') {
    ctx.save();
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.globalCompositeOperation = 'overlay';
    // Large soft blotches: uneven pigment.
    ctx.globalAlpha = style === 'watercolor' ? 0.18 : 0.1;
    ctx.drawImage(noiseCanvas(rng, 7, 7), 0, 0, W, H);
    // Paper fibre, a few pixels across.
    ctx.globalAlpha = style === 'watercolor' ? 0.09 : 0.1;
    ctx.drawImage(noiseCanvas(rng, Math.max(8, Math.round(W / 5)), Math.max(8, Math.round(H / 5))), 0, 0, W, H);
    // Fine grain, tiled.
    ctx.globalAlpha = 0.07;
    const tile = noiseCanvas(rng, 128, 128);
    const pattern = ctx.createPattern(tile, 'repeat');
    if (pattern) {
      ctx.fillStyle = pattern;
      ctx.fillRect(0, 0, W, H);
    }
    ctx.restore();
    if (style === 'ink') {
      ctx.fillStyle = rgba(p.pal.paper, 0.18); // sepia paper shows through
      ctx.fillRect(0, 0, W, H);
    }
  }
  // Vignette
  const g = ctx.createRadialGradient(W / 2, H / 2, Math.min(W, H) * 0.35, W / 2, H / 2, Math.hypot(W, H) * 0.6);
  g.addColorStop(0, 'rgba(0,0,0,0)');
  g.addColorStop(1, `rgba(30,20,10,${style === 'flat' ? 0.12 : 0.28})`);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, W, H);
}

// 3×5 pixel glyphs for the corner label (no font files needed, identical on every machine).
const GLYPHS: Record<string, string[]> = {
  s: ['111', '100', '111', '001', '111'],
  k: ['101', '101', '110', '101', '101'],
  e: ['111', '100', '111', '100', '111'],
  t: ['111', '010', '010', '010', '010'],
  c: ['111', '100', '100', '100', '111'],
  h: ['101', '101', '111', '101', '101'],
};

function drawLabel(ctx: SKRSContext2D, W: number, H: number) {
  const text = 'sketch';
  const px = Math.max(1, Math.round(Math.min(W, H) / 256));
  const tw = text.length * 4 * px - px;
  const th = 5 * px;
  const pad = 2 * px;
  const x0 = W - tw - pad * 2 - 2 * px;
  const y0 = H - th - pad * 2 - 2 * px;
  ctx.fillStyle = 'rgba(255,255,255,0.55)';
  ctx.fillRect(x0, y0, tw + pad * 2, th + pad * 2);
  ctx.fillStyle = 'rgba(40,40,48,0.85)';
  [...text].forEach((ch, k) => {
    GLYPHS[ch].forEach((row, j) => {
      [...row].forEach((bit, i) => {
        if (bit === '1') ctx.fillRect(x0 + pad + (k * 4 + i) * px, y0 + pad + j * px, px, px);
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Composition

export interface SketchRender {
  png: Buffer;
  scene: SceneSpec;
}

export async function renderSketch(req: ImageRequest, signal?: AbortSignal): Promise<SketchRender> {
  const W = req.width;
  const H = req.height;
  const scene = describeScene(req.prompt, req.style);
  const rng = mulberry32(fnv1a(`${req.seed}|${req.prompt}|${W}x${H}|${scene.style}`) ^ (req.seed >>> 0));
  const detail = Math.max(0.4, Math.min(1.5, (Number.isFinite(req.steps) ? req.steps : 30) / 30));
  const mood = scene.mood;
  const pal: Palette = { ...PALETTES[mood], ...(scene.accent ? { accent: scene.accent } : {}) };
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  const S = Math.min(W, H);
  const p = new Painter(ctx, rng, scene.style, pal, S, detail);
  const has = (s: Subject) => scene.subjects.includes(s);
  const check = () => {
    if (signal?.aborted) throw new ProviderError('image generation cancelled', false);
  };

  const nightish = mood === 'night' || mood === 'dark';
  const snowy = has('snow') || mood === 'winter';
  const water = has('water') || has('boat') || has('fish') || has('lighthouse');
  const horizon = H * p.r(0.56, 0.66);
  const lit = nightish || mood === 'sunset';

  // Sky
  drawSky(p, W, H, horizon, mood);
  if (has('rain') || mood === 'dark') {
    ctx.fillStyle = rgba('#5a606c', has('rain') ? 0.35 : 0.15);
    ctx.fillRect(0, 0, W, horizon);
  }
  if (mood === 'night' || has('stars')) drawStars(p, W, horizon, has('stars'));
  const celestialX = W * (p.rng() < 0.5 ? p.r(0.15, 0.35) : p.r(0.65, 0.85));
  const celestialY =
    mood === 'sunset' || mood === 'dawn' ? horizon - S * p.r(0.06, 0.14) : H * p.r(0.14, 0.26);
  const wantsMoon = has('moon') || (nightish && !has('sun'));
  const wantsSun = !wantsMoon && !has('rain') && (has('sun') || mood !== 'dark');
  if (wantsMoon) drawMoon(p, celestialX, celestialY, S * 0.06);
  else if (wantsSun) drawSun(p, celestialX, celestialY, S * (mood === 'sunset' ? 0.09 : 0.07), mood);
  check();
  const clouds = has('cloud') ? 4 : has('rain') ? 6 : nightish ? 1 : 2;
  for (let i = 0; i < clouds; i++) {
    const cc = has('rain') || mood === 'dark' ? '#9aa1ad' : nightish ? '#6b7596' : mood === 'sunset' ? '#ffc9a8' : '#ffffff';
    drawCloud(p, p.r(0.05, 0.95) * W, p.r(0.08, 0.4) * horizon, S * p.r(0.25, 0.45), cc, nightish ? 0.5 : 0.8);
  }
  if (has('bird')) drawBirds(p, W * p.r(0.3, 0.7), horizon * p.r(0.3, 0.5), S * 0.18, 5 + Math.floor(p.r(0, 5)), nightish ? '#c8cce0' : p.pal.ink);
  if (has('dragon')) drawDragon(p, W * p.r(0.35, 0.65), horizon * p.r(0.3, 0.45), S * 0.26, scene.accent ?? (nightish ? '#6b3fa0' : '#b23a3a'), p.rng() < 0.5 ? -1 : 1);
  check();

  // Far landscape
  if (has('mountain')) drawMountains(p, W, horizon, snowy || p.rng() < 0.5, 3);
  else if (!has('city')) drawMountains(p, W, horizon, snowy, 1);
  if (has('city')) drawCity(p, W, horizon + S * 0.01, lit);
  check();

  // Ground / water. With water, land may still take one side as a shore for buildings.
  const shoreSide = p.rng() < 0.5 ? -1 : 1;
  const shoreX = shoreSide < 0 ? W * p.r(0.3, 0.42) : W * p.r(0.58, 0.7);
  const groundSubjects = (['house', 'castle', 'lighthouse', 'tree', 'forest', 'person', 'cat', 'dog', 'flower'] as Subject[]).filter(has);
  const needsShore = water && groundSubjects.length > 0;
  if (water) {
    drawWater(p, W, H, horizon, wantsSun || wantsMoon ? celestialX : undefined);
    if (needsShore) {
      const edge: Pt[] = [];
      for (let i = 0; i <= 20; i++) {
        const y = horizon + ((H - horizon) * i) / 20;
        // The shore widens towards the viewer, with a slightly ragged waterline.
        edge.push([shoreX + shoreSide * (i / 20) * S * 0.12 + p.r(-1, 1) * S * 0.008, y]);
      }
      const outer = shoreSide < 0 ? 0 : W;
      const top: Pt[] = [];
      const rise = S * p.r(0.03, 0.06);
      for (let i = 0; i <= 12; i++) {
        const t = i / 12; // 0 at the outer edge, 1 at the waterline
        top.push([outer + (shoreX - outer) * t, horizon - rise * Math.sin(Math.PI * (0.35 + 0.65 * t)) * (1 - t * 0.7) + p.r(-1, 1) * S * 0.004]);
      }
      const land: Pt[] = [...top, ...edge, [outer, H]];
      const landTop = snowy ? '#eef2f6' : mix(pal.ground, '#a08c62', 0.3);
      p.shape(land, landTop, { solid: true });
      const lg = ctx.createLinearGradient(0, horizon, 0, H);
      lg.addColorStop(0, rgba(landTop, 0));
      lg.addColorStop(1, rgba(snowy ? '#c9d4df' : pal.groundDark, 0.7));
      p.path(land);
      ctx.fillStyle = lg;
      ctx.fill();
      // rocks along the waterline, bigger nearer the viewer
      for (let i = 0; i < 7; i++) {
        const k = Math.floor(p.r(3, 20));
        const [ex, ey] = edge[k];
        const rr = S * (0.008 + 0.018 * (k / 20)) * p.r(0.7, 1.2);
        p.shape(ellipse(ex, ey, rr * 1.5, rr, 16, Math.PI, 2 * Math.PI), mix('#77706a', pal.far, 0.25));
      }
    }
  } else {
    drawGround(p, W, H, horizon, snowy);
  }
  check();

  // Place ground subjects in slots across the land (left→right), far ones first.
  const landFrom = needsShore ? (shoreSide < 0 ? W * 0.04 : shoreX + S * 0.04) : W * 0.06;
  const landTo = needsShore ? (shoreSide < 0 ? shoreX - S * 0.04 : W * 0.96) : W * 0.94;
  const slotX = (i: number, n: number) => landFrom + ((landTo - landFrom) * (i + 0.5)) / n + p.r(-0.25, 0.25) * ((landTo - landFrom) / n);
  const landBase = horizon + (H - horizon) * (needsShore ? 0.3 : 0.38);

  if (has('forest')) {
    const rows = 3;
    for (let r = 0; r < rows; r++) {
      const n = Math.round((10 + r * 4) * Math.max(0.5, detail) * ((landTo - landFrom) / W));
      const base = horizon + (landBase - horizon) * (0.15 + r * 0.35);
      for (let i = 0; i < n; i++) {
        const x = landFrom + ((landTo - landFrom) * (i + p.r(0, 1))) / n;
        drawTree(p, x, base + p.r(0, S * 0.01), S * (0.12 + r * 0.05) * p.r(0.8, 1.15), 'pine', snowy, 0.5 - r * 0.22);
      }
    }
  }

  const actors: Subject[] = groundSubjects.filter((s) => s !== 'forest' && s !== 'flower');
  if (!scene.subjects.length || (!actors.length && !has('forest') && !water && !has('city'))) actors.push('tree');
  if (has('tree') && !has('forest')) actors.push('tree'); // trees come in pairs
  const order = actors.map((a) => [a, p.rng()] as const).sort((a, b) => a[1] - b[1]).map(([a]) => a);
  order.forEach((subject, i) => {
    const x = slotX(i, order.length);
    const base = landBase + p.r(-0.02, 0.04) * S;
    switch (subject) {
      case 'house': drawHouse(p, x, base, S * p.r(0.16, 0.2), lit); break;
      case 'castle': drawCastle(p, x, base, S * p.r(0.26, 0.32), lit); break;
      case 'lighthouse': drawLighthouse(p, x, base, S * p.r(0.38, 0.46), nightish || mood === 'sunset'); break;
      case 'tree': drawTree(p, x, base, S * p.r(0.22, 0.32), snowy || p.rng() < 0.4 ? 'pine' : 'round', snowy); break;
      case 'person': drawPerson(p, x, base + S * 0.05, S * p.r(0.16, 0.2), pal.accent); break;
      case 'cat': drawCat(p, x, base + S * 0.08, S * 0.13, nightish ? '#2a2a33' : '#e08a3c'); break;
      case 'dog': drawDog(p, x, base + S * 0.08, S * 0.15, '#9a6a44'); break;
      default: break;
    }
  });
  check();

  if (water) {
    if (has('boat')) {
      const bx = needsShore ? (shoreSide < 0 ? p.r(shoreX + S * 0.15, W - S * 0.1) : p.r(S * 0.1, shoreX - S * 0.15)) : W * p.r(0.25, 0.75);
      drawBoat(p, bx, horizon + (H - horizon) * p.r(0.25, 0.45), S * p.r(0.18, 0.24), scene.accent ?? '#f4efe2');
    }
    if (has('fish')) {
      const fx = needsShore ? (shoreSide < 0 ? (shoreX + W) / 2 : shoreX / 2) : W * p.r(0.3, 0.7);
      const n = 3;
      for (let i = 0; i < n; i++) {
        drawFish(p, fx + p.r(-0.12, 0.12) * S, horizon + (H - horizon) * p.r(0.55, 0.9), S * p.r(0.07, 0.1), scene.accent ?? '#f08a4b', p.rng() < 0.5);
      }
    }
  }
  if (has('flower')) {
    const n = Math.round(14 * detail * (W / S));
    const colours = [pal.accent, '#e58fb0', '#f2f2f2', '#f2c14e', '#8a5cc4'];
    for (let i = 0; i < n; i++) {
      const x = needsShore ? p.r(landFrom, landTo) : p.r(0.02, 0.98) * W;
      drawFlower(p, x, H - p.r(0.01, 0.12) * (H - horizon), S * p.r(0.06, 0.11), colours[Math.floor(p.r(0, colours.length))]);
    }
  }
  if (has('rain')) drawWeather(p, W, H, 'rain');
  if (has('snow')) drawWeather(p, W, H, 'snow');
  check();

  finish(p, W, H);
  drawLabel(ctx, W, H);
  check();
  const png = await canvas.encode('png', {
    software: `CreativeFlow ${SKETCH_MODEL}`,
    description: `Procedural sketch (not AI-generated) for prompt: ${req.prompt.slice(0, 200)}`,
  });
  return { png, scene };
}

export function createSketchImageProvider(): ImageProvider {
  return {
    id: 'local',
    async generate(request: ImageRequest, { signal }): Promise<ImageResult> {
      if (signal.aborted) throw new ProviderError('image generation cancelled', false);
      for (const [k, v] of [['width', request.width], ['height', request.height]] as const) {
        if (!Number.isInteger(v) || v < 64 || v > 2048) {
          throw new ProviderError(`sketch: ${k} must be an integer in 64..2048 (got ${v})`, false, 400);
        }
      }
      const { png } = await renderSketch(request, signal);
      return { png, width: request.width, height: request.height, model: SKETCH_MODEL, aiService: SKETCH_SERVICE };
    },
  };
}
