import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listen } from '../infra/launch/listen';
import { closeServer } from '../infra/launch/processes';
import { apiClient, readEvents, registerUser, startStack, waitForRun, type Stack } from '../test/support/stack';
import { checkResponses } from './checkResponses';
import { errorHandler, HttpError } from './http';

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
    const longMailbox = await anon.post('/api/auth/register', { email: `${'a'.repeat(65)}@example.com`, password: 'long enough pw' });
    expect(longMailbox.status).toBe(400);
    expect(longMailbox.body.message).toBe('Invalid body: email: the part before the @ must be at most 64 characters');
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

  it("lists the install's local text models and voices as enums with labels for the text and narration nodes", async () => {
    const res = await apiClient(stack.baseUrl).get('/api/nodes');
    const prop = (type: string, key: string) => res.body.nodes.find((n: { type: string }) => n.type === type).params.properties[key];
    for (const type of ['story', 'llm']) {
      const model = prop(type, 'model');
      expect(model.enum).toContain('SmolLM2-135M-Instruct.Q4_1.gguf');
      expect(model['x-enum-labels']).toHaveLength(model.enum.length);
      expect(model['x-enum-labels'][model.enum.indexOf('SmolLM2-135M-Instruct.Q4_1.gguf')]).toMatch(/^SmolLM2 135M/);
      expect(model['x-enum-for']).toEqual({ provider: 'local' });
    }
    const voice = prop('narration', 'voice');
    expect(voice.enum).toEqual(expect.arrayContaining(['joe', 'slt', 'kal']));
    expect(voice['x-enum-labels'][voice.enum.indexOf('joe')]).toMatch(/^Joe/);
    // The illustration's model is not a text model: no enum there.
    expect(prop('illustration', 'model').enum).toBeUndefined();
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
    expect(
      (await client.get(`/api/pipelines/${created.body.id}/versions`)).body.versions.map((v: { version: number }) => v.version),
    ).toEqual([2, 1]);
  });

  it('refuses an invalid graph with every problem, naming nodes and edges', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const res = await client.post('/api/pipelines', {
      name: 'Broken',
      graph: {
        nodes: [
          { id: 'x', type: 'teleport', params: {} },
          { id: 'pub', type: 'upload', params: {} },
        ],
        edges: [],
      },
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
    expect(
      persisted
        .filter((e) => e.data.type === 'node.status' && e.data.state.status === 'succeeded')
        .map((e) => e.data.nodeId)
        .sort(),
    ).toEqual(['publish', 'story', 'topic', 'wait']);

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

  it('pages through pipelines, runs and generations with an exact after= cursor and filters them with before=', async () => {
    const { client, userId } = await registerUser(stack.baseUrl);
    const graph = {
      nodes: [
        { id: 'topic', type: 'input', params: { name: 'topic' } },
        { id: 'text', type: 'template', params: { template: 'About {{topic}}' } },
      ],
      edges: [{ source: 'topic', sourceHandle: 'value', target: 'text', targetHandle: 'topic' }],
    };
    const made = await Promise.all([1, 2, 3, 4, 5].map((n) => client.post('/api/pipelines', { name: `P${n}`, graph })));
    const pipelineIds = made.map((m) => m.body.id as string);
    const runIds: string[] = [];
    for (const id of pipelineIds.slice(0, 2)) {
      for (const topic of ['a', 'b', 'c']) runIds.push((await client.post(`/api/pipelines/${id}/runs`, { inputs: { topic } })).body.id);
    }

    const pageThrough = async (path: string, key: string) => {
      const seen: string[] = [];
      for (let page = 0; page < 10; page++) {
        const after = seen.length ? `&after=${seen.at(-1)}` : '';
        const res = await client.get(`${path}${path.includes('?') ? '&' : '?'}limit=2${after}`);
        expect(res.status).toBe(200);
        const items = res.body[key] as { id: string }[];
        if (items.length === 0) return seen;
        seen.push(...items.map((i) => i.id));
      }
      throw new Error(`${path}: still paging after 10 pages: ${seen.join(', ')}`);
    };
    expect((await pageThrough('/api/pipelines', 'pipelines')).sort()).toEqual([...pipelineIds].sort());
    expect((await pageThrough('/api/runs', 'runs')).sort()).toEqual([...runIds].sort());
    expect((await pageThrough(`/api/pipelines/${pipelineIds[0]}/runs`, 'runs')).sort()).toEqual(runIds.slice(0, 3).sort());

    const all = (await client.get('/api/pipelines')).body.pipelines as { id: string; updatedAt: string }[];
    expect(all.map((p) => p.id).sort()).toEqual([...pipelineIds].sort());
    const newest = all[0];
    const older = (await client.get(`/api/pipelines?before=${encodeURIComponent(newest.updatedAt)}`)).body.pipelines as {
      id: string;
      updatedAt: string;
    }[];
    expect(older.map((p) => p.id)).not.toContain(newest.id);
    expect(older.every((p) => Date.parse(p.updatedAt) < Date.parse(newest.updatedAt))).toBe(true);
    expect(older.length).toBe(all.filter((p) => Date.parse(p.updatedAt) < Date.parse(newest.updatedAt)).length);
    expect((await client.get(`/api/pipelines?before=1970-01-01T00:00:00Z`)).body.pipelines).toEqual([]);
    expect((await client.get(`/api/runs?before=1970-01-01T00:00:00Z`)).body.runs).toEqual([]);

    // Generations come from AI steps; five recorded in the same instant page just the same.
    const at = new Date();
    const generationIds = [1, 2, 3, 4, 5].map(() => randomUUID());
    await stack.services.db
      .insertInto('generations')
      .values(generationIds.map((id) => ({ id, user_id: userId, type: 'text', ai_service: 'local', status: 'succeeded', created_at: at })))
      .execute();
    expect((await pageThrough('/api/settings/generations', 'generations')).sort()).toEqual([...generationIds].sort());

    const stranger = await registerUser(stack.baseUrl);
    expect((await stranger.client.get(`/api/runs?after=${runIds[0]}`)).body.runs).toEqual([]);
    expect((await client.get('/api/runs?after=nope')).status).toBe(400);
    expect((await client.get('/api/pipelines?before=0000-01-01T00:00:00Z')).body.message).toMatch(/^Invalid query: before: /);
  });

  it('listens on loopback only, unless HOST names another interface', async () => {
    const { port } = new URL(stack.baseUrl);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    expect((await fetch(`${stack.baseUrl}/api/health`)).status).toBe(200);
    if (external) await expect(fetch(`http://${external.address}:${port}/api/health`)).rejects.toThrow();
    const everywhere = await listen({ ...stack.services, config: { ...stack.services.config, host: '0.0.0.0' } }, 0);
    try {
      const address = everywhere.address() as AddressInfo;
      expect(address.address).toBe('0.0.0.0');
      if (external) expect((await fetch(`http://${external.address}:${address.port}/api/health`)).status).toBe(200);
    } finally {
      await closeServer(everywhere);
    }
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

  it('keeps provider keys per user without ever sending them back', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const before = (await client.get('/api/settings/providers')).body.providers;
    expect(before.map((p: { provider: string }) => p.provider)).toEqual(['openai', 'elevenlabs', 'stability', 'comfyui', 'automatic1111']);
    const apiKey = 'sk-test-never-shown';
    const saved = await client.put('/api/settings/providers/openai', { apiKey });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ provider: 'openai', configured: true, source: 'user' });
    expect(saved.text).not.toContain(apiKey);
    const listed = await client.get('/api/settings/providers');
    expect(listed.text).not.toContain(apiKey);
    expect(listed.body.providers[0]).toMatchObject({ provider: 'openai', configured: true, source: 'user' });
    expect(Date.parse(listed.body.providers[0].updatedAt)).toBeGreaterThan(0);
    const other = await registerUser(stack.baseUrl);
    expect((await other.client.get('/api/settings/providers')).body.providers[0].source).not.toBe('user');
    expect((await client.request('DELETE', '/api/settings/providers/openai')).status).toBe(204);
    expect((await client.request('DELETE', '/api/settings/providers/openai')).status).toBe(404);
    expect((await client.put('/api/settings/providers/acme', { apiKey })).status).toBe(400);
  });

  it("lists the user's own generations, newest first, with their cost as a number, by project", async () => {
    const owner = await registerUser(stack.baseUrl);
    const stranger = await registerUser(stack.baseUrl);
    const [first] = (await owner.client.get('/api/projects')).body.projects;
    const second = (await owner.client.post('/api/projects', { name: 'Second' })).body;
    const strangerProject = (await stranger.client.get('/api/projects')).body.projects[0];
    const generation = (userId: string, projectId: string, nodeId: string, createdAt: string) => ({
      id: randomUUID(),
      user_id: userId,
      project_id: projectId,
      node_id: nodeId,
      type: 'text',
      ai_service: 'openai',
      model: 'gpt-4o-mini',
      status: 'completed',
      prompt: 'Tell a story',
      result: 'Once…',
      parameters: JSON.stringify({ words: 40 }),
      processing_time: 1200,
      tokens_used: 42,
      cost_usd: '0.001250',
      created_at: new Date(createdAt),
    });
    await stack.services.db
      .insertInto('generations')
      .values([
        generation(owner.userId, first.id, 'older', '2026-01-01T10:00:00Z'),
        generation(owner.userId, first.id, 'newer', '2026-01-02T10:00:00Z'),
        generation(owner.userId, second.id, 'other-project', '2026-01-03T10:00:00Z'),
        generation(stranger.userId, strangerProject.id, 'theirs', '2026-01-04T10:00:00Z'),
      ])
      .execute();
    const all = (await owner.client.get('/api/settings/generations')).body.generations;
    expect(all.map((g: { nodeId: string }) => g.nodeId)).toEqual(['other-project', 'newer', 'older']);
    expect(all[1]).toMatchObject({
      projectId: first.id,
      runId: null,
      itemIndex: 0,
      type: 'text',
      aiService: 'openai',
      model: 'gpt-4o-mini',
      parameters: { words: 40 },
      processingMs: 1200,
      tokensUsed: 42,
      costUsd: 0.00125,
      createdAt: '2026-01-02T10:00:00.000Z',
    });
    const inFirst = (await owner.client.get(`/api/settings/generations?projectId=${first.id}&limit=1`)).body.generations;
    expect(inFirst.map((g: { nodeId: string }) => g.nodeId)).toEqual(['newer']);
  });

  it("hides another user's pipelines, runs and media behind 404", async () => {
    const owner = await registerUser(stack.baseUrl);
    const stranger = await registerUser(stack.baseUrl);
    const pipeline = await owner.client.post('/api/pipelines', { name: 'Mine', graph: storyGraph });
    const { body: run } = await owner.client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'secret' } });
    const done = await waitForRun(owner.client, run.id);
    const mediaId = done.nodes.publish.output.media.id;
    for (const path of [
      `/api/pipelines/${pipeline.body.id}`,
      `/api/runs/${run.id}`,
      `/api/runs/${run.id}/events`,
      `/api/media/${mediaId}`,
      `/api/media/${mediaId}/content`,
    ]) {
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

describe('response checks in tests', () => {
  const Thing = z.strictObject({ id: z.string(), name: z.string() });
  let baseUrl: string;
  let close: () => void;
  beforeAll(async () => {
    const app = express();
    app.use(
      checkResponses({
        'GET /things/:id': { 200: Thing },
        'POST /things': { 201: Thing },
        'GET /things/:id/bytes': { 200: { notJson: true, mediaType: 'application/octet-stream', description: 'The bytes' } },
      }),
    );
    const things = express.Router();
    things.get('/:id', (req, res) => {
      if (req.params.id === 'leaky') res.json({ id: 'leaky', name: 'x', passwordHash: 'secret' });
      else if (req.params.id === 'missing') throw new HttpError(404, 'not_found', 'Thing not found');
      else if (req.params.id === 'bad-error') res.status(409).json({ reason: 'taken' });
      else res.json({ id: req.params.id, name: 'A thing' });
    });
    things.post('/', (_req, res) => {
      res.json({ id: 'made', name: 'answered 200 instead of 201' });
    });
    things.get('/:id/bytes', (_req, res) => {
      res.json({ bytes: 'as JSON instead' });
    });
    things.get('/:id/undeclared', (_req, res) => {
      res.json({ ok: true });
    });
    app.use('/things', things);
    app.use(errorHandler);
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close?.());

  const get = async (path: string, method = 'GET') => {
    const res = await fetch(baseUrl + path, { method });
    return { status: res.status, body: await res.json() };
  };

  it("lets a response that matches its route's schema through untouched", async () => {
    expect(await get('/things/t1')).toEqual({ status: 200, body: { id: 't1', name: 'A thing' } });
    expect(await get('/things/missing')).toEqual({ status: 404, body: { error: 'not_found', message: 'Thing not found' } });
  });

  it('turns a field the schema does not name into a 500 naming the route and the field', async () => {
    const res = await get('/things/leaky');
    expect(res.status).toBe(500);
    expect(res.body.error).toBe('response_mismatch');
    expect(res.body.message).toMatch(/^GET \/things\/:id answered 200 .*passwordHash/);
  });

  it('refuses a status, a route or an error body the table does not declare', async () => {
    expect((await get('/things', 'POST')).body.message).toMatch(/^POST \/things answered 200 with JSON, but .* declares no response/);
    expect((await get('/things/t1/undeclared')).body.message).toMatch(/^GET \/things\/:id\/undeclared answered 200/);
    expect((await get('/things/t1/bytes')).body.message).toBe(
      'GET /things/:id/bytes answered 200 with JSON, but api/schemas.ts says it sends application/octet-stream',
    );
    const badError = await get('/things/bad-error');
    expect(badError.status).toBe(500);
    expect(badError.body.message).toMatch(/answered 409 .*error/);
  });
});
