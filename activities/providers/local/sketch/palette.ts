/** Colours: hex arithmetic and the palette each mood paints with. */
import type { Mood } from './spec';

type RGB = [number, number, number];
const hex = (h: string): RGB => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as RGB;
const toHex = (c: RGB) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

export const mix = (a: string, b: string, t: number): string => {
  const x = hex(a);
  const y = hex(b);
  return `#${x
    .map((v, i) =>
      Math.round(v + (y[i] - v) * t)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
};

export const rgba = (h: string, a: number) => {
  const [r, g, b] = hex(h);
  return `rgba(${r},${g},${b},${a.toFixed(3)})`;
};

/** The colour pushed away from its own grey by `amount` (0 leaves it, 1 doubles its saturation). */
export const vivid = (h: string, amount: number): string => {
  const c = hex(h);
  const grey = (c[0] + c[1] + c[2]) / 3;
  return toHex(c.map((v) => Math.min(255, Math.max(0, grey + (v - grey) * (1 + amount)))) as RGB);
};

export interface Palette {
  skyTop: string;
  skyBottom: string;
  glow: string;
  far: string;
  mid: string;
  ground: string;
  groundDark: string;
  water: string;
  light: string;
  ink: string;
  paper: string;
  windows: string;
  foliage: string;
  accent: string;
}

export const PALETTES: Record<Mood, Palette> = {
  day: {
    skyTop: '#6aa6da',
    skyBottom: '#d7ebf5',
    glow: '#fff6d5',
    far: '#9db4cc',
    mid: '#7b9d83',
    ground: '#86b46a',
    groundDark: '#5c8a4a',
    water: '#4f8fbf',
    light: '#fff2a8',
    ink: '#2b2d42',
    paper: '#f7f1e3',
    windows: '#f5e6a8',
    foliage: '#4f8a45',
    accent: '#d1495b',
  },
  happy: {
    skyTop: '#4ea3e8',
    skyBottom: '#bfe6ff',
    glow: '#fff3b8',
    far: '#8fb7dd',
    mid: '#6fbf73',
    ground: '#8fd16a',
    groundDark: '#5fae4a',
    water: '#3d9bd6',
    light: '#ffe066',
    ink: '#2b2d42',
    paper: '#fbf6e9',
    windows: '#ffe9a0',
    foliage: '#49a84a',
    accent: '#f25f5c',
  },
  dawn: {
    skyTop: '#7d8fc7',
    skyBottom: '#f7c6a5',
    glow: '#ffe3b3',
    far: '#a99ab8',
    mid: '#8a9a8c',
    ground: '#8fae7a',
    groundDark: '#66855a',
    water: '#8aa3c8',
    light: '#ffd9a0',
    ink: '#33304a',
    paper: '#f8efe4',
    windows: '#ffe0a0',
    foliage: '#5a8356',
    accent: '#e07a5f',
  },
  sunset: {
    skyTop: '#3b2d6b',
    skyBottom: '#ff9a5c',
    glow: '#ffd27a',
    far: '#8a4f78',
    mid: '#5d3f63',
    ground: '#4b3b4f',
    groundDark: '#2f2535',
    water: '#5a4a80',
    light: '#ffcf66',
    ink: '#231a2e',
    paper: '#f6e8da',
    windows: '#ffcf70',
    foliage: '#3d3048',
    accent: '#ff6b4a',
  },
  night: {
    skyTop: '#070b24',
    skyBottom: '#27386b',
    glow: '#c9d6ff',
    far: '#28335c',
    mid: '#1d2846',
    ground: '#17233a',
    groundDark: '#0e1628',
    water: '#142447',
    light: '#f3efd7',
    ink: '#0b0d1a',
    paper: '#e9e6dc',
    windows: '#ffd66e',
    foliage: '#152238',
    accent: '#8fb3ff',
  },
  winter: {
    skyTop: '#9fb9d6',
    skyBottom: '#edf3f8',
    glow: '#ffffff',
    far: '#b9c8da',
    mid: '#9fb0c2',
    ground: '#f3f6f9',
    groundDark: '#cfd9e3',
    water: '#7c9cb8',
    light: '#fff8e0',
    ink: '#2c3440',
    paper: '#f5f6f4',
    windows: '#ffd98a',
    foliage: '#3e5e55',
    accent: '#c0392b',
  },
  dark: {
    skyTop: '#15161c',
    skyBottom: '#4b4f5c',
    glow: '#9aa0ad',
    far: '#3a3d48',
    mid: '#2c2e36',
    ground: '#262830',
    groundDark: '#17181d',
    water: '#2b3340',
    light: '#d9d4c0',
    ink: '#0d0d10',
    paper: '#dcd8cf',
    windows: '#e8c06a',
    foliage: '#1f2620',
    accent: '#8b1e2d',
  },
};
