import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startStack, type Stack } from './support/stack';

/** Drafts: whatever the editor shows is kept, valid or not; versions are recorded from it; empty inputs refused. */
const validGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' }, position: { x: 0, y: 0 } },
    { id: 'note', type: 'template', params: { template: 'A note about {{topic}}.' }, position: { x: 280, y: 0 } },
    { id: 'publish', type: 'upload', params: {}, position: { x: 560, y: 0 } },
  ],
  edges: [
    { source: 'topic', sourceHandle: 'value', target: 'note', targetHandle: 'topic' },
    { source: 'note', sourceHandle: 'text', target: 'publish', targetHandle: 'file' },
  ],
};

/** Half-built, as a pipeline is while it is drawn: an unknown node type, a dangling edge, an unconnected input. */
const brokenDraft = {
  schemaVersion: 1,
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' }, position: { x: 10.5, y: -3 } },
    { id: 'magic', type: 'teleport', params: { to: 'mars', nested: { list: [1, 'two', null, { deep: true }] } } },
    { id: 'publish', type: 'upload', params: {}, label: 'Publish it' },
  ],
  edges: [{ id: 'e1', source: 'topic', sourceHandle: 'value', target: 'nowhere', targetHandle: 'in' }],
};

describe.each([
  { backends: 'servers' as const, label: 'PostgreSQL + Redis + S3 (moto)' },
  { backends: 'embedded' as const, label: 'PGlite + in-process bus + local files' },
])('drafts on $label', ({ backends }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ backends });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function pipelineOf(client: Awaited<ReturnType<typeof registerUser>>['client']) {
    const created = await client.post('/api/pipelines', { name: 'Notes', graph: validGraph });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  it('saves an invalid draft and returns it exactly, with its problems, leaving the version alone', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineOf(client);
    expect((await client.get(`/api/pipelines/${id}`)).body.draft).toBeNull();

    const saved = await client.put(`/api/pipelines/${id}/draft`, { graph: brokenDraft });
    expect(saved.status).toBe(200);
    expect(Date.parse(saved.body.savedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(saved.body.problems).toEqual(
      expect.arrayContaining([
        { nodeId: 'magic', message: "Unknown node type 'teleport'" },
        { edgeId: 'e1', message: "Edge ends at unknown node 'nowhere'" },
        { nodeId: 'publish', message: "Missing required input 'file' (any)" },
      ]),
    );

    const pipeline = (await client.get(`/api/pipelines/${id}`)).body;
    expect(pipeline.draft).toEqual({ graph: brokenDraft, problems: saved.body.problems, savedAt: saved.body.savedAt });
    expect(pipeline.version).toBe(1);
    expect(pipeline.graph.nodes.map((n: { id: string }) => n.id)).toEqual(['topic', 'note', 'publish']);
  });

  it('stores drafts that are not even graphs, up to the body limit, and refuses a body without a graph object', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineOf(client);
    const oddities = [
      { nodes: 'not a list', edges: [{}], extra: { 'weird key': ['ü', 1.5e300, false] } },
      { nodes: Array.from({ length: 600 }, (_, i) => ({ id: `n${i}`, type: 'delay', params: { ms: i } })), edges: [] },
    ];
    for (const graph of oddities) {
      const saved = await client.put(`/api/pipelines/${id}/draft`, { graph });
      expect(saved.status).toBe(200);
      expect(saved.body.problems.length).toBeGreaterThan(0);
      expect((await client.get(`/api/pipelines/${id}`)).body.draft.graph).toEqual(graph);
    }
    for (const body of [{}, { graph: [] }, { graph: 'nodes' }, { graph: null }, { graph: {}, extra: 1 }]) {
      const refused = await client.put(`/api/pipelines/${id}/draft`, body);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_request');
      expect(refused.body.message).toMatch(/graph|extra/);
    }
  });

  it('refuses to record an invalid draft as a version, with its problems, and keeps the draft', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineOf(client);
    await client.put(`/api/pipelines/${id}/draft`, { graph: brokenDraft });
    const refused = await client.post(`/api/pipelines/${id}/versions`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_graph');
    expect(refused.body.problems).toContainEqual({ nodeId: 'magic', message: "Unknown node type 'teleport'" });
    const pipeline = (await client.get(`/api/pipelines/${id}`)).body;
    expect(pipeline.version).toBe(1);
    expect(pipeline.draft.graph).toEqual(brokenDraft);
  });

  it('records a valid draft as a new version, clears the draft, and records nothing new twice', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineOf(client);
    const edited = {
      ...validGraph,
      nodes: validGraph.nodes.map((n) => (n.id === 'note' ? { ...n, params: { template: 'Notes on {{topic}}' } } : n)),
    };
    await client.put(`/api/pipelines/${id}/draft`, { graph: edited });

    const recorded = await client.post(`/api/pipelines/${id}/versions`, {});
    expect(recorded.status).toBe(201);
    expect(recorded.body).toEqual({ id, version: 2 });
    const pipeline = (await client.get(`/api/pipelines/${id}`)).body;
    expect(pipeline).toMatchObject({ version: 2, draft: null });
    expect(pipeline.graph.nodes[1].params).toEqual({ template: 'Notes on {{topic}}' });
    expect((await client.get(`/api/pipelines/${id}/versions`)).body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    // No draft, or a draft that is the current version again: nothing new is recorded.
    expect(await client.post(`/api/pipelines/${id}/versions`, {})).toMatchObject({ status: 200, body: { id, version: 2 } });
    await client.put(`/api/pipelines/${id}/draft`, { graph: edited });
    expect(await client.post(`/api/pipelines/${id}/versions`, {})).toMatchObject({ status: 200, body: { id, version: 2 } });
    expect((await client.get(`/api/pipelines/${id}`)).body.draft).toBeNull();
    expect((await client.post(`/api/pipelines/${id}/versions`, { graph: edited })).status).toBe(400);

    // The version-saving PUT keeps working next to drafts, and leaves an unrecorded draft in place.
    await client.put(`/api/pipelines/${id}/draft`, { graph: brokenDraft });
    expect((await client.put(`/api/pipelines/${id}`, { graph: validGraph })).body).toEqual({ id, version: 3 });
    expect((await client.get(`/api/pipelines/${id}`)).body.draft.graph).toEqual(brokenDraft);
  });

  it("hides another user's pipeline behind 404 for drafts and versions", async () => {
    const owner = await registerUser(stack.baseUrl);
    const stranger = await registerUser(stack.baseUrl);
    const id = await pipelineOf(owner.client);
    await owner.client.put(`/api/pipelines/${id}/draft`, { graph: brokenDraft });

    const put = await stranger.client.put(`/api/pipelines/${id}/draft`, { graph: validGraph });
    expect(put).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect((await stranger.client.post(`/api/pipelines/${id}/versions`, {})).status).toBe(404);
    expect((await stranger.client.get(`/api/pipelines/${id}`)).status).toBe(404);
    expect((await owner.client.get(`/api/pipelines/${id}`)).body.draft.graph).toEqual(brokenDraft);
  });

  it('refuses a run whose required input is only whitespace, naming the input, and starts nothing', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineOf(client);
    for (const topic of ['', '   ', '\n\t']) {
      const refused = await client.post(`/api/pipelines/${id}/runs`, { inputs: { topic } });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'invalid_inputs', message: 'inputs.topic: required pipeline input is empty' });
      expect(refused.body.problems).toEqual([{ nodeId: 'topic', message: 'inputs.topic: required pipeline input is empty' }]);
    }
    expect((await client.get(`/api/pipelines/${id}/runs`)).body.runs).toEqual([]);
    expect((await client.get('/api/media')).body.media).toEqual([]);
  });
});
