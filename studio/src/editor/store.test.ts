import { describe, expect, it } from 'vitest';
import { GRAPH_SCHEMA_VERSION, kindsConnect, validateGraph } from '../../../workflows/pipeline';
import { editableGraph } from '../core/editableGraph';
import { nodeCatalogResponse } from '../../../api/routes/nodes';
import { enumApplies } from './ParamsForm';
import { createEditorStore, projectDefaultsFor } from './store';

const chain = {
  schemaVersion: 1 as const,
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' }, position: { x: 0, y: 0 } },
    { id: 'text', type: 'template', params: { template: 'About {{topic}}' }, position: { x: 200, y: 0 } },
    { id: 'publish', type: 'upload', params: {}, position: { x: 400, y: 0 } },
  ],
  edges: [
    { source: 'topic', sourceHandle: 'value', target: 'text', targetHandle: 'topic' },
    { source: 'text', sourceHandle: 'text', target: 'publish', targetHandle: 'file' },
  ],
};

function fresh() {
  const store = createEditorStore();
  store.getState().load(chain);
  return store;
}

describe('editor store: graph edits', () => {
  it('round-trips a graph that the shared validator accepts', () => {
    const g = fresh().getState().toGraph();
    expect(g.nodes.map((n) => n.id)).toEqual(['topic', 'text', 'publish']);
    expect(g.edges[0].id).toBe('topic.value->text.topic');
    expect(validateGraph(g).problems).toEqual([]);
  });

  it('adds nodes with unique ids and unique pipeline input names', () => {
    const s = fresh();
    const a = s.getState().addNode('input', { x: 1, y: 2 });
    const b = s.getState().addNode('input', { x: 1, y: 2 });
    expect([a, b]).toEqual(['input', 'input-2']);
    const names = s
      .getState()
      .nodes.filter((n) => n.data.nodeType === 'input')
      .map((n) => n.data.params.name);
    expect(new Set(names).size).toBe(names.length);
    expect(s.getState().nodes.find((n) => n.id === b)!.selected).toBe(true);
  });

  it('deletes the selection with its edges, and changing params bumps the revision', () => {
    const s = fresh();
    s.getState().selectOnly('text');
    s.getState().deleteSelected();
    expect(s.getState().nodes.map((n) => n.id)).toEqual(['topic', 'publish']);
    expect(s.getState().edges).toEqual([]);
    const rev = s.getState().revision;
    s.getState().updateParams('publish', { key: 'x/{{run}}' });
    expect(s.getState().revision).toBe(rev + 1);
    expect(s.getState().nodes[1].data.params.key).toBe('x/{{run}}');
  });

  it('copies and pastes the selection with new ids and internal edges', () => {
    const s = fresh();
    s.getState().onNodesChange([
      { type: 'select', id: 'topic', selected: true },
      { type: 'select', id: 'text', selected: true },
    ]);
    s.getState().copy();
    s.getState().paste();
    const ids = s.getState().nodes.map((n) => n.id);
    expect(ids).toEqual(['topic', 'text', 'publish', 'topic-2', 'text-2']);
    expect(s.getState().edges.map((e) => e.id)).toContain('topic-2.value->text-2.topic');
    expect(s.getState().nodes.find((n) => n.id === 'topic-2')!.data.params.name).not.toBe('topic');
    expect(
      validateGraph({ ...s.getState().toGraph(), edges: s.getState().toGraph().edges }).problems.filter((p) =>
        /already defined|Duplicate/.test(p.message),
      ),
    ).toEqual([]);
  });
});

describe('editor store: paste lands beside the original', () => {
  const overlaps = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < 230 && Math.abs(a.y - b.y) < 120;

  it('puts a pasted node to the right of the copied one, on no other node', () => {
    const s = fresh();
    s.getState().selectOnly('publish');
    s.getState().copy();
    s.getState().paste();
    const pos = (id: string) => s.getState().nodes.find((n) => n.id === id)!.position;
    expect(pos('publish-2').y).toBe(pos('publish').y);
    expect(pos('publish-2').x).toBeGreaterThanOrEqual(pos('publish').x + 230);
    for (const id of ['topic', 'text', 'publish']) expect(overlaps(pos('publish-2'), pos(id))).toBe(false);
  });

  it('goes past its neighbours and past earlier copies when pasting again', () => {
    const s = fresh();
    s.getState().selectOnly('topic'); // at x 0, with `text` at x 200 right beside it
    s.getState().copy();
    s.getState().paste();
    s.getState().paste();
    const nodes = s.getState().nodes;
    expect(nodes.map((n) => n.id)).toEqual(['topic', 'text', 'publish', 'topic-2', 'topic-3']);
    for (const copy of nodes.slice(3))
      for (const other of nodes)
        if (other !== copy) expect(overlaps(copy.position, other.position), `${copy.id} on ${other.id}`).toBe(false);
  });

  it('measures the copied group by the sizes React Flow reported', () => {
    const s = fresh();
    s.getState().onNodesChange([{ type: 'dimensions', id: 'publish', dimensions: { width: 500, height: 300 }, setAttributes: true }]);
    s.getState().selectOnly('publish');
    s.getState().copy();
    s.getState().paste();
    expect(s.getState().nodes.find((n) => n.id === 'publish-2')!.position.x).toBe(400 + 500 + 40);
  });
});

describe('editor store: undo/redo', () => {
  it('undoes and redoes adds, deletes and connections in order', () => {
    const s = fresh();
    s.getState().addNode('delay', { x: 0, y: 300 });
    s.getState().selectOnly('publish');
    s.getState().deleteSelected();
    expect(s.getState().nodes.map((n) => n.id)).toEqual(['topic', 'text', 'delay']);
    s.getState().undo();
    expect(s.getState().nodes.map((n) => n.id)).toEqual(['topic', 'text', 'publish', 'delay']);
    expect(s.getState().edges).toHaveLength(2);
    s.getState().undo();
    expect(s.getState().nodes.map((n) => n.id)).toEqual(['topic', 'text', 'publish']);
    s.getState().undo(); // nothing more
    s.getState().redo();
    s.getState().redo();
    expect(s.getState().nodes.map((n) => n.id)).toEqual(['topic', 'text', 'delay']);
  });

  it('merges quick typing into one step and makes a drag one step', () => {
    const s = fresh();
    s.getState().updateParams('text', { template: 'A' });
    s.getState().updateParams('text', { template: 'AB' });
    s.getState().updateParams('text', { template: 'ABC' });
    s.getState().onNodesChange([{ type: 'position', id: 'topic', position: { x: 5, y: 5 }, dragging: true }]);
    s.getState().onNodesChange([{ type: 'position', id: 'topic', position: { x: 50, y: 50 }, dragging: true }]);
    s.getState().onNodesChange([{ type: 'position', id: 'topic', position: { x: 90, y: 90 }, dragging: false }]);
    expect(s.getState().past).toHaveLength(2);
    s.getState().undo();
    expect(s.getState().nodes[0].position).toEqual({ x: 0, y: 0 });
    expect(s.getState().nodes[1].data.params.template).toBe('ABC');
    s.getState().undo();
    expect(s.getState().nodes[1].data.params.template).toBe('About {{topic}}');
  });

  it('a new edit clears the redo stack', () => {
    const s = fresh();
    s.getState().addNode('delay', { x: 0, y: 0 });
    s.getState().undo();
    expect(s.getState().future).toHaveLength(1);
    s.getState().addNode('upload', { x: 0, y: 0 });
    expect(s.getState().future).toHaveLength(0);
  });
});

describe('editor store: connection validation', () => {
  it('refuses kind mismatches with the reason, using the shared kind rule', () => {
    const s = fresh();
    const data = s.getState().addNode('input', { x: 0, y: 0 }, { name: 'data', kind: 'json' });
    const template = s.getState().addNode('template', { x: 0, y: 0 }, { template: '{{x}}' });
    const narration = s.getState().addNode('narration', { x: 0, y: 0 });
    const picture = s.getState().addNode('illustration', { x: 0, y: 0 });
    const join = s.getState().addNode('join', { x: 0, y: 0 });
    // json into a text port, and an image into a text list: both refused, naming the two kinds.
    expect(kindsConnect('json', 'text')).toBe(false);
    expect(s.getState().checkConnection({ source: data, sourceHandle: 'value', target: narration, targetHandle: 'text' })).toBe(
      `Port types don't match: ${data}.value gives json but ${narration}.text takes text`,
    );
    expect(kindsConnect('image', 'text[]')).toBe(false);
    expect(s.getState().checkConnection({ source: picture, sourceHandle: 'image', target: join, targetHandle: 'items' })).toMatch(
      /gives image but .*items takes text\[\]/,
    );
    expect(s.getState().connect({ source: data, sourceHandle: 'value', target: narration, targetHandle: 'text' })).toBe(false);
    expect(s.getState().edges.some((e) => e.target === narration)).toBe(false);
    // json into a template's `any` port is fine
    expect(s.getState().checkConnection({ source: data, sourceHandle: 'value', target: template, targetHandle: 'x' })).toBeNull();
    // an input that is already connected
    expect(s.getState().checkConnection({ source: data, sourceHandle: 'value', target: 'text', targetHandle: 'topic' })).toMatch(
      /already connected/,
    );
  });

  it('refuses self-loops, cycles, unknown handles; connect() records the refusal', () => {
    const s = fresh();
    expect(s.getState().checkConnection({ source: 'text', sourceHandle: 'text', target: 'text', targetHandle: 'topic' })).toMatch(/itself/);
    s.getState().addNode('template', { x: 0, y: 0 }, { template: '{{a}}' });
    s.getState().connect({ source: 'text', sourceHandle: 'text', target: 'template', targetHandle: 'a' });
    s.getState().updateParams('text', { template: '{{topic}} {{b}}' });
    expect(s.getState().connect({ source: 'template', sourceHandle: 'text', target: 'text', targetHandle: 'b' })).toBe(false);
    expect(s.getState().refusal?.message).toMatch(/cycle/);
    expect(s.getState().checkConnection({ source: 'topic', sourceHandle: 'nope', target: 'template', targetHandle: 'a' })).toMatch(
      /no output/,
    );
  });

  it('refuses text into an image-only port, with the reason naming both kinds', () => {
    expect(kindsConnect('text', 'image')).toBe(false);
    const s = fresh();
    s.getState().addNode('illustration', { x: 0, y: 0 });
    s.getState().addNode('narration', { x: 0, y: 0 });
    const reason = s
      .getState()
      .checkConnection({ source: 'illustration', sourceHandle: 'image', target: 'narration', targetHandle: 'text' });
    expect(reason).toMatch(/gives image but narration\.text takes text/);
  });

  it('maps server problems onto nodes and edges', () => {
    const s = fresh();
    s.getState().setProblems([
      { nodeId: 'publish', message: 'bad key' },
      { edgeId: 'topic.value->text.topic', message: 'mismatch' },
      { message: 'general' },
    ]);
    expect(s.getState().problems.nodes.publish).toEqual(['bad key']);
    expect(s.getState().problems.edges['topic.value->text.topic']).toEqual(['mismatch']);
    expect(s.getState().problems.general).toEqual(['general']);
  });
});

describe('editor store: drafts', () => {
  const halfBuilt = {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [
      { id: 'topic', type: 'input', params: { name: 'topic' }, position: { x: 0, y: 0 } },
      { id: 'odd', type: 'teleport', params: { to: 'mars' }, position: { x: 10, y: 20 }, label: 'Beam me up' },
      { id: 'publish', type: 'upload', params: {}, position: { x: 300, y: 0 } },
    ],
    edges: [{ id: 'gone', source: 'topic', sourceHandle: 'value', target: 'nowhere', targetHandle: 'in' }],
  };

  it('loads a draft the studio saved, problems and all, and saves it back unchanged with the current schema version', () => {
    const s = createEditorStore();
    s.getState().load(editableGraph(JSON.parse(JSON.stringify(halfBuilt))));
    expect(s.getState().toGraph()).toEqual(halfBuilt);
    expect(s.getState().toGraph().schemaVersion).toBe(GRAPH_SCHEMA_VERSION);
  });

  it('draws what it can of a draft that is not a graph, without throwing', () => {
    expect(editableGraph(null)).toEqual({ schemaVersion: GRAPH_SCHEMA_VERSION, nodes: [], edges: [] });
    expect(editableGraph({ nodes: 'many', edges: {} })).toEqual({ schemaVersion: GRAPH_SCHEMA_VERSION, nodes: [], edges: [] });
    const salvaged = editableGraph({
      nodes: [{ id: 'a', type: 'delay', params: [1], position: { x: 'left' } }, { id: 'a', type: 'upload' }, { type: 'input' }, 7],
      edges: [{ source: 'a', sourceHandle: 'out', target: 'b', targetHandle: 'in' }, { source: 'a' }],
    });
    expect(salvaged.nodes).toEqual([{ id: 'a', type: 'delay', params: {} }]);
    expect(salvaged.edges).toEqual([{ source: 'a', sourceHandle: 'out', target: 'b', targetHandle: 'in' }]);
    const s = createEditorStore();
    s.getState().load(salvaged);
    expect(s.getState().nodes).toHaveLength(1);
  });
});

describe('editor store: project defaults', () => {
  it("gives new nodes the project's provider, voice and style where the node has that param and allows the value", () => {
    const s = createEditorStore();
    s.getState().setCatalog(nodeCatalogResponse());
    s.getState().setProjectDefaults({ provider: 'openai', voice: 'alloy', style: 'ink' });
    const params = (id: string) => s.getState().nodes.find((n) => n.id === id)!.data.params;
    expect(params(s.getState().addNode('narration', { x: 0, y: 0 }))).toMatchObject({ provider: 'openai', voice: 'alloy' });
    expect(params(s.getState().addNode('illustration', { x: 0, y: 0 }))).toMatchObject({ provider: 'openai', style: 'ink' });
    // A value the node does not allow, or a param it does not have, is left at the catalog's default.
    s.getState().setProjectDefaults({ provider: 'elevenlabs', style: 'oil painting' });
    const story = params(s.getState().addNode('story', { x: 0, y: 0 }));
    expect(story.provider).toBe('local');
    expect(story).not.toHaveProperty('style');
    expect(params(s.getState().addNode('illustration', { x: 0, y: 0 })).style).toBe('watercolor');
    // What the caller gives wins over the project's defaults.
    expect(params(s.getState().addNode('narration', { x: 0, y: 0 }, { provider: 'local' })).provider).toBe('local');
  });
});

describe('editor store: installed models and voices', () => {
  const installed = {
    textModels: [{ value: 'small.gguf', label: 'Small' }],
    voices: [
      { value: 'joe', label: 'Joe' },
      { value: 'slt', label: 'slt' },
    ],
  };
  const narration = nodeCatalogResponse(installed).find((n) => n.type === 'narration')!;

  it('takes a project voice the local enum lists, and a cloud voice only with a cloud provider', () => {
    expect(projectDefaultsFor(narration, { voice: 'slt' })).toEqual({ voice: 'slt' });
    expect(projectDefaultsFor(narration, { voice: 'alloy' })).toEqual({});
    expect(projectDefaultsFor(narration, { provider: 'openai', voice: 'alloy' })).toEqual({ provider: 'openai', voice: 'alloy' });
  });

  it('the form shows the enum only for the provider it lists', () => {
    const voice = (narration.params as { properties: Record<string, Parameters<typeof enumApplies>[0]> }).properties.voice;
    expect(voice.enum).toEqual(['joe', 'slt']);
    expect(voice['x-enum-labels']).toEqual(['Joe', 'slt']);
    expect(enumApplies(voice, {})).toBe(true);
    expect(enumApplies(voice, { provider: 'local' })).toBe(true);
    expect(enumApplies(voice, { provider: 'elevenlabs' })).toBe(false);
  });
});
