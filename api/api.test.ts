import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, readEvents, registerUser, startStack, waitForRun, type Stack } from '../test/support/stack';

const storyGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'story', type: 'template', params: { template: 'Once upon a time, {{topic}} lived happily.' } },
    { id: 'wait', type: 'delay', params: { ms: 200 } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [
    { source: 'topic', sourceHandle: 'value', target: 'story', targetHandle: 'topic' },
    { source: 'story', sourceHandle: 'text', target: 'wait', targetHandle: 'in' },
    { source: 'wait', sourceHandle: 'out', target: 'publish', targetHandle: 'file' },
  ],
};

describe.each([
  { backends: 'servers' as const, label: 'PostgreSQL + Redis + S3 (moto)' },
  { backends: 'embedded' as const, label: 'PGlite + in-process bus + local files' },
])('API on $label', ({ backends }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ backends });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('reports health with the backends in use', async () => {
    const res = await apiClient(stack.baseUrl).get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'ok', temporal: 'ok', bus: 'ok' });
    expect(res.body.backends).toEqual(
      backends === 'servers' ? { database: 'postgres', bus: 'redis', blobs: 's3' } : { database: 'pglite', bus: 'memory', blobs: 'local' },
    );
  });

  it('registers, logs in and answers who the token belongs to', async () => {
    const anon = apiClient(stack.baseUrl);
    const email = `Ada${Date.now()}@Example.com`;
    const reg = await anon.post('/api/auth/register', { email, password: 'long enough pw', username: 'ada' });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ email, username: 'ada', plan: 'free', totalGenerations: 0 });
    expect((await anon.post('/api/auth/register', { email: email.toLowerCase(), password: 'long enough pw' })).status).toBe(409);
    expect((await anon.post('/api/auth/login', { email, password: 'wrong password' })).status).toBe(401);
    const login = await anon.post('/api/auth/login', { email, password: 'long enough pw' });
    expect(login.status).toBe(200);
    const me = await apiClient(stack.baseUrl, login.body.token).get('/api/auth/me');
    expect(me.body.user.email).toBe(email);
  });

  it('serves the node catalog with ports and params schemas', async () => {
    const res = await apiClient(stack.baseUrl).get('/api/nodes');
    const types = res.body.nodes.map((n: { type: string }) => n.type);
    expect(types).toEqual(expect.arrayContaining(['input', 'template', 'delay', 'upload']));
    const upload = res.body.nodes.find((n: { type: string }) => n.type === 'upload');
    expect(upload.inputs).toEqual([{ handle: 'file', kind: 'any' }]);
    expect(upload.outputs).toEqual([{ handle: 'media', kind: 'json' }]);
    expect(upload.params.properties.key.type).toBe('string');
  });

  it('saves pipelines as immutable versions, lists and fetches them', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const created = await client.post('/api/pipelines', { name: 'Story', graph: storyGraph });
    expect(created.status).toBe(201);
    expect(created.body.version).toBe(1);
    const changed = { ...storyGraph, nodes: storyGraph.nodes.map((n) => (n.id === 'wait' ? { ...n, params: { ms: 10 } } : n)) };
    const updated = await client.put(`/api/pipelines/${created.body.id}`, { graph: changed, name: 'Story v2' });
    expect(updated.body).toEqual({ id: created.body.id, version: 2 });
    const current = await client.get(`/api/pipelines/${created.body.id}`);
    expect(current.body).toMatchObject({ name: 'Story v2', version: 2 });
    expect(current.body.graph.nodes[2].params).toEqual({ ms: 10 });
    const first = await client.get(`/api/pipelines/${created.body.id}?version=1`);
    expect(first.body.graph.nodes[2].params).toEqual({ ms: 200 });
    const list = await client.get('/api/pipelines');
    expect(list.body.pipelines.map((p: { id: string }) => p.id)).toEqual([created.body.id]);
    expect((await client.get(`/api/pipelines/${created.body.id}/versions`)).body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('refuses an invalid graph with every problem, naming nodes and edges', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const res = await client.post('/api/pipelines', {
      name: 'Broken',
      graph: { nodes: [{ id: 'x', type: 'teleport', params: {} }, { id: 'pub', type: 'upload', params: {} }], edges: [] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_graph');
    expect(res.body.problems).toEqual([
      { nodeId: 'x', message: "Unknown node type 'teleport'" },
      { nodeId: 'pub', message: "Missing required input 'file' (any)" },
    ]);
  });

  it('runs a pipeline: state, outputs, uploaded media bytes and live events', async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    const pipeline = await client.post('/api/pipelines', { name: 'Story', graph: storyGraph });
    const started = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'an otter' } });
    expect(started.status).toBe(201);
    const runId = started.body.id;

    const events = await readEvents(stack.baseUrl, token, runId);
    const run = await waitForRun(client, runId);
    expect(run.status).toBe('succeeded');
    expect(Object.keys(run.nodes).sort()).toEqual(['publish', 'story', 'topic', 'wait']);
    for (const node of Object.values(run.nodes) as { status: string; attempts: number; startedAt: string; finishedAt: string }[]) {
      expect(node.status).toBe('succeeded');
      expect(node.attempts).toBe(1);
      expect(Date.parse(node.finishedAt)).toBeGreaterThanOrEqual(Date.parse(node.startedAt));
    }
    expect(run.nodes.story.output).toEqual({ text: 'Once upon a time, an otter lived happily.' });
    const media = run.nodes.publish.output.media;
    expect(media).toMatchObject({ url: `/api/media/${media.id}/content`, mimeType: 'text/plain', size: 41 });

    const bytes = await fetch(stack.baseUrl + media.url, { headers: { authorization: `Bearer ${token}` } });
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await bytes.text()).toBe('Once upon a time, an otter lived happily.');
    const partial = await fetch(stack.baseUrl + media.url, { headers: { authorization: `Bearer ${token}`, range: 'bytes=0-3' } });
    expect(partial.status).toBe(206);
    expect(await partial.text()).toBe('Once');
    expect((await client.get('/api/media')).body.media.map((m: { id: string }) => m.id)).toEqual([media.id]);

    const persisted = events.filter((e) => e.id !== undefined);
    expect(persisted.map((e) => e.id)).toEqual(persisted.map((_, i) => i + 1));
    expect(persisted[0].data).toMatchObject({ type: 'run.status', status: 'running' });
    expect(persisted.at(-1)!.data).toMatchObject({ type: 'run.status', status: 'succeeded' });
    expect(persisted.filter((e) => e.data.type === 'node.status' && e.data.state.status === 'succeeded').map((e) => e.data.nodeId).sort()).toEqual([
      'publish',
      'story',
      'topic',
      'wait',
    ]);

    const resumed = await readEvents(stack.baseUrl, token, runId, 3);
    expect(resumed.map((e) => e.id)).toEqual(persisted.slice(3).map((e) => e.id));

    const history = await client.get(`/api/pipelines/${pipeline.body.id}/runs`);
    expect(history.body.runs).toMatchObject([{ id: runId, status: 'succeeded', pipelineName: 'Story' }]);
  });

  it('cancels a running run', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const slow = { ...storyGraph, nodes: storyGraph.nodes.map((n) => (n.id === 'wait' ? { ...n, params: { ms: 60_000 } } : n)) };
    const pipeline = await client.post('/api/pipelines', { name: 'Slow', graph: slow });
    const { body } = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'x' } });
    const deadline = Date.now() + 20_000;
    while ((await client.get(`/api/runs/${body.id}`)).body.nodes.wait.status !== 'running') {
      if (Date.now() > deadline) throw new Error('delay never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await client.post(`/api/runs/${body.id}/cancel`)).status).toBe(202);
    const run = await waitForRun(client, body.id);
    expect(run.status).toBe('cancelled');
    expect(run.nodes.wait.status).toBe('cancelled');
    expect(run.nodes.publish.status).toBe('cancelled');
    expect((await client.post(`/api/runs/${body.id}/cancel`)).status).toBe(409);
  });

  it('pages through the media library without skipping items made in the same instant', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const graph = {
      nodes: [
        { id: 'text', type: 'input', params: { name: 'text' } },
        { id: 'parts', type: 'split', params: { by: 'lines' } },
        { id: 'publish', type: 'upload', params: {} },
      ],
      edges: [
        { source: 'text', sourceHandle: 'value', target: 'parts', targetHandle: 'text' },
        { source: 'parts', sourceHandle: 'items', target: 'publish', targetHandle: 'file' },
      ],
    };
    const pipeline = await client.post('/api/pipelines', { name: 'Many files', graph });
    const { body } = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { text: 'a\nb\nc\nd\ne' } });
    expect((await waitForRun(client, body.id)).status).toBe('succeeded');
    const seen: string[] = [];
    for (let page = 0; page < 5; page++) {
      const after = seen.length ? `&after=${seen.at(-1)}` : '';
      const items = (await client.get(`/api/media?limit=2${after}`)).body.media as { id: string }[];
      if (items.length === 0) break;
      seen.push(...items.map((m) => m.id));
    }
    expect(new Set(seen).size).toBe(5);
    expect(seen).toHaveLength(5);
    expect((await client.get('/api/media?after=nope')).status).toBe(400);
  });

  it('deletes a pipeline with its runs once none is in progress, keeping published media', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const slow = { ...storyGraph, nodes: storyGraph.nodes.map((n) => (n.id === 'wait' ? { ...n, params: { ms: 60_000 } } : n)) };
    const pipeline = await client.post('/api/pipelines', { name: 'Doomed', graph: slow });
    const { body: run } = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'x' } });
    const refused = await client.request('DELETE', `/api/pipelines/${pipeline.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'run_active' });
    await client.post(`/api/runs/${run.id}/cancel`);
    await waitForRun(client, run.id);
    expect((await client.request('DELETE', `/api/pipelines/${pipeline.body.id}`)).status).toBe(204);
    expect((await client.get(`/api/pipelines/${pipeline.body.id}`)).status).toBe(404);
    expect((await client.get(`/api/runs/${run.id}`)).status).toBe(404);
    expect((await client.request('DELETE', `/api/pipelines/${pipeline.body.id}`)).status).toBe(404);
  });

  it('answers bad input with a JSON error naming the field, and keeps serving', async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    const malformed = await client.request('POST', '/api/pipelines', '{"name": ', {});
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('malformed_json');
    const huge = await client.post('/api/pipelines', { name: 'x', graph: { nodes: [], edges: [] }, pad: 'x'.repeat(2_000_000) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error: 'payload_too_large' });
    const unknown = await client.post('/api/pipelines', { name: 'x', graph: { nodes: [], edges: [] }, colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/colour/);
    const wrongType = await client.post('/api/pipelines', { name: 42, graph: { nodes: [], edges: [] } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toMatch(/^Invalid body: name: /);
    const badEmail = await apiClient(stack.baseUrl).post('/api/auth/register', { email: 'nope', password: 'long enough pw' });
    expect(badEmail.body.message).toMatch(/email/);
    const noAuth = await apiClient(stack.baseUrl).get('/api/pipelines');
    expect(noAuth.status).toBe(401);
    expect(noAuth.body.error).toBe('unauthorized');
    const badId = await client.get('/api/runs/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.message).toMatch(/id/);
    const pipeline = await client.post('/api/pipelines', { name: 'p', graph: storyGraph });
    const unknownInput = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'x', mood: 'sad' } });
    expect(unknownInput.status).toBe(400);
    expect(unknownInput.body.message).toMatch(/inputs\.mood/);
    expect((await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: {} })).body.message).toMatch(/inputs\.topic/);
    expect((await apiClient(stack.baseUrl, token).get('/api/health')).status).toBe(200);
  });

  it("hides another user's pipelines, runs and media behind 404", async () => {
    const owner = await registerUser(stack.baseUrl);
    const stranger = await registerUser(stack.baseUrl);
    const pipeline = await owner.client.post('/api/pipelines', { name: 'Mine', graph: storyGraph });
    const { body: run } = await owner.client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'secret' } });
    const done = await waitForRun(owner.client, run.id);
    const mediaId = done.nodes.publish.output.media.id;
    for (const path of [`/api/pipelines/${pipeline.body.id}`, `/api/runs/${run.id}`, `/api/runs/${run.id}/events`, `/api/media/${mediaId}`, `/api/media/${mediaId}/content`]) {
      const res = await stranger.client.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.error).toBe('not_found');
    }
    expect((await stranger.client.put(`/api/pipelines/${pipeline.body.id}`, { name: 'Theirs' })).status).toBe(404);
    expect((await stranger.client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'x' } })).status).toBe(404);
    expect((await stranger.client.post(`/api/runs/${run.id}/cancel`)).status).toBe(404);
    expect((await stranger.client.get('/api/media')).body.media).toEqual([]);
  });
});
