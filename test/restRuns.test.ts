import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { createRunRepository } from '../api/repositories/runs';
import { apiRoutes, routeKey } from './support/badInput';
import { edge } from './support/graphs';
import { apiClient, registerUser, startStack, waitForRun, type Stack } from './support/stack';

type User = Awaited<ReturnType<typeof registerUser>>;
type Client = ReturnType<typeof apiClient>;

/** input → upload: a run that ends in about a second and publishes its text as media. */
const quickGraph = {
  nodes: [
    { id: 'text', type: 'input', params: { name: 'text' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('text', 'value', 'publish', 'file')],
};
/** input → delay (4 s) → upload: still running when a short ?wait gives up. */
const slowGraph = {
  nodes: [
    { id: 'text', type: 'input', params: { name: 'text' } },
    { id: 'hold', type: 'delay', params: { ms: 4000 } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('text', 'value', 'hold', 'in'), edge('hold', 'out', 'publish', 'file')],
};

const SCOPE_ORDER = ['read', 'run', 'admin'] as const;
type Scope = (typeof SCOPE_ORDER)[number];

describe.each([
  { backends: 'embedded' as const, label: 'PGlite + in-process bus + local files' },
  { backends: 'servers' as const, label: 'PostgreSQL + Redis + S3 (moto)' },
])('API keys and REST runs on $label', ({ backends }) => {
  let stack: Stack;
  let owner: User;
  let stranger: User;
  let pipelineId: string;
  let slowPipelineId: string;
  /** One key per scope, the owner's. */
  const keys = {} as Record<Scope, { id: string; key: string; client: Client }>;

  const createKey = async (user: User, name: string, scope: Scope) => {
    const res = await user.client.post('/api/keys', { name, scope });
    expect(res.status, res.text).toBe(201);
    return { id: res.body.id as string, key: res.body.key as string, client: apiClient(stack.baseUrl, res.body.key) };
  };
  const startWith = (client: Client, id: string, body: unknown, headers: Record<string, string> = {}, query = '') =>
    client.request('POST', `/api/pipelines/${id}/runs${query}`, body, headers);

  beforeAll(async () => {
    stack = await startStack({ backends });
    owner = await registerUser(stack.baseUrl);
    stranger = await registerUser(stack.baseUrl);
    pipelineId = (await owner.client.post('/api/pipelines', { name: 'Quick', graph: quickGraph })).body.id;
    slowPipelineId = (await owner.client.post('/api/pipelines', { name: 'Slow', graph: slowGraph })).body.id;
    for (const scope of SCOPE_ORDER) keys[scope] = await createKey(owner, `${scope} key`, scope);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('shows a new key once: the list has its name, scope, prefix, created and last-used time, and the database only its SHA-256', async () => {
    const created = await owner.client.post('/api/keys', { name: 'nightly script', scope: 'run' });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['id', 'key', 'name', 'prefix', 'scope']);
    const { id, key, prefix } = created.body;
    expect(key).toMatch(/^cf_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);
    expect(prefix.length).toBeLessThan(16);

    const listed = await owner.client.get('/api/keys');
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(key);
    expect(listed.body.keys.find((k: { id: string }) => k.id === id)).toEqual({
      id,
      name: 'nightly script',
      scope: 'run',
      prefix,
      createdAt: expect.any(String),
      lastUsedAt: null,
    });
    const row = await stack.services.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key.slice(prefix.length));

    const stranger_ = await stranger.client.get('/api/keys');
    expect(stranger_.body.keys).toEqual([]);
    const bad = await owner.client.post('/api/keys', { name: 'x', scope: 'owner' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('scope');
  });

  it("answers 403 insufficient_scope, naming the scope needed, on every route outside a key's scope (and never to a login)", async () => {
    const routes = apiRoutes(createApp(stack.services));
    const fill = (path: string) =>
      path
        .replace(':provider', 'openai')
        .replace(/:[A-Za-z_]+/g, randomUUID())
        .replace('*path', 'x.png');
    const wrong: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const access = route.access[0];
      if (access === undefined || access === 'public') continue;
      const url = fill(route.path);
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
      const callers: [string, Client, boolean][] = [
        ['a login', owner.client, true],
        ...SCOPE_ORDER.map((scope): [string, Client, boolean] => [
          `a ${scope} key`,
          keys[scope].client,
          access !== 'session' && SCOPE_ORDER.indexOf(scope) >= SCOPE_ORDER.indexOf(access as Scope),
        ]),
      ];
      for (const [who, client, allowed] of callers) {
        const res = await client.request(route.method, url, body);
        checked++;
        const refused = res.status === 403 && res.body?.error === 'insufficient_scope';
        if (allowed && refused) wrong.push(`${routeKey(route)} refused ${who}: ${res.body.message}`);
        if (!allowed && !refused) wrong.push(`${routeKey(route)} let ${who} through (${res.status})`);
        if (!allowed && refused && !res.body.message.includes(access === 'session' ? 'login session' : `'${access}'`)) {
          wrong.push(`${routeKey(route)} did not name what it needs: ${res.body.message}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });

  it('lets a read key read but not start a run, a run key start and cancel runs but not create keys or change a pipeline', async () => {
    const read = keys.read.client;
    expect((await read.get(`/api/pipelines/${pipelineId}`)).status).toBe(200);
    expect((await read.get('/api/runs')).status).toBe(200);
    const refused = await startWith(read, pipelineId, { inputs: { text: 'no' } });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: 'insufficient_scope',
      message: "POST /api/pipelines/:id/runs needs scope 'run'; this API key has scope 'read'",
    });
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="run"');

    const run = keys.run.client;
    const started = await startWith(run, slowPipelineId, { inputs: { text: 'go' } });
    expect(started.status).toBe(201);
    expect((await run.post(`/api/runs/${started.body.id}/cancel`)).status).toBe(202);
    expect((await waitForRun(run, started.body.id)).status).toBe('cancelled');
    const mint = await run.post('/api/keys', { name: 'wider', scope: 'admin' });
    expect(mint.status).toBe(403);
    expect(mint.body.message).toContain('login session');
    expect((await run.put(`/api/pipelines/${pipelineId}`, { name: 'Renamed' })).status).toBe(403);
    expect((await keys.admin.client.put(`/api/pipelines/${pipelineId}`, { name: 'Quick' })).status).toBe(200);
    expect((await keys.admin.client.get('/api/keys')).status).toBe(403);
  });

  it("stops a revoked key on the very next request (401); another user's key answers 404 and keeps working", async () => {
    const doomed = await createKey(owner, 'doomed', 'read');
    expect((await doomed.client.get('/api/runs')).status).toBe(200);
    const strangers = await createKey(stranger, 'theirs', 'read');
    expect((await owner.client.request('DELETE', `/api/keys/${strangers.id}`)).status).toBe(404);
    expect((await strangers.client.get('/api/runs')).status).toBe(200);

    expect((await owner.client.request('DELETE', `/api/keys/${doomed.id}`)).status).toBe(204);
    const after = await doomed.client.get('/api/runs');
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: 'unauthorized', message: 'Invalid or revoked API key' });
    expect((await owner.client.get('/api/keys')).body.keys.map((k: { id: string }) => k.id)).not.toContain(doomed.id);
    expect((await owner.client.request('DELETE', `/api/keys/${doomed.id}`)).status).toBe(404);
    expect((await apiClient(stack.baseUrl, `${keys.read.key}x`).get('/api/runs')).status).toBe(401);
  });

  it('stops the keys of an account that is gone', async () => {
    const leaving = await registerUser(stack.baseUrl);
    const key = await createKey(leaving, 'left behind', 'admin');
    expect((await key.client.get('/api/auth/me')).status).toBe(200);
    await stack.services.db.deleteFrom('users').where('id', '=', leaving.userId).execute();
    expect((await key.client.get('/api/auth/me')).status).toBe(401);
  });

  it('records when a key was last used, at most once a minute', async () => {
    const key = await createKey(owner, 'counted', 'read');
    const lastUsed = async () =>
      (await owner.client.get('/api/keys')).body.keys.find((k: { id: string }) => k.id === key.id).lastUsedAt as string | null;
    expect(await lastUsed()).toBeNull();
    await key.client.get('/api/runs');
    await expect.poll(lastUsed).not.toBeNull();
    const first = await lastUsed();
    await key.client.get('/api/runs');
    await new Promise((r) => setTimeout(r, 300));
    expect(await lastUsed()).toBe(first);
    await stack.services.db
      .updateTable('api_keys')
      .set({ last_used_at: sql`now() - interval '2 minutes'` })
      .where('id', '=', key.id)
      .execute();
    const aged = await lastUsed();
    await key.client.get('/api/runs');
    await expect.poll(lastUsed).not.toBe(aged);
  });

  it('says what started each run (a login: studio; a key: api with its name) and filters the lists by it and by schedule', async () => {
    const fromStudio = await startWith(owner.client, pipelineId, { inputs: { text: 'studio' } });
    const fromKey = await startWith(keys.run.client, pipelineId, { inputs: { text: 'script' } });
    expect((await waitForRun(owner.client, fromStudio.body.id)).trigger).toEqual({ kind: 'studio' });
    expect((await waitForRun(owner.client, fromKey.body.id)).trigger).toEqual({ kind: 'api', keyName: 'run key' });
    // What a schedule's run records (the schedules feature writes these).
    const pipeline = (await owner.client.get(`/api/pipelines/${pipelineId}`)).body;
    const scheduledId = randomUUID();
    await createRunRepository(stack.services.db).create({
      id: scheduledId,
      userId: owner.userId,
      projectId: pipeline.projectId,
      pipelineId,
      version: pipeline.version,
      inputs: { text: 'nightly' },
      trigger: { kind: 'schedule', scheduleId: 'sched-nightly' },
      nodeIds: ['text', 'publish'],
    });

    const ids = async (query: string) =>
      ((await owner.client.get(`/api/runs?${query}`)).body.runs as { id: string; trigger: unknown }[]).map((r) => r.id);
    const apiRuns = await ids('trigger=api');
    expect(apiRuns).toContain(fromKey.body.id);
    expect(apiRuns).not.toContain(fromStudio.body.id);
    expect(await ids('trigger=studio')).toContain(fromStudio.body.id);
    expect(await ids('trigger=studio')).not.toContain(fromKey.body.id);
    expect(await ids('trigger=schedule&scheduleId=sched-nightly')).toEqual([scheduledId]);
    expect(await ids('trigger=schedule&scheduleId=sched-other')).toEqual([]);
    expect(await ids('trigger=rerun')).toEqual([]);
    const perPipeline = (await owner.client.get(`/api/pipelines/${pipelineId}/runs?trigger=schedule`)).body.runs;
    expect(perPipeline).toEqual([expect.objectContaining({ id: scheduledId, trigger: { kind: 'schedule', scheduleId: 'sched-nightly' } })]);
    expect((await stranger.client.get('/api/runs?trigger=schedule&scheduleId=sched-nightly')).body.runs).toEqual([]);

    const bad = await owner.client.get('/api/runs?trigger=cron');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^Invalid query: trigger: must be one of 'studio', 'api', 'schedule', 'rerun'/);
  });

  it('starts exactly one run for 20 concurrent identical calls with one Idempotency-Key (201 once, 200 with the same run after)', async () => {
    const idempotencyKey = `retry-${randomUUID()}`;
    const body = { inputs: { text: 'once' } };
    const before = await stack.services.db
      .selectFrom('runs')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => startWith(keys.run.client, pipelineId, body, { 'idempotency-key': idempotencyKey })),
    );
    expect(answers.map((a) => a.status).sort((a, b) => a - b)).toEqual([...Array(19).fill(200), 201]);
    const runIds = new Set(answers.map((a) => a.body.id));
    expect(runIds.size).toBe(1);
    const after = await stack.services.db
      .selectFrom('runs')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n - before.n).toBe(1);
    const [runId] = runIds;
    expect((await waitForRun(keys.run.client, runId)).status).toBe('succeeded');

    // A retry later (the body's fields in another order) still answers that run.
    const retry = await keys.run.client.request('POST', `/api/pipelines/${pipelineId}/runs`, '{"inputs":{"text":"once"}}', {
      'idempotency-key': idempotencyKey,
    });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ id: runId });
  });

  it('answers 409 idempotency_conflict to the same Idempotency-Key with another body; keys are per user and last 24 hours', async () => {
    const idempotencyKey = `k-${randomUUID()}`;
    const first = await startWith(keys.run.client, pipelineId, { inputs: { text: 'a' } }, { 'idempotency-key': idempotencyKey });
    expect(first.status).toBe(201);
    const other = await startWith(keys.run.client, pipelineId, { inputs: { text: 'b' } }, { 'idempotency-key': idempotencyKey });
    expect(other.status).toBe(409);
    expect(other.body.error).toBe('idempotency_conflict');
    expect(other.body.message).toContain('Idempotency-Key');
    const otherPipeline = await startWith(
      keys.run.client,
      slowPipelineId,
      { inputs: { text: 'a' } },
      { 'idempotency-key': idempotencyKey },
    );
    expect(otherPipeline.status).toBe(409);
    // Concurrent conflicting calls: one run, the others 200 (same body) or 409 (another body).
    const racing = `race-${randomUUID()}`;
    const raced = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        startWith(keys.run.client, pipelineId, { inputs: { text: i % 2 ? 'odd' : 'even' } }, { 'idempotency-key': racing }),
      ),
    );
    expect(raced.filter((a) => a.status === 201)).toHaveLength(1);
    expect(raced.every((a) => [200, 201, 409].includes(a.status))).toBe(true);
    expect(new Set(raced.filter((a) => a.status < 300).map((a) => a.body.id)).size).toBe(1);

    // Another user's identical key is theirs alone.
    const theirPipeline = (await stranger.client.post('/api/pipelines', { name: 'Theirs', graph: quickGraph })).body.id;
    const theirs = await startWith(stranger.client, theirPipeline, { inputs: { text: 'a' } }, { 'idempotency-key': idempotencyKey });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(first.body.id);

    // 24 hours on, the key starts a new run.
    await stack.services.db
      .updateTable('idempotency_keys')
      .set({ created_at: sql`now() - interval '25 hours'` })
      .where('key', '=', idempotencyKey)
      .where('user_id', '=', owner.userId)
      .execute();
    const later = await startWith(keys.run.client, pipelineId, { inputs: { text: 'b' } }, { 'idempotency-key': idempotencyKey });
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe(first.body.id);

    for (const [value, message] of [
      ['', 'Invalid Idempotency-Key: must not be empty'],
      ['x'.repeat(256), 'Invalid Idempotency-Key: must be at most 255 characters'],
      ['caf\u00e9', 'Invalid Idempotency-Key: must be printable ASCII'],
    ]) {
      const res = await startWith(keys.run.client, pipelineId, { inputs: { text: 'a' } }, { 'idempotency-key': value });
      expect(res.status, value).toBe(400);
      expect(res.body.message).toBe(message);
    }
  });

  it('holds a start with ?wait until the run ends and answers it with its outputs, or 202 with the run still going', async () => {
    const done = await startWith(keys.run.client, pipelineId, { inputs: { text: 'waited for' } }, {}, '?wait=30');
    expect(done.status).toBe(201);
    expect(done.body.status).toBe('succeeded');
    expect(done.body.trigger).toEqual({ kind: 'api', keyName: 'run key' });
    const media = done.body.outputs.publish.media;
    const bytes = await fetch(stack.baseUrl + media.url, { headers: { authorization: `Bearer ${keys.read.key}` } });
    expect(await bytes.text()).toBe('waited for');

    const t0 = Date.now();
    const going = await startWith(keys.run.client, slowPipelineId, { inputs: { text: 'slow' } }, {}, '?wait=1');
    expect(going.status).toBe(202);
    expect(['queued', 'running']).toContain(going.body.status);
    expect(Date.now() - t0).toBeLessThan(3_500);
    expect((await waitForRun(keys.run.client, going.body.id)).status).toBe('succeeded');

    // A retry that waits answers the run the first call started, once it has ended.
    const idempotencyKey = `w-${randomUUID()}`;
    const first = await startWith(keys.run.client, slowPipelineId, { inputs: { text: 'again' } }, { 'idempotency-key': idempotencyKey });
    const retried = await startWith(
      keys.run.client,
      slowPipelineId,
      { inputs: { text: 'again' } },
      { 'idempotency-key': idempotencyKey },
      '?wait=30',
    );
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: first.body.id, status: 'succeeded' });

    // Concurrent waiting calls with one key: each waits for the one run, even one that asks before it started.
    const together = `t-${randomUUID()}`;
    const waited = await Promise.all(
      Array.from({ length: 5 }, () =>
        startWith(keys.run.client, pipelineId, { inputs: { text: 'together' } }, { 'idempotency-key': together }, '?wait=30'),
      ),
    );
    expect(waited.map((a) => a.status).sort((a, b) => a - b)).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(waited.map((a) => a.body.id)).size).toBe(1);
    expect(waited.map((a) => a.body.status)).toEqual(Array(5).fill('succeeded'));

    const refusedInputs = await startWith(keys.run.client, pipelineId, { inputs: {} }, {}, '?wait=5');
    expect(refusedInputs.status).toBe(400);
    for (const wait of ['61', '-1', '1.5', 'soon']) {
      const res = await startWith(keys.run.client, pipelineId, { inputs: { text: 'x' } }, {}, `?wait=${wait}`);
      expect(res.status, wait).toBe(400);
      expect(res.body.message).toMatch(/^Invalid query: wait: /);
    }
  });
});
