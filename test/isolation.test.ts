import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startStack, waitForRun, type Stack } from './support/stack';

type User = Awaited<ReturnType<typeof registerUser>>;

const TEXT = 'Only the owner wrote this.';

/** A text published as media, and a picture left as a run artifact (no upload). */
const ownerGraph = {
  nodes: [
    { id: 'text', type: 'input', params: { name: 'text' } },
    { id: 'publish', type: 'upload', params: {} },
    { id: 'pic', type: 'illustration', params: { size: '256x256' } },
  ],
  edges: [
    { source: 'text', sourceHandle: 'value', target: 'publish', targetHandle: 'file' },
    { source: 'text', sourceHandle: 'value', target: 'pic', targetHandle: 'prompt' },
  ],
};

/** `input → upload`, the upload named by `key` (the shape a saved graph has). */
const uploadGraph = (kind: 'text' | 'json', params: Record<string, unknown> = {}, input: Record<string, unknown> = {}) => ({
  nodes: [
    { id: 'doc', type: 'input', params: { name: 'doc', kind, ...input } },
    { id: 'publish', type: 'upload', params },
  ],
  edges: [{ source: 'doc', sourceHandle: 'value', target: 'publish', targetHandle: 'file' }],
});

async function run(user: User, graph: unknown, inputs: Record<string, unknown>) {
  const pipeline = await user.client.post('/api/pipelines', { name: 'p', graph });
  expect(pipeline.status, pipeline.text).toBe(201);
  const started = await user.client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs });
  expect(started.status, started.text).toBe(201);
  return waitForRun(user.client, started.body.id);
}

describe.each([
  { backends: 'embedded' as const, label: 'PGlite + local files' },
  { backends: 'servers' as const, label: 'PostgreSQL + Redis + S3 (moto)' },
])('Storage isolation on $label', ({ backends }) => {
  let stack: Stack;
  let owner: User;
  let stranger: User;
  /** The owner's published text and left-behind picture, as the owner sees them. */
  let ownerRun: { id: string; media: { id: string; url: string; storageKey: string; size: number }; picKey: string; picBytes: Buffer };

  // A stored size that no longer matches the bytes leaves a download hanging: fail it instead.
  const fetchAs = (user: User, path: string, headers: Record<string, string> = {}) =>
    fetch(stack.baseUrl + path, { headers: { authorization: `Bearer ${user.token}`, ...headers }, signal: AbortSignal.timeout(15_000) });
  const artifactPath = (key: string) => `/api/${key.replace(/^runs\/([^/]+)\//, 'runs/$1/artifacts/')}`;

  beforeAll(async () => {
    stack = await startStack({ backends });
    owner = await registerUser(stack.baseUrl);
    stranger = await registerUser(stack.baseUrl);
    const done = await run(owner, ownerGraph, { text: TEXT });
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    const media = (await owner.client.get(`/api/media/${done.nodes.publish.output.media.id}`)).body;
    const picKey = done.nodes.pic.output.image.key as string;
    const picBytes = Buffer.from(await (await fetchAs(owner, artifactPath(picKey))).arrayBuffer());
    ownerRun = { id: done.id, media, picKey, picBytes };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("never lets an upload key overwrite another user's media or run artifacts", async () => {
    const keys = [ownerRun.media.storageKey, ownerRun.picKey, `../../${ownerRun.media.storageKey}`, `/${ownerRun.picKey}`];
    const runs = [];
    for (const key of keys) runs.push(await run(stranger, uploadGraph('text', { key }), { doc: 'the stranger was here' }));

    const media = await fetchAs(owner, ownerRun.media.url);
    expect(media.status).toBe(200);
    expect(await media.text()).toBe(TEXT);
    expect(Number(media.headers.get('content-length'))).toBe(ownerRun.media.size);
    const pic = await fetchAs(owner, artifactPath(ownerRun.picKey));
    expect(Buffer.from(await pic.arrayBuffer()).equals(ownerRun.picBytes)).toBe(true);

    // The names were only names: each upload landed in a folder of its own in the stranger's namespace.
    expect(ownerRun.media.storageKey.startsWith(`users/${owner.userId}/media/${ownerRun.media.id}/`)).toBe(true);
    for (const [i, done] of runs.entries()) {
      expect(done.status, keys[i]).toBe('succeeded');
      const theirs = (await stranger.client.get(`/api/media/${done.nodes.publish.output.media.id}`)).body;
      expect(theirs.storageKey.startsWith(`users/${stranger.userId}/media/${theirs.id}/`), theirs.storageKey).toBe(true);
    }
  });

  it('keeps old saved upload names working, each upload in its own folder', async () => {
    const done = await run(owner, uploadGraph('text', { key: '{{project}}/{{run}}/{{node}}{{ext}}' }), { doc: 'again' });
    const media = (await owner.client.get(`/api/media/${done.nodes.publish.output.media.id}`)).body;
    expect(media.storageKey).toMatch(new RegExp(`^users/${owner.userId}/media/${media.id}/[0-9a-f-]{36}-${done.id}-publish\\.txt$`));
    expect(await (await fetchAs(owner, media.url)).text()).toBe('again');
  });

  it('refuses run inputs shaped like artifact references, naming the input, and copies nothing', async () => {
    const ref = { artifact: true, key: ownerRun.media.storageKey, mimeType: 'text/html', size: 1 };
    const pipeline = await stranger.client.post('/api/pipelines', { name: 'steal', graph: uploadGraph('json') });
    for (const [doc, where] of [
      [ref, 'inputs.doc'],
      [{ ...ref, key: ownerRun.picKey, mimeType: 'image/png' }, 'inputs.doc'],
      [{ wrapped: [ref] }, 'inputs.doc.wrapped.0'],
    ] as const) {
      const res = await stranger.client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { doc } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_inputs' });
      expect(res.body.message).toContain(`${where}: artifact references are made by the server`);
    }
    const withDefault = await stranger.client.post('/api/pipelines', {
      name: 'steal by default',
      graph: uploadGraph('json', {}, { default: ref }),
    });
    const res = await stranger.client.post(`/api/pipelines/${withDefault.body.id}/runs`, { inputs: {} });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('inputs.doc: artifact references');
    expect((await stranger.client.get('/api/media')).body.media.map((m: { storageKey: string }) => m.storageKey)).not.toContain(
      ownerRun.media.storageKey,
    );
    expect(
      (await stranger.client.get('/api/media')).body.media.every((m: { storageKey: string }) =>
        m.storageKey.startsWith(`users/${stranger.userId}/`),
      ),
    ).toBe(true);
  });

  it('serves script-free types inline, HTML inline in a script sandbox without the origin, anything else as a sandboxed download, never sniffed', async () => {
    const text = await fetchAs(owner, ownerRun.media.url);
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(text.headers.get('x-content-type-options')).toBe('nosniff');
    expect(text.headers.get('content-disposition')).toBe('inline; filename="publish.txt"');
    expect(text.headers.get('content-security-policy')).toMatch(/^default-src 'none';.*\bsandbox\b/);

    const pic = await fetchAs(owner, artifactPath(ownerRun.picKey));
    expect(pic.headers.get('content-type')).toBe('image/png');
    expect(pic.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(pic.headers.get('x-content-type-options')).toBe('nosniff');

    const json = await run(owner, uploadGraph('json'), { doc: { hello: 'world' } });
    const jsonRes = await fetchAs(owner, json.nodes.publish.output.media.url);
    expect(jsonRes.headers.get('content-type')).toBe('application/json');
    expect(jsonRes.headers.get('content-disposition')).toBe('attachment; filename="publish.json"');
    expect(jsonRes.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");

    // Whatever else ends up stored for a run (a future node, a provider's odd answer) is served the same way.
    const blobs = stack.services.blobs;
    const stored: [string, string, string][] = [
      ['logo.svg', 'image/svg+xml', 'image/svg+xml'],
      ['odd.bin', 'html', 'application/octet-stream'],
    ];
    for (const [name, contentType, served] of stored) {
      const key = `runs/${ownerRun.id}/extra/${name}`;
      await blobs.put(key, '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/><script>alert(1)</script>', { contentType });
      const res = await fetchAs(owner, artifactPath(key));
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toBe(served);
      expect(res.headers.get('content-disposition'), name).toBe(`attachment; filename="${name}"`);
      expect(res.headers.get('content-security-policy'), name).toBe("default-src 'none'; sandbox");
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
    }

    // A page (a storybook) shows in place, its script sandboxed into an opaque origin that can fetch nothing.
    const pageKey = `runs/${ownerRun.id}/extra/page.html`;
    await blobs.put(pageKey, '<script>alert(1)</script>', { contentType: 'text/html' });
    const page = await fetchAs(owner, artifactPath(pageKey));
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-disposition')).toBe('inline; filename="page.html"');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none';/);
    expect(csp).toMatch(/\bsandbox allow-scripts$/);
    expect(csp).not.toContain('allow-same-origin');
    expect(csp).not.toContain('connect-src');
  });

  it('answers ranges: one range served, unsatisfiable ones 416 with the size, odd ones ignored, never 500', async () => {
    const size = Buffer.byteLength(TEXT);
    const get = (range: string) => fetchAs(owner, ownerRun.media.url, { range });

    const tail = await get('bytes=-5');
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 5}-${size - 1}/${size}`);
    expect(await tail.text()).toBe(TEXT.slice(-5));
    const clamped = await get('bytes=3-99999999999999999999999');
    expect(clamped.status).toBe(206);
    expect(await clamped.text()).toBe(TEXT.slice(3));

    for (const range of ['bytes=-0', `bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, 'bytes=99999999999999999999999-']) {
      const res = await get(range);
      expect(res.status, range).toBe(416);
      expect(res.headers.get('content-range'), range).toBe(`bytes */${size}`);
      expect((await res.json()).error, range).toBe('range_not_satisfiable');
    }
    for (const range of ['bytes=0-1,4-5', 'bytes=5-2', 'items=0-3', 'bytes=abc', 'bytes=-', 'bytes=1.5-3', '']) {
      const res = await get(range);
      expect(res.status, range).toBe(200);
      expect(await res.text(), range).toBe(TEXT);
    }

    const key = `runs/${ownerRun.id}/notes/0.txt`;
    await stack.services.blobs.put(key, 'notes', { contentType: 'text/plain; charset=utf-8' });
    const notes = await fetchAs(owner, artifactPath(key));
    expect(notes.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const empty = `runs/${ownerRun.id}/notes/empty.txt`;
    await stack.services.blobs.put(empty, '', { contentType: 'text/plain' });
    const emptyRange = await fetchAs(owner, artifactPath(empty), { range: 'bytes=-1' });
    expect(emptyRange.status).toBe(416);
    expect(emptyRange.headers.get('content-range')).toBe('bytes */0');
  });
});
