import { describe, expect, it } from 'vitest';
import { GRAPH_SCHEMA_VERSION, type Graph, type NodeState } from '../../workflows/pipeline';
import { planItemReuse, planRerun, type ParentRun } from './rerunPlan';

const edge = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({
  source,
  sourceHandle,
  target,
  targetHandle,
});
/** topic → prompt (template) → story → publish, and a second input `mood` into the prompt. */
const graph: Graph = {
  schemaVersion: GRAPH_SCHEMA_VERSION,
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'mood', type: 'input', params: { name: 'mood', default: 'calm' } },
    { id: 'prompt', type: 'template', params: { template: '{{topic}} {{mood}}' } },
    { id: 'story', type: 'story', params: { words: 50 } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [
    edge('topic', 'value', 'prompt', 'topic'),
    edge('mood', 'value', 'prompt', 'mood'),
    edge('prompt', 'text', 'story', 'prompt'),
    edge('story', 'text', 'publish', 'file'),
  ],
};
const done = (output: Record<string, unknown>, cached: NodeState['cached'] = null): NodeState => ({
  status: 'succeeded',
  attempts: 1,
  startedAt: null,
  finishedAt: null,
  output,
  error: null,
  cached,
});
const parent: ParentRun = {
  id: 'parent',
  graph,
  inputs: { topic: 'otters' },
  nodes: {
    topic: done({ value: 'otters' }),
    mood: done({ value: 'calm' }),
    prompt: done({ text: 'otters calm' }),
    story: done({ text: 'Once…' }),
    publish: { ...done({}), status: 'failed', output: null, error: 'disk full' },
  },
  costs: { story: 0.002 },
};
const reused = (plan: Record<string, unknown>) => Object.keys(plan).sort();

describe('planRerun', () => {
  it('reuses everything upstream of the chosen node, crediting what each cost', () => {
    const plan = planRerun(graph, parent.inputs, parent, { fromNodeId: 'story' });
    expect(reused(plan)).toEqual(['mood', 'prompt', 'topic']);
    expect(planRerun(graph, parent.inputs, parent, { fromNodeId: 'publish' }).story).toEqual({
      output: { text: 'Once…' },
      fromRunId: 'parent',
      savedUsd: 0.002,
    });
  });

  it('with onlyFailed, reruns only the nodes that did not succeed', () => {
    expect(reused(planRerun(graph, parent.inputs, parent, { onlyFailed: true }))).toEqual(['mood', 'prompt', 'story', 'topic']);
  });

  it('recomputes an input whose value changed (a default given explicitly is no change) and what reads it', () => {
    expect(reused(planRerun(graph, { topic: 'otters', mood: 'calm' }, parent, { fromNodeId: 'publish' }))).toHaveLength(4);
    expect(reused(planRerun(graph, { topic: 'otters', mood: 'stormy' }, parent, { fromNodeId: 'publish' }))).toEqual(['topic']);
  });

  it('recomputes a node whose params or incoming edges changed in the current version, and everything downstream', () => {
    const retuned = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'prompt' ? { ...n, params: { template: '{{topic}}!' } } : n)) };
    expect(reused(planRerun(retuned, parent.inputs, parent, { fromNodeId: 'publish' }))).toEqual(['mood', 'topic']);
    const rewired = { ...graph, edges: graph.edges.filter((e) => e.source !== 'mood') };
    expect(reused(planRerun(rewired, parent.inputs, parent, { fromNodeId: 'publish' }))).toEqual(['mood', 'topic']);
    const added = { ...graph, nodes: [...graph.nodes, { id: 'extra', type: 'input', params: { name: 'extra', required: false } }] };
    expect(planRerun(added, parent.inputs, parent, { fromNodeId: 'publish' }).extra).toBeUndefined();
  });

  it('credits a reused output to the run that computed it, with what it cost there', () => {
    const grandchild = { ...parent, nodes: { ...parent.nodes, story: done({ text: 'Once…' }, { fromRunId: 'first', savedUsd: 0.003 }) } };
    expect(planRerun(graph, parent.inputs, grandchild, { fromNodeId: 'publish' }).story).toMatchObject({
      fromRunId: 'first',
      savedUsd: 0.005,
    });
  });
});

describe('planItemReuse', () => {
  /** topic → lines (split) → art (illustration, fanned out over the lines). */
  const fanOut: Graph = {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [
      { id: 'topic', type: 'input', params: { name: 'topic' } },
      { id: 'lines', type: 'split', params: { by: 'lines', maxItems: 5 } },
      { id: 'art', type: 'illustration', params: { provider: 'stability' } },
    ],
    edges: [edge('topic', 'value', 'lines', 'text'), edge('lines', 'items', 'art', 'prompt')],
  };
  const partly: ParentRun = {
    id: 'parent',
    graph: fanOut,
    inputs: { topic: 'a\nb\nc' },
    nodes: {
      topic: done({ value: 'a\nb\nc' }),
      lines: done({ items: ['a', 'b', 'c'] }),
      art: { ...done({ image: ['ref-a', null, 'ref-c'] }), status: 'failed', error: 'refused' },
    },
    costs: { art: 0.02 },
  };
  const plan = (current: Graph, inputs: ParentRun['inputs'], choice: Parameters<typeof planRerun>[3]) =>
    planItemReuse(current, inputs, partly, choice, planRerun(current, inputs, partly, choice));

  it('seeds the items a failed fan-out made, null where one failed, when retrying what failed', () => {
    expect(plan(fanOut, partly.inputs, { onlyFailed: true })).toEqual({ art: [{ image: 'ref-a' }, null, { image: 'ref-c' }] });
  });

  it('seeds none when running from the node, when its items changed upstream, or when the node itself changed', () => {
    expect(plan(fanOut, partly.inputs, { onlyFailed: true, fromNodeId: 'art' })).toEqual({});
    expect(plan(fanOut, partly.inputs, { fromNodeId: 'art' })).toEqual({});
    expect(plan(fanOut, { topic: 'x\ny\nz' }, { onlyFailed: true })).toEqual({});
    const changed = { ...fanOut, nodes: fanOut.nodes.map((n) => (n.id === 'art' ? { ...n, params: { provider: 'openai' } } : n)) };
    expect(plan(changed, partly.inputs, { onlyFailed: true })).toEqual({});
  });
});
