import { describe, expect, it } from 'vitest';
import { cacheKeysOf, cachePolicyOf, hash128, stableJson } from './cacheKey';
import type { Graph, GraphNode } from './graph';

const edge = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({
  id: `${source}-${target}`,
  source,
  sourceHandle,
  target,
  targetHandle,
});
const graph = (storyParams: Record<string, unknown> = { words: 40, seed: 7 }): Graph => ({
  schemaVersion: 1,
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'story', type: 'story', params: storyParams },
    { id: 'voice', type: 'narration', params: { speed: 1 } },
    { id: 'cover', type: 'illustration', params: { seed: 3 } },
  ] as GraphNode[],
  edges: [edge('topic', 'value', 'story', 'prompt'), edge('story', 'text', 'voice', 'text'), edge('story', 'text', 'cover', 'prompt')],
});

describe('cache keys', () => {
  it('are the same for the same graph and inputs, whatever the order of params, nodes or edges', () => {
    const a = cacheKeysOf(graph({ words: 40, seed: 7 }), { topic: 'a lighthouse' });
    const shuffled = graph({ seed: 7, words: 40 });
    shuffled.nodes.reverse();
    shuffled.edges.reverse();
    expect(cacheKeysOf(shuffled, { topic: 'a lighthouse' })).toEqual(a);
    expect(a.get('story')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('change for a node whose params changed and for everything downstream of it, not for the rest', () => {
    const before = cacheKeysOf(graph(), { topic: 'a lighthouse' });
    const after = cacheKeysOf(graph({ words: 60, seed: 7 }), { topic: 'a lighthouse' });
    expect(after.get('topic')).toBe(before.get('topic'));
    for (const id of ['story', 'voice', 'cover']) expect(after.get(id)).not.toBe(before.get(id));
  });

  it('change with an input value, and ignore the cache choice itself', () => {
    const before = cacheKeysOf(graph(), { topic: 'a lighthouse' });
    const otherTopic = cacheKeysOf(graph(), { topic: 'a harbour' });
    expect(otherTopic.get('topic')).not.toBe(before.get('topic'));
    expect(otherTopic.get('cover')).not.toBe(before.get('cover'));
    expect(cacheKeysOf(graph({ words: 40, seed: 7, cache: '1h' }), { topic: 'a lighthouse' })).toEqual(before);
  });

  it('tell apart which handle an input arrives on', () => {
    const g = graph();
    const moved = { ...g, edges: g.edges.map((e) => (e.target === 'cover' ? { ...e, targetHandle: 'style' } : e)) };
    expect(cacheKeysOf(moved, { topic: 'x' }).get('cover')).not.toBe(cacheKeysOf(g, { topic: 'x' }).get('cover'));
  });
});

describe('cache policy', () => {
  const node = (params: Record<string, unknown>) => ({ id: 'n', type: 'story', params }) as GraphNode;
  it('auto reuses only a node with a fixed seed; off never; 1h and 1d for that long; always at any age', () => {
    expect(cachePolicyOf(node({ seed: 7 }))).toEqual({});
    expect(cachePolicyOf(node({}))).toBeNull();
    expect(cachePolicyOf(node({ seed: 7, cache: 'off' }))).toBeNull();
    expect(cachePolicyOf(node({ cache: '1h' }))).toEqual({ maxAgeMs: 3_600_000 });
    expect(cachePolicyOf(node({ cache: '1d' }))).toEqual({ maxAgeMs: 86_400_000 });
    expect(cachePolicyOf(node({ cache: 'always' }))).toEqual({});
  });
});

describe('hash128 and stableJson', () => {
  it('sort keys at every level and drop undefined; hash different texts differently', () => {
    expect(stableJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2}]},"b":1}');
    expect(hash128('a')).not.toBe(hash128('b'));
    expect(hash128('')).toMatch(/^[0-9a-f]{32}$/);
    expect(hash128('the same text')).toBe(hash128('the same text'));
  });
});
