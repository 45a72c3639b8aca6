import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUrlSigner } from '../api/signedUrls';
import { createCredentialStore } from '../infra/credentials';
import { artifactUrl } from '../workflows/pipeline';
import { startFakeVendors, type FakeVendors } from './support/fakeVendors';
import { edge } from './support/graphs';
import { apiClient, registerUser, startStack, waitForRun, type Stack } from './support/stack';

const pictureGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'cover', type: 'illustration', params: { size: '256x256', seed: 1 } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'cover', 'prompt'), edge('cover', 'image', 'publish', 'file')],
};

const cloudStoryGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'story', type: 'story', params: { provider: 'openai', words: 40 } },
  ],
  edges: [edge('topic', 'value', 'story', 'prompt')],
};

/** A TCP listener on loopback that counts every connection made to it. */
async function startTrap(): Promise<{ port: number; connections: () => number; stop(): Promise<void> }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('auth hardening', () => {
  let stack: Stack;
  let vendors: FakeVendors;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let runId: string;
  let mediaId: string;
  let mediaPath: string;
  let artifactPath: string;

  beforeAll(async () => {
    vendors = await startFakeVendors();
    // The install's own OpenAI-compatible server on loopback (as a local Ollama would be): trusted.
    const saved = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL };
    process.env.OPENAI_API_KEY = 'sk-ok';
    process.env.OPENAI_BASE_URL = `${vendors.baseUrl}/v1`;
    try {
      stack = await startStack({ backends: 'embedded' });
    } finally {
      for (const [name, value] of [
        ['OPENAI_API_KEY', saved.key],
        ['OPENAI_BASE_URL', saved.url],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    owner = await registerUser(stack.baseUrl);
    const pipeline = await owner.client.post('/api/pipelines', { name: 'Picture', graph: pictureGraph });
    const run = await owner.client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'a fox' } });
    const done = await waitForRun(owner.client, run.body.id);
    expect(done.status, JSON.stringify(done.nodes)).toBe('succeeded');
    runId = run.body.id;
    mediaId = done.nodes.publish.output.media.id;
    mediaPath = done.nodes.publish.output.media.url;
    artifactPath = artifactUrl(done.nodes.cover.output.image);
  });
  afterAll(async () => {
    await stack?.stop();
    await vendors?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(stack.baseUrl + path, { headers });

  it('refuses a token in the URL on every route, reads and writes alike', async () => {
    const q = `access_token=${encodeURIComponent(owner.token)}`;
    const anon = apiClient(stack.baseUrl);
    const attempts = [
      anon.get(`/api/auth/me?${q}`),
      anon.get(`/api/pipelines?${q}`),
      anon.post(`/api/pipelines?${q}`, { name: 'Sneaky', graph: pictureGraph }),
      anon.put(`/api/settings/providers/openai?${q}`, { apiKey: 'sk-x' }),
      anon.get(`/api/runs/${runId}?${q}`),
      anon.post(`/api/runs/${runId}/cancel?${q}`),
      anon.get(`/api/runs/${runId}/events?${q}`),
      anon.get(`/api/media?${q}`),
      anon.get(`${mediaPath}?${q}`),
      anon.get(`${artifactPath}?${q}`),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('unauthorized');
    }
  });

  it('opens one object with a signed link and no header; the link fails for any other object or route', async () => {
    const item = await owner.client.get(`/api/media/${mediaId}`);
    expect(item.body.signedUrl).toMatch(new RegExp(`^${mediaPath}\\?uid=${owner.userId}&exp=\\d+&sig=[\\w-]+$`));
    const listed = await owner.client.get('/api/media');
    expect(listed.body.media[0].signedUrl).toMatch(/&sig=/);

    const bytes = await get(item.body.signedUrl);
    expect(bytes.status).toBe(200);
    expect(
      Buffer.from(await bytes.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    expect((await get(item.body.signedUrl, { range: 'bytes=0-3' })).status).toBe(206);

    const signed = await owner.client.post('/api/signed-urls', { paths: [artifactPath, mediaPath] });
    expect(signed.status).toBe(200);
    expect(signed.body.urls.map((u: { path: string }) => u.path)).toEqual([artifactPath, mediaPath]);
    const expiresIn = Date.parse(signed.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(14 * 60_000);
    expect(expiresIn).toBeLessThan(21 * 60_000);
    const artifactLink = signed.body.urls[0].url as string;
    const artifact = await get(artifactLink);
    expect(artifact.status).toBe(200);
    expect(artifact.headers.get('content-type')).toBe('image/png');

    const mediaQuery = item.body.signedUrl.split('?')[1] as string;
    const otherUser = await registerUser(stack.baseUrl);
    const refused = [
      `${artifactPath}?${mediaQuery}`, // another object
      `/api/media/${mediaId}?${mediaQuery}`, // another route (the JSON record)
      `/api/runs/${runId}?${mediaQuery}`,
      `/api/runs/${runId}/events?${mediaQuery}`,
      item.body.signedUrl.replace(/sig=(.)/, (_: string, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`), // tampered signature
      item.body.signedUrl.replace(/exp=(\d+)/, (_: string, e: string) => `exp=${Number(e) + 300}`), // extended expiry
      item.body.signedUrl.replace(owner.userId, otherUser.userId), // another user
      createUrlSigner(stack.env.JWT_SECRET, () => Date.now() - 3600_000).sign(mediaPath, owner.userId), // expired
    ];
    for (const url of refused) {
      const res = await get(url);
      expect(res.status, url).toBe(401);
    }
    const post = await fetch(stack.baseUrl + item.body.signedUrl, { method: 'POST' });
    expect(post.status).toBe(401);

    // Only the owner gets links, and only for content paths.
    const stranger = await otherUser.client.post('/api/signed-urls', { paths: [mediaPath, artifactPath] });
    expect(stranger.body.urls).toEqual([]);
    const bad = await owner.client.post('/api/signed-urls', { paths: [`/api/runs/${runId}`] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/paths\.0/);
    const traversal = await owner.client.post('/api/signed-urls', { paths: [`/api/runs/${runId}/artifacts/%2e%2e/x`] });
    expect(traversal.status).toBe(400);
  });

  it('logs a failed request without the token, signature or key it carried', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(' ')));
    const stream = stack.services.blobs.stream;
    stack.services.blobs.stream = async () => {
      throw new Error('disk on fire');
    };
    try {
      const { body } = await owner.client.get(`/api/media/${mediaId}`);
      const viaLink = await get(`${body.signedUrl}&access_token=${owner.token}`);
      expect(viaLink.status).toBe(500);
      const viaHeader = await get(`${mediaPath}?apiKey=sk-live-1234&token=tok-5678`, { authorization: `Bearer ${owner.token}` });
      expect(viaHeader.status).toBe(500);
    } finally {
      stack.services.blobs.stream = stream;
      spy.mockRestore();
    }
    const log = errors.join('\n');
    expect(log).toMatch(/disk on fire/);
    expect(log).toContain(`/api/media/${mediaId}/content`);
    const signature = new URL((await owner.client.get(`/api/media/${mediaId}`)).body.signedUrl, stack.baseUrl).searchParams.get('sig')!;
    for (const secret of [owner.token, signature, 'sk-live-1234', 'tok-5678']) expect(log).not.toContain(secret);
  });

  it('refuses provider base URLs that are not public http(s) addresses, naming baseUrl', async () => {
    const { client } = await registerUser(stack.baseUrl);
    for (const baseUrl of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ftp://example.com/',
      'http://127.0.0.1:11434/v1',
      'http://2130706433/',
      'http://[::1]:8080/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.1/',
      'http://192.168.1.10/v1',
      'http://0.0.0.0/',
      'http://localhost:11434/v1',
      'http://user:secret@api.example.com/v1',
      'http://api.example.com\u0000.evil/v1',
    ]) {
      const res = await client.put('/api/settings/providers/openai', { apiKey: 'sk-x', baseUrl });
      expect(res.status, baseUrl).toBe(400);
      expect(res.body.message, baseUrl).toMatch(/baseUrl/);
    }
    expect((await client.put('/api/settings/providers/openai', { apiKey: 'sk-x', baseUrl: 'https://api.example.com/v1' })).status).toBe(
      200,
    );
  });

  it("never connects to a loopback address a user's base URL resolves to, while the install's loopback server keeps working", async () => {
    const trap = await startTrap();
    try {
      // Stored directly, as a name that resolved elsewhere when saved would be: the worker must check at connect time.
      const user = await registerUser(stack.baseUrl);
      await createCredentialStore(stack.services.db, stack.config).set(user.userId, 'openai', {
        apiKey: 'sk-user-secret',
        baseUrl: `http://localhost:${trap.port}/v1`,
      });
      const pipeline = await user.client.post('/api/pipelines', { name: 'Cloud story', graph: cloudStoryGraph });
      const run = await user.client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'Ada' } });
      const failed = await waitForRun(user.client, run.body.id);
      expect(failed.status).toBe('failed');
      expect(failed.nodes.story.attempts).toBe(1);
      expect(failed.nodes.story.error).toMatch(/base URL is not allowed: .*localhost is .*loopback address/);
      expect(trap.connections()).toBe(0);

      // No key of their own: the install's OPENAI_BASE_URL (a loopback fake vendor) is used and trusted.
      const other = await registerUser(stack.baseUrl);
      const second = await other.client.post('/api/pipelines', { name: 'Cloud story', graph: cloudStoryGraph });
      const ok = await other.client.post(`/api/pipelines/${second.body.id}/runs`, { inputs: { topic: 'Ada' } });
      const done = await waitForRun(other.client, ok.body.id);
      expect(done.status, JSON.stringify(done.nodes.story)).toBe('succeeded');
      expect(done.nodes.story.output.text).toContain('lighthouse keeper');
    } finally {
      await trap.stop();
    }
  });

  it('takes as long to refuse an unknown email as a wrong password', async () => {
    const anon = apiClient(stack.baseUrl);
    const timed = async (email: string) => {
      const started = performance.now();
      const res = await anon.post('/api/auth/login', { email, password: 'not the password' });
      expect(res.status).toBe(401);
      return performance.now() - started;
    };
    await timed(owner.email); // warm up
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push(await timed(owner.email));
      unknown.push(await timed(`nobody-${i}@example.com`));
    }
    const ratio = median(unknown) / median(known);
    expect(ratio, `known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it("answers 401 to a deleted account's token and signed links", async () => {
    const doomed = await registerUser(stack.baseUrl);
    expect((await doomed.client.get('/api/auth/me')).status).toBe(200);
    const link = createUrlSigner(stack.env.JWT_SECRET).sign(mediaPath, doomed.userId);
    await stack.services.db.deleteFrom('users').where('id', '=', doomed.userId).execute();
    for (const path of ['/api/auth/me', '/api/pipelines', '/api/media']) {
      const res = await doomed.client.get(path);
      expect(res.status, path).toBe(401);
      expect(res.body.error).toBe('unauthorized');
    }
    expect((await get(link)).status).toBe(401);
  });
});
