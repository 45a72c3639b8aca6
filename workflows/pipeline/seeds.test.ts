import { describe, expect, it } from 'vitest';
import type { Graph } from './graph';
import { takesSeed, withSeed } from './seeds';

const graph: Graph = {
  schemaVersion: 1,
  nodes: [
    { id: 'topic', type: 'input', position: { x: 0, y: 0 }, params: { name: 'topic', kind: 'text', required: true } },
    { id: 'story', type: 'story', position: { x: 0, y: 0 }, params: { words: 50, seed: 1 } },
    { id: 'picture', type: 'illustration', position: { x: 0, y: 0 }, params: {} },
  ],
  edges: [],
} as unknown as Graph;

describe('seeded variations', () => {
  it('knows which node types take a seed', () => {
    expect(takesSeed('story')).toBe(true);
    expect(takesSeed('llm')).toBe(true);
    expect(takesSeed('illustration')).toBe(true);
    expect(takesSeed('input')).toBe(false);
    expect(takesSeed('narration')).toBe(false);
    expect(takesSeed('no-such-type')).toBe(false);
  });

  it('sets the seed on every node that takes one and leaves the rest and the original alone', () => {
    const seeded = withSeed(graph, 42);
    expect(seeded.nodes.map((n) => n.params.seed)).toEqual([undefined, 42, 42]);
    expect(seeded.nodes[1].params.words).toBe(50);
    expect(graph.nodes[1].params.seed).toBe(1);
    expect(seeded.nodes[0]).toBe(graph.nodes[0]);
  });
});
