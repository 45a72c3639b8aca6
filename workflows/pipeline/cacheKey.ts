import type { Graph, GraphNode, RunInputs } from './graph';

/** How long a node's earlier output may be reused: `auto` reuses only what is reproducible (a fixed seed). */
export const CACHE_CHOICES = ['auto', 'off', '1h', '1d', 'always'] as const;
export type CacheChoice = (typeof CACHE_CHOICES)[number];

/** Whether a node's output is looked up and kept, and for how long an entry stays good (none: forever). */
export type CachePolicy = { maxAgeMs?: number } | null;

const HOUR_MS = 3_600_000;

/** A node's cache policy from its `cache` param (absent: auto). The caller decides which node types can be cached at all. */
export function cachePolicyOf(node: GraphNode): CachePolicy {
  const choice = (node.params.cache ?? 'auto') as CacheChoice;
  switch (choice) {
    case 'off':
      return null;
    case '1h':
      return { maxAgeMs: HOUR_MS };
    case '1d':
      return { maxAgeMs: 24 * HOUR_MS };
    case 'always':
      return {};
    default:
      return typeof node.params.seed === 'number' ? {} : null;
  }
}

/**
 * Each node's cache key: a hash of its type, its params (the cache choice aside: it says how long to keep an output,
 * not what the output is) and its inputs' keys, an input node's being its value. Pure and deterministic, so the
 * workflow computes it; the same node with the same upstream in any run of any pipeline gets the same key.
 */
export function cacheKeysOf(graph: Graph, inputs: RunInputs): Map<string, string> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const keys = new Map<string, string>();
  const keyOf = (node: GraphNode): string => {
    const known = keys.get(node.id);
    if (known !== undefined) return known;
    keys.set(node.id, ''); // graphs are acyclic; this only guards the recursion
    const { cache: _choice, ...params } = node.params;
    const upstream = graph.edges
      .filter((e) => e.target === node.id)
      .map((e) => `${e.targetHandle}<-${keyOf(byId.get(e.source)!)}.${e.sourceHandle}`)
      .sort();
    const value = node.type === 'input' ? inputValueOf(node, inputs) : undefined;
    const key = hash128(stableJson({ v: 1, type: node.type, params, upstream, value }));
    keys.set(node.id, key);
    return key;
  };
  for (const node of graph.nodes) keyOf(node);
  return keys;
}

function inputValueOf(node: GraphNode, inputs: RunInputs): unknown {
  const name = String(node.params.name);
  return Object.hasOwn(inputs, name) ? inputs[name] : (node.params.default ?? null);
}

/** JSON with object keys sorted at every level, so equal values always give the same text. */
export function stableJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

/** cyrb128: a fast, well-mixed 128-bit (non-cryptographic) hash, as 32 hex digits. Plain JS, safe in a workflow. */
export function hash128(text: string): string {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1, h2, h3, h4].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}
