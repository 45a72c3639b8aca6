import { describe, expect, it } from 'vitest';
import { validateGraph, validateRunInputs } from './validate';
import type { Graph } from './graph';

const story = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'prompt', type: 'template', params: { template: 'A story about {{topic}}' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [
    { source: 'topic', sourceHandle: 'value', target: 'prompt', targetHandle: 'topic' },
    { source: 'prompt', sourceHandle: 'text', target: 'publish', targetHandle: 'file' },
  ],
};

const messages = (input: unknown) => validateGraph(input).problems.map((p) => p.message);

describe('validateGraph', () => {
  it('accepts a valid graph and fills in default params', () => {
    const result = validateGraph(story);
    expect(result.problems).toEqual([]);
    expect(result.graph?.nodes[2].params).toEqual({ key: '{{node}}{{ext}}' });
    expect(result.graph?.nodes[0].params).toMatchObject({ name: 'topic', kind: 'text', required: true });
  });

  it('reports an unknown node type on that node', () => {
    const result = validateGraph({ nodes: [{ id: 'x', type: 'teleport', params: {} }], edges: [] });
    expect(result.problems).toEqual([{ nodeId: 'x', message: "Unknown node type 'teleport'" }]);
  });

  it('reports a cycle naming every node on it', () => {
    const result = validateGraph({
      nodes: [
        { id: 'a', type: 'template', params: { template: '{{x}}' } },
        { id: 'b', type: 'template', params: { template: '{{x}}' } },
      ],
      edges: [
        { source: 'a', sourceHandle: 'text', target: 'b', targetHandle: 'x' },
        { source: 'b', sourceHandle: 'text', target: 'a', targetHandle: 'x' },
      ],
    });
    const cycle = result.problems.filter((p) => p.message.includes('cycle'));
    expect(cycle.map((p) => p.nodeId).sort()).toEqual(['a', 'b']);
  });

  it('reports a port type mismatch on the edge', () => {
    const result = validateGraph({
      nodes: [
        { id: 'data', type: 'input', params: { name: 'data', kind: 'json' } },
        { id: 'pub', type: 'upload', params: {} },
        { id: 'also', type: 'input', params: { name: 'other' } },
      ],
      edges: [{ id: 'e1', source: 'pub', sourceHandle: 'media', target: 'also', targetHandle: 'value' }],
    });
    expect(result.problems).toContainEqual({ edgeId: 'e1', nodeId: 'also', message: "Node 'also' (input) has no input 'value'" });
  });

  it('refuses json flowing into a text-only port', async () => {
    const { catalog } = await import('./catalog');
    const { kindsConnect } = await import('./flow');
    expect(catalog.get('input')).toBeDefined();
    expect(kindsConnect('json', 'text')).toBe(false);
    expect(kindsConnect('text', 'any')).toBe(true);
    expect(kindsConnect('audio', 'image')).toBe(false);
  });

  it('reports a missing required input on the node', () => {
    const result = validateGraph({ nodes: [{ id: 'pub', type: 'upload', params: {} }], edges: [] });
    expect(result.problems).toEqual([{ nodeId: 'pub', message: "Missing required input 'file' (any)" }]);
  });

  it('reports bad params naming the field', () => {
    const result = validateGraph({ nodes: [{ id: 'wait', type: 'delay', params: { ms: 'soon' } }], edges: [] });
    expect(result.problems[0].nodeId).toBe('wait');
    expect(result.problems[0].message).toMatch(/^params\.ms: /);
  });

  it('reports unknown params as bad params', () => {
    expect(messages({ nodes: [{ id: 'wait', type: 'delay', params: { ms: 5, colour: 'red' } }], edges: [] })[0]).toMatch(/colour/);
  });

  it('reports edges to unknown nodes and handles, and double-connected inputs', () => {
    const problems = messages({
      nodes: [
        { id: 'a', type: 'input', params: { name: 'a' } },
        { id: 'b', type: 'input', params: { name: 'b' } },
        { id: 't', type: 'template', params: { template: '{{x}}' } },
      ],
      edges: [
        { source: 'ghost', sourceHandle: 'value', target: 't', targetHandle: 'x' },
        { source: 'a', sourceHandle: 'nope', target: 't', targetHandle: 'x' },
        { source: 'a', sourceHandle: 'value', target: 't', targetHandle: 'x' },
        { source: 'b', sourceHandle: 'value', target: 't', targetHandle: 'x' },
      ],
    });
    expect(problems).toContain("Edge starts at unknown node 'ghost'");
    expect(problems).toContain("Node 'a' (input) has no output 'nope'");
    expect(problems.some((m) => m.startsWith('Input t.x is already connected'))).toBe(true);
  });

  it('returns every problem at once', () => {
    const problems = messages({
      nodes: [
        { id: 'x', type: 'teleport', params: {} },
        { id: 'pub', type: 'upload', params: {} },
        { id: 'wait', type: 'delay', params: { ms: -1 } },
      ],
      edges: [],
    });
    expect(problems.length).toBe(3);
  });

  it('reports malformed graphs with the path of the bad field', () => {
    expect(messages({ nodes: [{ id: 'has space', type: 'input' }], edges: [] })[0]).toMatch(/^nodes\.0\.id: /);
    expect(messages({ nodes: [], edges: [], extra: 1 })[0]).toMatch(/extra/);
    expect(messages(null)[0]).toMatch(/^graph: /);
  });

  it('refuses __proto__, constructor and prototype as node ids, handles, input names and placeholders', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      expect(messages({ nodes: [{ id: name, type: 'input', params: { name: 'topic' } }], edges: [] }), name).toEqual([
        `nodes.0.id: is a reserved name (__proto__, constructor, prototype)`,
      ]);
      const asInputName = validateGraph({ nodes: [{ id: 'in', type: 'input', params: { name } }], edges: [] });
      expect(asInputName.problems).toEqual([
        { nodeId: 'in', message: 'params.name: is a reserved name (__proto__, constructor, prototype)' },
      ]);
      const asPlaceholder = validateGraph({ nodes: [{ id: 't', type: 'template', params: { template: `Hello {{${name}}}` } }], edges: [] });
      expect(asPlaceholder.problems).toEqual([
        { nodeId: 't', message: `params.template: {{${name}}} is a reserved name: call the placeholder something else` },
      ]);
      const asHandle = messages({ ...story, edges: [{ ...story.edges[0], targetHandle: name }, story.edges[1]] });
      expect(asHandle).toEqual([`edges.0.targetHandle: is a reserved name (__proto__, constructor, prototype)`]);
    }
  });

  it('reports duplicate node ids and duplicate pipeline input names', () => {
    const problems = messages({
      nodes: [
        { id: 'a', type: 'input', params: { name: 'topic' } },
        { id: 'a', type: 'input', params: { name: 'topic' } },
        { id: 'b', type: 'input', params: { name: 'topic' } },
      ],
      edges: [],
    });
    expect(problems).toContain("Duplicate node id 'a'");
    expect(problems).toContain("Pipeline input 'topic' is already defined by node 'a'");
  });
});

describe('validateRunInputs', () => {
  const graph = validateGraph(story).graph as Graph;

  it('accepts the declared inputs', () => {
    expect(validateRunInputs(graph, { topic: 'otters' })).toEqual([]);
  });

  it('reports an unknown pipeline input', () => {
    expect(validateRunInputs(graph, { topic: 'x', mood: 'sad' })).toEqual([
      { message: "inputs.mood: unknown pipeline input (known: 'topic')" },
    ]);
  });

  it('reports a missing required input and a wrong kind', () => {
    expect(validateRunInputs(graph, {})[0].message).toBe('inputs.topic: required pipeline input is missing');
    expect(validateRunInputs(graph, { topic: 42 })[0].message).toBe('inputs.topic: must be text (a string)');
  });

  it('refuses an empty or whitespace-only required text input, but not an optional one', () => {
    for (const topic of ['', '   ', '\n\t ']) {
      expect(validateRunInputs(graph, { topic })).toEqual([{ nodeId: 'topic', message: 'inputs.topic: required pipeline input is empty' }]);
    }
    const optional = validateGraph({
      nodes: [{ id: 'mood', type: 'input', params: { name: 'mood', required: false } }],
      edges: [],
    }).graph as Graph;
    expect(validateRunInputs(optional, { mood: ' ' })).toEqual([]);
  });

  it('uses an input default when the run gives none', () => {
    const withDefault = validateGraph({
      nodes: [{ id: 'topic', type: 'input', params: { name: 'topic', default: 'otters' } }],
      edges: [],
    }).graph as Graph;
    expect(validateRunInputs(withDefault, {})).toEqual([]);
  });

  it('refuses artifact references anywhere in a json input or its default, naming where', () => {
    const json = validateGraph({
      nodes: [
        { id: 'doc', type: 'input', params: { name: 'doc', kind: 'json' } },
        { id: 'preset', type: 'input', params: { name: 'preset', kind: 'json', default: { artifact: true, key: 'runs/x/y.png' } } },
      ],
      edges: [],
    }).graph as Graph;
    const ref = { artifact: true, key: 'users/someone/media/x/secret.txt', mimeType: 'text/html', size: 1 };
    expect(validateRunInputs(json, { doc: { pages: [{ title: 'a' }, ref] } }).map((p) => p.message)).toEqual([
      'inputs.doc.pages.1: artifact references are made by the server and cannot be given as input',
      'inputs.preset: artifact references are made by the server and cannot be given as input',
    ]);
    expect(validateRunInputs(json, { doc: { artifact: false }, preset: { artifact: 'true' } })).toEqual([]);
  });
});

describe('lists and fan-out', () => {
  const splitInto = (type: string, params: Record<string, unknown>, handle: string) => ({
    nodes: [
      { id: 'text', type: 'input', params: { name: 'text' } },
      { id: 'parts', type: 'split', params: {} },
      { id: 'each', type, params },
    ],
    edges: [
      { source: 'text', sourceHandle: 'value', target: 'parts', targetHandle: 'text' },
      { source: 'parts', sourceHandle: 'items', target: 'each', targetHandle: handle },
    ],
  });

  it('says how each kind flows: as is, once per item, or collected into a list', async () => {
    const { connectKinds } = await import('./flow');
    expect(connectKinds('text', 'text')).toBe('direct');
    expect(connectKinds('text[]', 'text')).toBe('fanout');
    expect(connectKinds('image[]', 'any')).toBe('fanout');
    expect(connectKinds('text', 'text[]')).toBe('collect');
    expect(connectKinds('image[]', 'text')).toBeNull();
  });

  it('runs a node once per item of a list and makes its outputs lists', async () => {
    const { planFlow } = await import('./flow');
    const result = validateGraph(splitInto('illustration', {}, 'prompt'));
    expect(result.problems).toEqual([]);
    const plan = planFlow(result.graph!);
    expect(plan.fanOut.get('each')).toEqual(['prompt']);
    expect(plan.outputKinds.get('each')?.get('image')).toBe('image[]');
  });

  it('refuses a list of one kind into a port of another, and a list into a node that already makes lists', () => {
    expect(messages(splitInto('narration', {}, 'text'))).toEqual([]);
    const mismatch = {
      nodes: [
        { id: 'text', type: 'input', params: { name: 'text' } },
        { id: 'pic', type: 'illustration', params: {} },
        { id: 'voice', type: 'narration', params: {} },
      ],
      edges: [
        { id: 'e1', source: 'text', sourceHandle: 'value', target: 'pic', targetHandle: 'prompt' },
        { id: 'e2', source: 'pic', sourceHandle: 'image', target: 'voice', targetHandle: 'text' },
      ],
    };
    expect(validateGraph(mismatch).problems).toContainEqual({
      edgeId: 'e2',
      message: 'Port type mismatch: pic.image gives image but voice.text takes text',
    });
    expect(messages(splitInto('split', {}, 'text'))).toEqual([
      "Node 'each' already outputs a list (items); it can't also run once per item of a list",
    ]);
  });
});
