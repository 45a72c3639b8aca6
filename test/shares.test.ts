import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactUrl, type ArtifactRef } from '../workflows/pipeline';
import { edge } from './support/graphs';
import { apiClient, registerUser, startStack, waitForRun, type Stack } from './support/stack';

type User = Awaited<ReturnType<typeof registerUser>>;

/**
 * Text, sound and a picture, all offline and quick (the local voice on one short sentence, the sketch
 * renderer; not the Flite voices, whose WASI module crashed the test process now and then): a caption nobody
 * publishes, and a prompt, a narration and a cover that Upload steps publish as media. Its texts and labels
 * carry markup, which the share page must show as text.
 */
const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'prompt', type: 'template', params: { template: 'A tale of {{topic}} & <b>friends</b>' }, label: 'Prompt' },
    { id: 'caption', type: 'template', params: { template: 'Caption: {{topic}} <script>alert(1)</script>' } },
    { id: 'voice', type: 'narration', params: {}, label: 'Narration' },
    { id: 'cover', type: 'illustration', params: { size: '256x256', seed: 3, style: 'ink' }, label: 'Cover <art>' },
    { id: 'publishText', type: 'upload', params: {} },
    { id: 'publishAudio', type: 'upload', params: {} },
    { id: 'publishCover', type: 'upload', params: {} },
  ],
  edges: [
    edge('topic', 'value', 'prompt', 'topic'),
    edge('topic', 'value', 'caption', 'topic'),
    edge('prompt', 'text', 'voice', 'text'),
    edge('prompt', 'text', 'cover', 'prompt'),
    edge('prompt', 'text', 'publishText', 'file'),
    edge('voice', 'audio', 'publishAudio', 'file'),
    edge('cover', 'image', 'publishCover', 'file'),
  ],
};
/** Still running when it is shared. */
const slowGraph = {
  nodes: [
    { id: 'text', type: 'input', params: { name: 'text' } },
    { id: 'hold', type: 'delay', params: { ms: 20_000 } },
  ],
  edges: [edge('text', 'value', 'hold', 'in')],
};

describe.each([
  { backends: 'embedded' as const, label: 'PGlite + in-process bus + local files' },
  { backends: 'servers' as const, label: 'PostgreSQL + Redis + S3 (moto)' },
])('run archives and share links on $label', ({ backends }) => {
  let stack: Stack;
  let owner: User;
  let stranger: User;
  let run: any;
  let otherRun: any;
  const anonymous = () => apiClient(stack.baseUrl);

  /** The response's bytes (following redirects), with its status and headers. */
  const fetchBytes = async (path: string, token?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(stack.baseUrl + path, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
    return { status: res.status, headers: res.headers, url: res.url, bytes: new Uint8Array(await res.arrayBuffer()) };
  };
  const runOf = async (topic: string) => {
    const pipelineId = (await owner.client.post('/api/pipelines', { name: `Tales of ${topic}`, graph })).body.id;
    const started = await owner.client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic } });
    expect(started.status, started.text).toBe(201);
    const done = await waitForRun(owner.client, started.body.id, 120_000);
    expect(done.status, done.error).toBe('succeeded');
    return done;
  };
  const share = async (runId: string) => {
    const res = await owner.client.post(`/api/runs/${runId}/share`, {});
    expect(res.status, res.text).toBe(201);
    return res.body as { id: string; url: string };
  };
  const mediaIds = (r: any) => ['publishText', 'publishAudio', 'publishCover'].map((id) => r.nodes[id].output.media.id as string);

  beforeAll(async () => {
    stack = await startStack({ backends });
    owner = await registerUser(stack.baseUrl);
    stranger = await registerUser(stack.baseUrl);
    run = await runOf('otters');
    otherRun = await runOf('herons');
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("zips every media item's bytes, each step's artifacts and texts, and a manifest of the run", async () => {
    const res = await fetchBytes(`/api/runs/${run.id}/archive`, owner.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="Tales-of-otters-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.zip"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const files = unzipSync(res.bytes);
    expect(Object.keys(files).sort()).toEqual(
      [
        'caption-text.txt',
        'cover-art-image.png',
        'manifest.json',
        'narration-audio.wav',
        'prompt-text.txt',
        'publish-audio-audio.wav',
        'publish-cover-image.png',
        'publish-text-text.txt',
      ].sort(),
    );

    const [textId, audioId, coverId] = mediaIds(run);
    const media = async (id: string) => (await fetchBytes(`/api/media/${id}/content`, owner.token)).bytes;
    expect(files['publish-text-text.txt']).toEqual(await media(textId));
    expect(files['publish-audio-audio.wav']).toEqual(await media(audioId));
    expect(files['publish-cover-image.png']).toEqual(await media(coverId));
    const artifact = async (ref: ArtifactRef) => (await fetchBytes(artifactUrl(ref), owner.token)).bytes;
    expect(files['narration-audio.wav']).toEqual(await artifact(run.nodes.voice.output.audio));
    expect(files['cover-art-image.png']).toEqual(await artifact(run.nodes.cover.output.image));
    expect(strFromU8(files['narration-audio.wav'].slice(0, 4))).toBe('RIFF');
    expect(strFromU8(files['prompt-text.txt'])).toBe('A tale of otters & <b>friends</b>');
    expect(strFromU8(files['caption-text.txt'])).toBe('Caption: otters <script>alert(1)</script>');

    const manifest = JSON.parse(strFromU8(files['manifest.json']));
    expect(manifest.run).toMatchObject({ id: run.id, status: 'succeeded', error: null, trigger: { kind: 'studio' } });
    expect(manifest.pipeline).toEqual({ id: run.pipelineId, name: 'Tales of otters', version: 1 });
    expect(manifest.inputs).toEqual({ topic: 'otters' });
    expect(manifest.outputs).toEqual(run.outputs);
    expect(manifest.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual(
      graph.nodes.map((n) => [n.id, 'succeeded']),
    );
    expect(manifest.files.map((f: { name: string }) => f.name).sort()).toEqual(
      Object.keys(files)
        .filter((n) => n !== 'manifest.json')
        .sort(),
    );
    for (const file of manifest.files) expect(file.size, file.name).toBe(files[file.name].byteLength);
    expect(manifest.files.find((f: { name: string }) => f.name === 'publish-cover-image.png')).toMatchObject({
      step: 'publishCover',
      kind: 'image',
      mimeType: 'image/png',
      media: true,
    });
    expect(manifest.missing).toEqual([]);
  });

  it("opens the archive with a signed link, and answers 404 for another user's run", async () => {
    const path = `/api/runs/${run.id}/archive`;
    const signed = await owner.client.post('/api/signed-urls', { paths: [path] });
    expect(signed.body.urls.map((u: { path: string }) => u.path)).toEqual([path]);
    const viaLink = await fetchBytes(signed.body.urls[0].url);
    expect(viaLink.status).toBe(200);
    expect(Object.keys(unzipSync(viaLink.bytes))).toContain('manifest.json');

    expect((await stranger.client.post('/api/signed-urls', { paths: [path] })).body.urls).toEqual([]);
    const theirs = await stranger.client.get(path);
    expect([theirs.status, theirs.body.error]).toEqual([404, 'not_found']);
    expect((await anonymous().get(path)).status).toBe(401);
  });

  it('lists the run in the archive manifest as missing what storage no longer has, and still sends the rest', async () => {
    const doomed = await runOf('moles');
    await stack.services.blobs.delete(doomed.nodes.voice.output.audio.key);
    const files = unzipSync((await fetchBytes(`/api/runs/${doomed.id}/archive`, owner.token)).bytes);
    expect(files['narration-audio.wav']).toBeUndefined();
    expect(files['publish-audio-audio.wav']).toBeDefined();
    const manifest = JSON.parse(strFromU8(files['manifest.json']));
    expect(manifest.missing).toEqual([
      { name: 'narration-audio.wav', step: 'voice', kind: 'audio', mimeType: 'audio/wav', media: false, reason: 'missing from storage' },
    ]);
  });

  it("serves a share page without a login: the pictures, the sound and the texts, escaped, and nothing of the account's", async () => {
    const link = await share(run.id);
    expect(link.url).toMatch(/^\/s\/[A-Za-z0-9_-]{43}$/);
    const token = link.url.slice(3);
    const page = await fetchBytes(link.url, undefined, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe(`/api/public/shares/${token}`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = new TextDecoder().decode(page.bytes);

    // Published outputs once (the media item), unpublished ones too; never the input.
    const srcs = [...html.matchAll(/<(img|audio) [^>]*src="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(srcs).toEqual([
      ['audio', `/api/public/shares/${token}/media/2`],
      ['img', `/api/public/shares/${token}/media/3`],
    ]);
    expect(html).toContain('<p class="text">Caption: otters &lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html).toContain('<p class="text">A tale of otters &amp; &lt;b&gt;friends&lt;/b&gt;</p>');
    // Captions are the steps' labels (an Upload step's: what it publishes), escaped too.
    expect([...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1])).toEqual(['Prompt', 'Template', 'Narration', 'Cover &lt;art&gt;']);
    expect(html).not.toMatch(/<script|<b>/);
    for (const secret of [owner.email, owner.userId, run.id, run.pipelineId, run.projectId, ...mediaIds(run), 'Tales of otters', 'topic'])
      expect(html, `the page shows ${secret}`).not.toContain(secret);

    const [, audioId, coverId] = mediaIds(run);
    const audio = await fetchBytes(`/api/public/shares/${token}/media/2`);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    expect(audio.bytes).toEqual((await fetchBytes(`/api/media/${audioId}/content`, owner.token)).bytes);
    const cover = await fetchBytes(`/api/public/shares/${token}/media/3`);
    expect(cover.bytes).toEqual((await fetchBytes(`/api/media/${coverId}/content`, owner.token)).bytes);
    const ranged = await fetchBytes(`/api/public/shares/${token}/media/2`, undefined, { range: 'bytes=0-3' });
    expect([ranged.status, strFromU8(ranged.bytes)]).toEqual([206, 'RIFF']);
    const text = await fetchBytes(`/api/public/shares/${token}/media/1`);
    expect(strFromU8(text.bytes)).toBe('Caption: otters <script>alert(1)</script>');
    expect(text.headers.get('content-security-policy')).toContain('sandbox');

    const listed = await owner.client.get(`/api/runs/${run.id}/shares`);
    expect(listed.status).toBe(200);
    expect(listed.body.shares).toEqual([{ id: link.id, createdAt: expect.any(String), views: 1, lastViewedAt: expect.any(String) }]);
  });

  it("reaches only its own run's files: another run's share has its own, and past the last file is 404", async () => {
    const mine = (await share(run.id)).url.slice(3);
    const theirs = (await share(otherRun.id)).url.slice(3);
    const picture = (token: string) => fetchBytes(`/api/public/shares/${token}/media/3`);
    const [a, b] = [await picture(mine), await picture(theirs)];
    expect(a.bytes).toEqual((await fetchBytes(`/api/media/${mediaIds(run)[2]}/content`, owner.token)).bytes);
    expect(b.bytes).toEqual((await fetchBytes(`/api/media/${mediaIds(otherRun)[2]}/content`, owner.token)).bytes);
    expect(a.bytes).not.toEqual(b.bytes);
    const past = await anonymous().get(`/api/public/shares/${mine}/media/5`);
    expect([past.status, past.body.error]).toEqual([404, 'not_found']);
  });

  it('stops the page and its files at once when revoked: 404 (a page for browsers), and off the list', async () => {
    const link = await share(run.id);
    const token = link.url.slice(3);
    expect((await fetchBytes(`/api/public/shares/${token}/media/3`)).status).toBe(200);
    const revoked = await owner.client.request('DELETE', `/api/shares/${link.id}`);
    expect(revoked.status).toBe(204);

    const json = await anonymous().get(`/api/public/shares/${token}`);
    expect([json.status, json.body.error]).toEqual([404, 'not_found']);
    const page = await fetchBytes(link.url, undefined, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(new TextDecoder().decode(page.bytes)).toContain('This link doesn’t work');
    expect((await fetchBytes(`/api/public/shares/${token}/media/3`)).status).toBe(404);
    expect((await owner.client.get(`/api/runs/${run.id}/shares`)).body.shares.map((s: { id: string }) => s.id)).not.toContain(link.id);
    expect((await owner.client.request('DELETE', `/api/shares/${link.id}`)).status).toBe(404);
  });

  it("answers 404 for another user's run and share, leaving the share working", async () => {
    const link = await share(run.id);
    for (const res of [
      await stranger.client.post(`/api/runs/${run.id}/share`, {}),
      await stranger.client.get(`/api/runs/${run.id}/shares`),
      await stranger.client.request('DELETE', `/api/shares/${link.id}`),
    ])
      expect([res.status, res.body.error]).toEqual([404, 'not_found']);
    expect((await anonymous().get(`/api/public/shares/${link.url.slice(3)}`)).status).toBe(200);
  });

  it('refuses bad input naming the field, and a run still going with 409', async () => {
    const client = owner.client;
    const body = await client.post(`/api/runs/${run.id}/share`, { title: 'x' });
    expect(body.status).toBe(400);
    expect(body.body.message).toContain('title');
    const id = await client.post(`/api/runs/not-a-run/share`, {});
    expect([id.status, id.body.message]).toEqual([400, 'Invalid path: id: must be a valid id']);
    const token = await anonymous().get('/api/public/shares/short');
    expect([token.status, token.body.message]).toEqual([400, 'Invalid path: token: must be a share link token']);
    const unknown = await anonymous().get(`/api/public/shares/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    const live = (await share(run.id)).url.slice(3);
    for (const index of ['-1', '01', 'abc', '1.5', '99999']) {
      const res = await anonymous().get(`/api/public/shares/${live}/media/${index}`);
      expect([res.status, index]).toEqual([400, index]);
      expect(res.body.message).toContain('index');
    }

    const slowPipeline = (await client.post('/api/pipelines', { name: 'Slow', graph: slowGraph })).body.id;
    const slow = await client.post(`/api/pipelines/${slowPipeline}/runs`, { inputs: { text: 'wait' } });
    const early = await client.post(`/api/runs/${slow.body.id}/share`, {});
    expect([early.status, early.body.error]).toEqual([409, 'run_active']);
    await client.post(`/api/runs/${slow.body.id}/cancel`);
  });
});
