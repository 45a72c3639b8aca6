import { describe, expect, it } from 'vitest';
import { graphChanges } from './diff';
import type { Graph } from './graph';

const base: Graph = {
  schemaVersion: 1,
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' }, position: { x: 0, y: 0 } },
    { id: 'story', type: 'story', params: { words: 200 }, position: { x: 200, y: 0 } },
    { id: 'save', type: 'upload', params: {}, position: { x: 400, y: 0 } },
  ],
  edges: [
    { source: 'topic', sourceHandle: 'value', target: 'story', targetHandle: 'prompt' },
    { source: 'story', sourceHandle: 'text', target: 'save', targetHandle: 'file' },
  ],
};
const edit = (change: (g: Graph) => void): Graph => {
  const copy = structuredClone(base);
  change(copy);
  return copy;
};

describe('graphChanges', () => {
  it('reports every node of the first version as added', () => {
    expect(graphChanges(undefined, base)).toEqual({ added: ['topic', 'story', 'save'], removed: [], changed: [], moved: [] });
  });

  it('reports nothing between equal graphs, whatever the order of their params keys', () => {
    const reordered = edit((g) => (g.nodes[1].params = { words: 200 }));
    expect(graphChanges(base, reordered)).toEqual({ added: [], removed: [], changed: [], moved: [] });
  });

  it('tells added, removed, changed and moved nodes apart', () => {
    const next = edit((g) => {
      g.nodes[1].params = { words: 350 };
      g.nodes[0].position = { x: 10, y: 40 };
      g.nodes = g.nodes.filter((n) => n.id !== 'save');
      g.nodes.push({ id: 'voice', type: 'narration', params: {} });
      g.edges = [g.edges[0], { source: 'story', sourceHandle: 'text', target: 'voice', targetHandle: 'text' }];
    });
    expect(graphChanges(base, next)).toEqual({ added: ['voice'], removed: ['save'], changed: ['story'], moved: ['topic'] });
  });

  it('counts a new type, a new label or rewired inputs as a change of that node', () => {
    expect(
      graphChanges(
        base,
        edit((g) => (g.nodes[2].type = 'delay')),
      ).changed,
    ).toEqual(['save']);
    expect(
      graphChanges(
        base,
        edit((g) => (g.nodes[1].label = 'The story')),
      ).changed,
    ).toEqual(['story']);
    const rewired = edit((g) => (g.edges[1] = { source: 'topic', sourceHandle: 'value', target: 'save', targetHandle: 'file' }));
    expect(graphChanges(base, rewired).changed).toEqual(['save']);
  });
});
