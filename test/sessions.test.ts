import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge } from './support/graphs';
import { apiClient, registerUser, startStack, waitForRun, type Stack } from './support/stack';

const PASSWORD = 'correct horse battery';

const pictureGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'cover', type: 'illustration', params: { size: '256x256', seed: 1 } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'cover', 'prompt'), edge('cover', 'image', 'publish', 'file')],
};

describe('sessions and account fields', () => {
  let stack: Stack;
  const anon = () => apiClient(stack.baseUrl);
  const login = async (email: string, password = PASSWORD) => {
    const res = await anon().post('/api/auth/login', { email, password });
    expect(res.status, res.text).toBe(200);
    return res.body as { token: string; refreshToken: string; user: { id: string } };
  };
  const refresh = (refreshToken: string) => anon().post('/api/auth/refresh', { refreshToken });
  const me = (token: string) => apiClient(stack.baseUrl, token).get('/api/auth/me');

  beforeAll(async () => {
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('registers and logs in with an access token of about 15 minutes and a refresh token', async () => {
    const reg = await anon().post('/api/auth/register', { email: `r${Date.now()}@example.com`, password: PASSWORD });
    expect(reg.status).toBe(201);
    expect(reg.body.refreshToken).toEqual(expect.any(String));
    const session = await login(reg.body.user.email);
    const claims = JSON.parse(Buffer.from(session.token.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(15 * 60);
    expect(session.refreshToken).not.toBe(reg.body.refreshToken);
    const stored = await stack.services.db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('user_id', '=', reg.body.user.id)
      .execute();
    expect(stored).toHaveLength(2);
    expect(stored.map((r) => r.token_hash)).not.toContain(session.refreshToken); // only hashes are kept
    expect((await me(session.token)).body.user.lastLoginAt).toEqual(expect.any(String));
  });

  it('rotates the refresh token on every use: the new pair works, the old refresh token is spent', async () => {
    const { email } = await registerUser(stack.baseUrl);
    const first = await login(email);
    const second = await refresh(first.refreshToken);
    expect(second.status, second.text).toBe(200);
    expect(Object.keys(second.body).sort()).toEqual(['refreshToken', 'token']);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await me(second.body.token)).status).toBe(200);
    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);
  });

  it('answers a replayed refresh token with 401 and revokes its whole family, the newest token too', async () => {
    const { email } = await registerUser(stack.baseUrl);
    const other = await login(email); // another session of the same user: a different family
    const first = await login(email);
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ error: 'invalid_refresh_token', message: expect.stringContaining('refreshToken') });
    expect((await refresh(second.body.refreshToken)).status).toBe(401);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('logout revokes the session: its refresh token no longer refreshes', async () => {
    const { email } = await registerUser(stack.baseUrl);
    const session = await login(email);
    const rotated = (await refresh(session.refreshToken)).body;
    const out = await anon().post('/api/auth/logout', { refreshToken: rotated.refreshToken });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    expect((await refresh(rotated.refreshToken)).status).toBe(401);
    expect((await anon().post('/api/auth/logout', { refreshToken: 1 })).body).toMatchObject({
      error: 'invalid_request',
      message: expect.stringContaining('refreshToken'),
    });
  });

  it('a password change ends every session at once: old access tokens and refresh tokens stop, the new pair works', async () => {
    const { email } = await registerUser(stack.baseUrl);
    const a = await login(email);
    const b = await login(email);
    const wrong = await apiClient(stack.baseUrl, a.token).post('/api/auth/password', {
      currentPassword: 'not it at all',
      newPassword: 'a new long password',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.message).toContain('currentPassword');
    const changed = await apiClient(stack.baseUrl, a.token).post('/api/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a new long password',
    });
    expect(changed.status, changed.text).toBe(200);
    // Both access tokens are still well within their 15 minutes, and stop anyway.
    expect((await me(a.token)).status).toBe(401);
    expect((await me(b.token)).status).toBe(401);
    expect((await refresh(a.refreshToken)).status).toBe(401);
    expect((await refresh(b.refreshToken)).status).toBe(401);
    expect((await me(changed.body.token)).status).toBe(200);
    expect((await refresh(changed.body.refreshToken)).status).toBe(200);
    expect((await anon().post('/api/auth/login', { email, password: PASSWORD })).status).toBe(401);
    await login(email, 'a new long password');
  });

  it('an inactive user cannot log in, and their existing access and refresh tokens stop at once', async () => {
    const { email, userId } = await registerUser(stack.baseUrl);
    const session = await login(email);
    expect((await me(session.token)).status).toBe(200);
    await stack.services.db.updateTable('users').set({ is_active: false }).where('id', '=', userId).execute();
    expect((await me(session.token)).status).toBe(401);
    expect((await apiClient(stack.baseUrl, session.token).get('/api/projects')).status).toBe(401);
    expect((await refresh(session.refreshToken)).status).toBe(401);
    const refused = await anon().post('/api/auth/login', { email, password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('account_inactive');
    expect((await anon().post('/api/auth/login', { email, password: 'wrong password!' })).status).toBe(401); // no hint without the password
  });

  it('a deleted user’s refresh token stops working', async () => {
    const { email, userId } = await registerUser(stack.baseUrl);
    const session = await login(email);
    await stack.services.db.deleteFrom('users').where('id', '=', userId).execute();
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await me(session.token)).status).toBe(401);
  });

  it('PATCH /api/auth/me sets the full name and username, refuses unknown fields', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const before = (await client.get('/api/auth/me')).body.user;
    expect(before).toMatchObject({ fullName: null, active: true });
    const res = await client.patch('/api/auth/me', { fullName: 'Ada Lovelace', username: 'ada' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toMatchObject({ fullName: 'Ada Lovelace', username: 'ada', email: before.email });
    expect((await client.get('/api/auth/me')).body.user.fullName).toBe('Ada Lovelace');
    const cleared = await client.patch('/api/auth/me', { fullName: null });
    expect(cleared.body.user).toMatchObject({ fullName: null, username: 'ada' });
    const bad = await client.patch('/api/auth/me', { email: 'other@example.com' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('email');
  });

  it('projects carry type, status and settings (defaults for new nodes), and refuse a bad status naming it', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const created = await client.post('/api/projects', {
      name: 'Podcast',
      type: 'podcast',
      settings: { provider: 'openai', voice: 'alloy' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      type: 'podcast',
      status: 'active',
      settings: { provider: 'openai', voice: 'alloy' },
      isPublic: false,
      publicPath: null,
    });
    const patched = await client.patch(`/api/projects/${created.body.id}`, { status: 'archived', settings: { style: 'noir' } });
    expect(patched.body).toMatchObject({ type: 'podcast', status: 'archived', settings: { style: 'noir' } });
    expect((await client.get(`/api/projects/${created.body.id}`)).body.status).toBe('archived');
    const bad = await client.patch(`/api/projects/${created.body.id}`, { status: 'deleted' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('status');
    const badSetting = await client.patch(`/api/projects/${created.body.id}`, { settings: { colour: 'red' } });
    expect(badSetting.status).toBe(400);
    expect(badSetting.body.message).toContain('colour');
    const [first] = (await client.get('/api/projects')).body.projects;
    expect(first).toMatchObject({ type: 'general', status: 'active', settings: {} });
  });

  it('a public project page shows that project’s media and nothing else, and answers 404 once turned off', async () => {
    const owner = await registerUser(stack.baseUrl);
    const project = (await owner.client.get('/api/projects')).body.projects[0];
    const otherProject = await owner.client.post('/api/projects', { name: 'Private' });
    const runIn = async (projectId: string) => {
      const pipeline = await owner.client.post('/api/pipelines', { name: 'Picture', projectId, graph: pictureGraph });
      const run = await owner.client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'a fox' } });
      const done = await waitForRun(owner.client, run.body.id);
      expect(done.status, JSON.stringify(done.nodes)).toBe('succeeded');
      return done.nodes.publish.output.media.id as string;
    };
    const shown = await runIn(project.id);
    const hidden = await runIn(otherProject.body.id);

    const opened = await owner.client.patch(`/api/projects/${project.id}`, { isPublic: true });
    expect(opened.body.isPublic).toBe(true);
    expect(opened.body.publicPath).toMatch(/^\/p\/[A-Za-z0-9_-]{32}$/);
    const token = opened.body.publicPath.slice(3);

    const page = await anon().get(`/api/public/projects/${token}`);
    expect(page.status, page.text).toBe(200);
    expect(page.body.project).toEqual({ name: project.name, description: null, type: 'general' });
    expect(page.body.media.map((m: { id: string }) => m.id)).toEqual([shown]);
    expect(page.text).not.toContain(owner.email);
    expect(page.text).not.toContain(owner.userId);
    expect(page.text).not.toContain(project.id);
    expect(page.text).not.toContain('storageKey');
    const content = await fetch(stack.baseUrl + page.body.media[0].url);
    expect(content.status).toBe(200);
    expect(content.headers.get('content-type')).toMatch(/^image\//);
    expect((await fetch(`${stack.baseUrl}/api/public/projects/${token}/media/${hidden}/content`)).status).toBe(404);

    // Turning it off kills the URL; turning it on again gives a new one, never the old.
    await owner.client.patch(`/api/projects/${project.id}`, { isPublic: false });
    expect((await anon().get(`/api/public/projects/${token}`)).status).toBe(404);
    expect((await fetch(stack.baseUrl + page.body.media[0].url)).status).toBe(404);
    const reopened = await owner.client.patch(`/api/projects/${project.id}`, { isPublic: true });
    expect(reopened.body.publicPath).not.toBe(opened.body.publicPath);
    expect((await anon().get(`/api/public/projects/${token}`)).status).toBe(404);
    expect((await anon().get(`/api/public/projects/not-a-token`)).status).toBe(400);
  });
});
