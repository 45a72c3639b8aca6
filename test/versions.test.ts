import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startStack, waitForRun, type Stack } from './support/stack';

/** Versions you can use: listed with what changed, opened read-only, restored as the latest; runs name theirs. */
const v1 = {
  schemaVersion: 1,
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
/** v1 with the note reworded, a second note added and the upload moved. */
const v2 = {
  ...v1,
  nodes: [
    v1.nodes[0],
    { ...v1.nodes[1], params: { template: 'A longer note about {{topic}}.' } },
    { ...v1.nodes[2], position: { x: 600, y: 40 } },
    { id: 'aside', type: 'template', params: { template: 'By the way: {{topic}}' }, position: { x: 280, y: 200 } },
  ],
  edges: [...v1.edges, { source: 'topic', sourceHandle: 'value', target: 'aside', targetHandle: 'topic' }],
};
/** v2 without the upload. */
const v3 = { ...v2, nodes: v2.nodes.filter((n) => n.id !== 'publish'), edges: v2.edges.filter((e) => e.target !== 'publish') };

describe('pipeline versions', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function pipelineWithThreeVersions(client: Awaited<ReturnType<typeof registerUser>>['client']) {
    const created = await client.post('/api/pipelines', { name: 'Notes', graph: v1 });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (const graph of [v2, v3]) expect((await client.put(`/api/pipelines/${id}`, { graph })).status).toBe(200);
    return id;
  }

  /** A graph as the API answers it: defaults filled in. */
  const graphOf = async (client: Awaited<ReturnType<typeof registerUser>>['client'], id: string, version: number) =>
    (await client.get(`/api/pipelines/${id}/versions/${version}`)).body.graph;

  it('lists versions newest first, each with the nodes it added, removed, changed and moved', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineWithThreeVersions(client);
    const { versions } = (await client.get(`/api/pipelines/${id}/versions`)).body;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(versions.map((v: { changes: unknown }) => v.changes)).toEqual([
      { added: [], removed: ['publish'], changed: [], moved: [] },
      { added: ['aside'], removed: [], changed: ['note'], moved: ['publish'] },
      { added: ['topic', 'note', 'publish'], removed: [], changed: [], moved: [] },
    ]);
    for (const v of versions) expect(Date.parse(v.createdAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('answers one old version with its graph, its changes and which version is current', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineWithThreeVersions(client);
    const res = await client.get(`/api/pipelines/${id}/versions/2`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ pipelineId: id, version: 2, currentVersion: 3, changes: { added: ['aside'] } });
    expect(res.body.graph.nodes.map((n: { id: string }) => n.id)).toEqual(['topic', 'note', 'publish', 'aside']);
    expect(res.body.graph.nodes[1].params.template).toBe('A longer note about {{topic}}.');
    // The same graph as the pipeline answers for ?version=2.
    expect((await client.get(`/api/pipelines/${id}?version=2`)).body.graph).toEqual(res.body.graph);
  });

  it('restores an old version as a new latest version with the same graph, and discards the draft', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineWithThreeVersions(client);
    expect((await client.put(`/api/pipelines/${id}/draft`, { graph: { ...v3, nodes: [] } })).status).toBe(200);

    const restored = await client.post(`/api/pipelines/${id}/versions/1/restore`, {});
    expect(restored.status).toBe(201);
    expect(restored.body).toEqual({ id, version: 4 });
    expect(await graphOf(client, id, 4)).toEqual(await graphOf(client, id, 1));
    const pipeline = (await client.get(`/api/pipelines/${id}`)).body;
    expect(pipeline).toMatchObject({ version: 4, graphVersion: 4, draft: null });
    expect(pipeline.graph).toEqual(await graphOf(client, id, 1));
    // The list says what the restore changed against version 3, and the old versions stay.
    const { versions } = (await client.get(`/api/pipelines/${id}/versions`)).body;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([4, 3, 2, 1]);
    expect(versions[0].changes).toEqual({ added: ['publish'], removed: ['aside'], changed: ['note'], moved: [] });

    // Restoring what is already the latest records nothing new.
    const again = await client.post(`/api/pipelines/${id}/versions/4/restore`, {});
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id, version: 4 });
    expect((await client.post(`/api/pipelines/${id}/versions/1/restore`, {})).body).toEqual({ id, version: 4 });
  });

  it('runs link to the version they ran, and a run after a restore runs the restored graph', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineWithThreeVersions(client);
    const first = await client.post(`/api/pipelines/${id}/runs`, { inputs: { topic: 'otters' }, version: 2 });
    expect((await waitForRun(client, first.body.id)).pipelineVersion).toBe(2);

    expect((await client.post(`/api/pipelines/${id}/versions/1/restore`, {})).status).toBe(201);
    const second = await client.post(`/api/pipelines/${id}/runs`, { inputs: { topic: 'otters' } });
    const run = await waitForRun(client, second.body.id);
    expect(run).toMatchObject({ status: 'succeeded', pipelineVersion: 4 });
    expect(Object.keys(run.nodes).sort()).toEqual(['note', 'publish', 'topic']);
    expect(run.nodes.note.output).toEqual({ text: 'A note about otters.' });
  });

  it("answers 404 for another user's pipeline, to reads and restores alike", async () => {
    const owner = await registerUser(stack.baseUrl);
    const id = await pipelineWithThreeVersions(owner.client);
    const stranger = await registerUser(stack.baseUrl);
    for (const res of [
      await stranger.client.get(`/api/pipelines/${id}/versions/1`),
      await stranger.client.post(`/api/pipelines/${id}/versions/1/restore`, {}),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'not_found', message: 'Pipeline not found' });
    }
    expect((await owner.client.get(`/api/pipelines/${id}`)).body.version).toBe(3);
  });

  it('refuses a version that is not a number, or that the pipeline does not have, naming the version', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineWithThreeVersions(client);
    for (const bad of ['0', 'abc', '1.5', '2147483648']) {
      const res = await client.get(`/api/pipelines/${id}/versions/${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Invalid path: version: /);
    }
    for (const res of [
      await client.get(`/api/pipelines/${id}/versions/9`),
      await client.post(`/api/pipelines/${id}/versions/9/restore`, {}),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.message).toBe('version: this pipeline has no version 9 (its versions are 1 to 3)');
    }
    const withBody = await client.post(`/api/pipelines/${id}/versions/1/restore`, { graph: v3 });
    expect(withBody.status).toBe(400);
    expect(withBody.body.message).toMatch(/graph/);
  });

  it('upgrades a version stored before schemaVersion existed when it is read and restored', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineWithThreeVersions(client);
    const stored = JSON.parse(readFileSync(join(import.meta.dirname, '../workflows/pipeline/fixtures/graphs/v0.json'), 'utf8'));
    await stack.services.db
      .updateTable('pipeline_versions')
      .set({ graph: JSON.stringify(stored) })
      .where('pipeline_id', '=', id)
      .where('version', '=', 1)
      .execute();

    const old = (await client.get(`/api/pipelines/${id}/versions/1`)).body;
    expect(old.graph.schemaVersion).toBe(1);
    expect(old.graph.nodes.map((n: { id: string }) => n.id)).toEqual(['topic', 'prompt', 'story', 'publish']);
    expect((await client.get(`/api/pipelines/${id}/versions/2`)).body.changes).toEqual({
      added: ['note', 'aside'],
      removed: ['prompt', 'story'],
      changed: ['publish'],
      moved: [],
    });
    expect((await client.post(`/api/pipelines/${id}/versions/1/restore`, {})).status).toBe(201);
    const latest = (await client.get(`/api/pipelines/${id}`)).body.graph;
    expect(latest.schemaVersion).toBe(1);
    expect(latest.nodes.find((n: { id: string }) => n.id === 'story').params).toMatchObject({ words: expect.any(Number) });
  });

  it('refuses to restore a version that no longer passes validation, naming its problems, and keeps the latest', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const id = await pipelineWithThreeVersions(client);
    // A node type the catalog no longer has, as if it had been retired since version 1 was saved.
    const retired = { ...v1, nodes: [...v1.nodes, { id: 'fax', type: 'fax-machine', params: {} }] };
    await stack.services.db
      .updateTable('pipeline_versions')
      .set({ graph: JSON.stringify(retired) })
      .where('pipeline_id', '=', id)
      .where('version', '=', 1)
      .execute();
    const res = await client.post(`/api/pipelines/${id}/versions/1/restore`, {});
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_graph', problems: [{ nodeId: 'fax', message: "Unknown node type 'fax-machine'" }] });
    expect((await client.get(`/api/pipelines/${id}`)).body.version).toBe(3);
    // It still opens, read-only, as it was saved.
    expect((await client.get(`/api/pipelines/${id}/versions/1`)).body.graph.nodes.map((n: { id: string }) => n.id)).toContain('fax');
  });
});
