import { randomUUID } from 'node:crypto';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge } from './support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from './support/stack';

type User = Awaited<ReturnType<typeof registerUser>>;
interface Item {
  id: string;
  title: string;
  name: string | null;
  kind: string;
  url: string;
  storageKey: string;
  pipelineId: string | null;
  pipelineName: string | null;
  inputExcerpt: string | null;
  nodeLabel: string | null;
  runId: string | null;
}

/** topic → upload, the upload labelled "Story file". */
const storyGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'publish', type: 'upload', params: {}, label: 'Story file' },
  ],
  edges: [edge('topic', 'value', 'publish', 'file')],
};
/** topic → illustration → upload (unlabelled: titled by its type). */
const coverGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'cover', type: 'illustration', params: { size: '256x256', seed: 1 } },
    { id: 'save', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'cover', 'prompt'), edge('cover', 'image', 'save', 'file')],
};

describe.each([
  { backends: 'embedded' as const, label: 'PGlite + local files' },
  { backends: 'servers' as const, label: 'PostgreSQL + Redis + S3 (moto)' },
])('Media library on $label', ({ backends }) => {
  let stack: Stack;
  let owner: User;
  let stranger: User;
  let stories: string;
  let covers: string;
  const runIds: Record<string, string> = {};

  const send = (user: User, method: string, path: string, body?: unknown) => user.client.request(method, path, body);
  const list = async (user: User, query = '') => {
    const res = await user.client.get(`/api/media${query}`);
    expect(res.status, res.text).toBe(200);
    return res.body.media as Item[];
  };
  const bytesOf = async (user: User, path: string) => {
    const res = await fetch(stack.baseUrl + path, {
      headers: { authorization: `Bearer ${user.token}` },
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const archive = (user: User, ids: string[]) =>
    fetch(`${stack.baseUrl}/api/media/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids }),
      signal: AbortSignal.timeout(30_000),
    });
  const runOf = async (pipelineId: string, topic: string) => {
    const started = await owner.client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic } });
    expect(started.status, started.text).toBe(201);
    const done = await waitForRun(owner.client, started.body.id);
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    runIds[topic] = done.id;
  };

  beforeAll(async () => {
    stack = await startStack({ backends });
    owner = await registerUser(stack.baseUrl);
    stranger = await registerUser(stack.baseUrl);
    stories = (await owner.client.post('/api/pipelines', { name: 'Otter stories', graph: storyGraph })).body.id;
    covers = (await owner.client.post('/api/pipelines', { name: 'Covers', graph: coverGraph })).body.id;
    await runOf(stories, 'otters on the river');
    await runOf(stories, 'herons at dawn, a long morning of standing very still in the reeds until the fish forget them');
    await runOf(covers, 'a heron');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('titles each item by pipeline, run input and step, with where it came from', async () => {
    const media = await list(owner);
    expect(media.map((m) => m.title)).toEqual([
      'Covers · a heron · illustration',
      'Otter stories · herons at dawn, a long morning of standing very still in the reeds until the… · Story file',
      'Otter stories · otters on the river · Story file',
    ]);
    expect(media[2]).toMatchObject({
      name: null,
      kind: 'text',
      pipelineId: stories,
      pipelineName: 'Otter stories',
      inputExcerpt: 'otters on the river',
      nodeLabel: 'Story file',
      runId: runIds['otters on the river'],
    });
    expect(media[0]).toMatchObject({ kind: 'image', pipelineId: covers, nodeLabel: 'illustration' });
  });

  it('searches titles (pipeline name, run input text, name) and filters by kind and pipeline', async () => {
    const titles = async (query: string) => (await list(owner, query)).map((m) => m.title.split(' · ').slice(0, 2).join(' · '));
    expect(await titles('?q=HERON')).toHaveLength(2);
    expect(await titles('?q=otter%20stories')).toHaveLength(2);
    expect(await titles('?q=river')).toEqual(['Otter stories · otters on the river']);
    expect(await titles('?q=%25')).toEqual([]); // a literal %, not a wildcard
    expect(await titles('?q=_')).toEqual([]);
    expect(await titles('?kind=image')).toEqual(['Covers · a heron']);
    expect(await titles('?kind=text')).toHaveLength(2);
    expect(await titles('?kind=video')).toEqual([]);
    expect(await titles(`?pipelineId=${covers}`)).toEqual(['Covers · a heron']);
    expect(await titles(`?pipelineId=${stories}&q=heron`)).toHaveLength(1);
    expect(await titles(`?q=%20%20`)).toHaveLength(3); // blank: no search
    // Another user's pipeline filters to nothing of theirs, and nothing of the owner's.
    expect(await list(stranger, `?pipelineId=${stories}`)).toEqual([]);
    expect(await list(stranger, '?q=heron')).toEqual([]);
  });

  it('renames an item: the name is its title and is searchable; null gives the default title back', async () => {
    const [item] = await list(owner, '?q=river');
    const renamed = await owner.client.patch(`/api/media/${item.id}`, { name: '  River tale, final  ' });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ id: item.id, name: 'River tale, final', title: 'River tale, final' });
    expect((await owner.client.get(`/api/media/${item.id}`)).body.title).toBe('River tale, final');
    expect((await list(owner, '?q=final')).map((m) => m.id)).toEqual([item.id]);
    const reset = await owner.client.patch(`/api/media/${item.id}`, { name: null });
    expect(reset.body).toMatchObject({ name: null, title: item.title });
  });

  it('zips several items: one file each, named after their titles (safe and unique), with their exact bytes', async () => {
    const media = await list(owner);
    await owner.client.patch(`/api/media/${media[1].id}`, { name: 'Same: name/with slashes?' });
    await owner.client.patch(`/api/media/${media[2].id}`, { name: 'Same: name/with slashes?' });
    const res = await archive(owner, [media[0].id, media[1].id, media[2].id, media[2].id]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="media-3-items\.zip"/);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(files)).toEqual([
      'Covers · a heron · illustration.png',
      'Same_ name/with slashes_.txt',
      'Same_ name/with slashes_-2.txt',
    ]);
    const expected = await Promise.all(media.map(async (m) => (await bytesOf(owner, m.url)).bytes));
    expect(Buffer.from(files['Covers · a heron · illustration.png']).equals(expected[0])).toBe(true);
    expect(Buffer.from(files['Same_ name/with slashes_.txt']).equals(expected[1])).toBe(true);
    expect(Buffer.from(files['Same_ name/with slashes_-2.txt']).toString()).toBe('otters on the river');
    expect(expected[0].subarray(1, 4).toString()).toBe('PNG');
    for (const m of media) await owner.client.patch(`/api/media/${m.id}`, { name: null });
  });

  it("answers 404 for another user's ids on every media route, and changes nothing", async () => {
    const [item] = await list(owner);
    for (const [method, path, body] of [
      ['GET', `/api/media/${item.id}`],
      ['GET', `/api/media/${item.id}/content`],
      ['PATCH', `/api/media/${item.id}`, { name: 'mine now' }],
      ['DELETE', `/api/media/${item.id}`],
      ['POST', '/api/media/archive', { ids: [item.id] }],
    ] as const) {
      const res = await send(stranger, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toBe('not_found');
    }
    // One of theirs among the stranger's own ids refuses the whole zip.
    const res = await archive(owner, [item.id, randomUUID()]);
    expect(res.status).toBe(404);
    const still = await owner.client.get(`/api/media/${item.id}`);
    expect(still.body).toMatchObject({ name: null, title: item.title });
    expect((await bytesOf(owner, item.url)).status).toBe(200);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const [item] = await list(owner);
    const refused = async (method: string, path: string, field: string, body?: unknown) => {
      const res = await owner.client.request(method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.message).toContain(field);
    };
    await refused('GET', '/api/media?kind=gif', 'kind');
    await refused('GET', '/api/media?pipelineId=nope', 'pipelineId');
    await refused('GET', `/api/media?q=${'x'.repeat(201)}`, 'q');
    await refused('GET', '/api/media?after=nope', 'after');
    await refused('PATCH', `/api/media/${item.id}`, 'name', { name: '   ' });
    await refused('PATCH', `/api/media/${item.id}`, 'name', { name: 'x'.repeat(201) });
    await refused('PATCH', `/api/media/${item.id}`, 'name', {});
    await refused('PATCH', '/api/media/nope', 'id', { name: 'x' });
    await refused('POST', '/api/media/archive', 'ids', { ids: [] });
    await refused('POST', '/api/media/archive', 'ids', { ids: ['nope'] });
    await refused('POST', '/api/media/archive', 'ids', { ids: Array.from({ length: 201 }, () => randomUUID()) });
    await refused('DELETE', '/api/media/nope', 'id');
  });

  it('deletes an item and its bytes: its content answers 404, the run and everything that pointed at it still answer', async () => {
    const project = (await owner.client.get('/api/projects')).body.projects[0].id;
    const opened = await owner.client.patch(`/api/projects/${project}`, { isPublic: true });
    const [cover] = await list(owner, '?kind=image');
    const publicMedia = async () =>
      (await fetch(`${stack.baseUrl}/api${opened.body.publicPath.replace(/^\/p\//, '/public/projects/')}`)).json();
    expect((await publicMedia()).media.map((m: { id: string }) => m.id)).toContain(cover.id);
    expect(await stack.services.blobs.head(cover.storageKey)).not.toBeNull();

    const deleted = await send(owner, 'DELETE', `/api/media/${cover.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(await stack.services.blobs.head(cover.storageKey)).toBeNull();
    expect((await bytesOf(owner, cover.url)).status).toBe(404);
    expect((await owner.client.get(`/api/media/${cover.id}`)).status).toBe(404);
    expect((await send(owner, 'DELETE', `/api/media/${cover.id}`)).status).toBe(404);
    expect((await archive(owner, [cover.id])).status).toBe(404);
    expect((await list(owner)).map((m) => m.id)).not.toContain(cover.id);
    expect((await publicMedia()).media.map((m: { id: string }) => m.id)).not.toContain(cover.id);
    const publicContent = await fetch(
      `${stack.baseUrl}/api${opened.body.publicPath.replace(/^\/p\//, '/public/projects/')}/media/${cover.id}/content`,
    );
    expect(publicContent.status).toBe(404);

    // The run that made it still opens; its output's media link finds nothing, and its usage record stays.
    const run = await owner.client.get(`/api/runs/${cover.runId}`);
    expect(run.status).toBe(200);
    expect(run.body.nodes.save.output.media.id).toBe(cover.id);
    expect((await bytesOf(owner, run.body.nodes.save.output.media.url)).status).toBe(404);
    const signed = await owner.client.post('/api/signed-urls', { paths: [cover.url] });
    expect(signed.body.urls).toEqual([]);
    const generations = await owner.client.get('/api/settings/generations');
    expect(generations.status).toBe(200);
    // The picture itself (the run's artifact) was never the library's to delete.
    expect(await stack.services.blobs.head(run.body.nodes.cover.output.image.key)).not.toBeNull();
  });

  it('pages 3,000 items with `after`, filtered or not, each exactly once and newest first', { timeout: 120_000 }, async () => {
    const projectId = (await owner.client.get('/api/projects')).body.projects[0].id;
    const blob = await stack.services.blobs.put(`users/${owner.userId}/media/bench/sample.txt`, 'many', { contentType: 'text/plain' });
    const now = Date.now();
    const made: string[] = [];
    for (let start = 0; start < 3000; start += 500) {
      const rows = Array.from({ length: 500 }, (_, k) => {
        const i = start + k;
        const id = randomUUID();
        made.push(id);
        return {
          id,
          user_id: owner.userId,
          project_id: projectId,
          node_id: i % 2 ? `odd-${i}` : `even-${i}`,
          storage_key: blob.key,
          mime_type: 'text/plain',
          kind: 'text',
          size: blob.size,
          sha256: blob.sha256,
          // Pairs share a timestamp: the id breaks the tie.
          created_at: new Date(now - 86_400_000 - Math.floor(i / 2) * 1000),
        };
      });
      await stack.services.db.insertInto('media').values(rows).execute();
    }
    const pageAll = async (query: string) => {
      const seen: string[] = [];
      for (let pages = 0; pages < 100; pages++) {
        const after = seen.length ? `&after=${seen.at(-1)}` : '';
        const page = await list(owner, `?limit=200${query}${after}`);
        seen.push(...page.map((m) => m.id));
        if (page.length < 200) break;
      }
      return seen;
    };
    const all = await pageAll('');
    expect(all).toHaveLength(3002);
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all.slice(2))).toEqual(new Set(made));
    const odd = await pageAll('&q=odd-');
    expect(odd).toHaveLength(1500);
    expect(new Set(odd)).toEqual(new Set(made.filter((_, i) => i % 2)));

    // They share one stored object: deleting one keeps the bytes for the others.
    expect((await send(owner, 'DELETE', `/api/media/${made[0]}`)).status).toBe(204);
    expect(await stack.services.blobs.head(blob.key)).not.toBeNull();
    expect((await bytesOf(owner, `/api/media/${made[1]}/content`)).bytes.toString()).toBe('many');
  });
});
