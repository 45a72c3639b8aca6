/**
 * The authorization matrix: every route of the app (read from the Express app, with the access its requireScope
 * declares) × six callers — nobody, another user, the owner's read / run / admin API keys and the owner's login —
 * each sending the route's legitimate request on the owner's real resources, each answer compared with what the
 * route's declared access says it must be. A route without a fixture here fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { API_KEY_SCOPES } from '../api/contract';
import { apiRoutes, routeKey, type Route } from './support/badInput';
import { edge } from './support/graphs';
import { apiClient, registerUser, startStack, waitForRun, type Stack } from './support/stack';

type Client = ReturnType<typeof apiClient>;
type Principal = 'anonymous' | 'another user' | 'read key' | 'run key' | 'admin key' | 'owner';
const PRINCIPALS: Principal[] = ['anonymous', 'another user', 'read key', 'run key', 'admin key', 'owner'];
const KEY_SCOPE: Partial<Record<Principal, (typeof API_KEY_SCOPES)[number]>> = {
  'read key': 'read',
  'run key': 'run',
  'admin key': 'admin',
};

const PASSWORD = 'correct horse battery';
/** input → upload: ends in about a second, publishing its text as media. */
const graph = {
  nodes: [
    { id: 'text', type: 'input', params: { name: 'text' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('text', 'value', 'publish', 'file')],
};
const runBody = { inputs: { text: 'otters' } };
/** Port 9 (discard) has no listener: test events to it fail, quietly. */
const webhookBody = { url: 'http://127.0.0.1:9/matrix', events: ['run.succeeded'] };
/** Paused, weekly: never fires on its own. */
const scheduleBody = (pipelineId: string) => ({ pipelineId, cron: '0 9 * * MON', timezone: 'UTC', inputs: runBody.inputs, paused: true });

interface World {
  baseUrl: string;
  owner: Client;
  email: string;
  projectId: string;
  pipelineId: string;
  runId: string;
  batchId: string;
  mediaId: string;
  /** A new media item of the owner's (with its bytes), for a route that deletes one. */
  freshMedia: () => Promise<string>;
  /** A new output-cache entry of the owner's, for a route that deletes one. */
  freshCacheEntry: () => Promise<string>;
  webhookId: string;
  scheduleId: string;
  publicToken: string;
  artifactPath: string;
  shareToken: string;
}

/** The legitimate request of one route, for one caller. */
interface Fixture {
  params?: Record<string, string>;
  body?: unknown;
  /** What an allowed caller may get besides 2xx (e.g. 409 cancelling a finished run). */
  allow?: number[];
  /** A batch route that leaves another user's objects out of its 2xx answer instead of refusing the request. */
  leavesOutOthers?: true;
}

/**
 * One entry per route. Routes that destroy or spend something make a fresh one (the owner's) for every caller,
 * so one caller's request never changes the next one's answer.
 */
function fixtures(w: World): Record<string, (p: Principal) => Promise<Fixture> | Fixture> {
  const created = async (path: string, body: unknown) => {
    const res = await w.owner.post(path, body);
    if (res.status !== 201) throw new Error(`setup ${path}: ${res.status} ${res.text}`);
    return res.body.id as string;
  };
  const freshRefreshToken = async () =>
    (await apiClient(w.baseUrl).post('/api/auth/login', { email: w.email, password: PASSWORD })).body.refreshToken as string;
  const pipeline = { id: w.pipelineId };
  const schedule = { id: w.scheduleId };
  return {
    'GET /api/health': () => ({}),
    'GET /api/openapi.json': () => ({}),
    'GET /api/docs': () => ({}),
    'GET /api/docs/docs.js': () => ({}),
    'GET /api/docs/docs.css': () => ({}),
    'POST /api/auth/register': () => ({ body: { email: `matrix-${crypto.randomUUID().slice(0, 8)}@example.com`, password: PASSWORD } }),
    'POST /api/auth/login': () => ({ body: { email: w.email, password: PASSWORD } }),
    'GET /api/auth/me': () => ({}),
    'PATCH /api/auth/me': () => ({ body: { fullName: 'Matrix Person' } }),
    'POST /api/auth/refresh': async () => ({ body: { refreshToken: await freshRefreshToken() } }),
    'POST /api/auth/logout': async () => ({ body: { refreshToken: await freshRefreshToken() } }),
    // Ends every session of the caller's account: sent last of all (see the order below).
    'POST /api/auth/password': () => ({ body: { currentPassword: PASSWORD, newPassword: 'another long password' } }),
    'GET /api/public/projects/:token': () => ({ params: { token: w.publicToken } }),
    'GET /api/public/projects/:token/media/:mediaId/content': () => ({ params: { token: w.publicToken, mediaId: w.mediaId } }),
    'GET /api/nodes': () => ({}),
    'GET /api/projects': () => ({}),
    'POST /api/projects': () => ({ body: { name: 'Matrix project' } }),
    'GET /api/projects/:id': () => ({ params: { id: w.projectId } }),
    'PATCH /api/projects/:id': () => ({ params: { id: w.projectId }, body: { description: 'edited by the matrix' } }),
    'GET /api/pipelines': () => ({}),
    'POST /api/pipelines': () => ({ body: { name: 'Matrix', projectId: w.projectId, graph } }),
    'GET /api/pipelines/:id': () => ({ params: pipeline }),
    'PUT /api/pipelines/:id': () => ({ params: pipeline, body: { name: 'Matrix v2', graph } }),
    'DELETE /api/pipelines/:id': async () => ({ params: { id: await created('/api/pipelines', { name: 'Doomed', graph }) } }),
    'GET /api/pipelines/:id/versions': () => ({ params: pipeline }),
    'POST /api/pipelines/:id/versions': () => ({ params: pipeline, body: {} }),
    'GET /api/pipelines/:id/versions/:version': () => ({ params: { ...pipeline, version: '1' } }),
    'POST /api/pipelines/:id/versions/:version/restore': () => ({ params: { ...pipeline, version: '1' }, body: {} }),
    'PUT /api/pipelines/:id/draft': () => ({ params: pipeline, body: { graph } }),
    'POST /api/pipelines/:id/runs': () => ({ params: pipeline, body: runBody }),
    'POST /api/pipelines/:id/estimate': () => ({ params: pipeline, body: runBody }),
    'GET /api/pipelines/:id/runs': () => ({ params: pipeline }),
    'GET /api/runs': () => ({}),
    'GET /api/runs/:id': () => ({ params: { id: w.runId } }),
    'POST /api/runs/:id/cancel': () => ({ params: { id: w.runId }, allow: [409] }), // finished: nothing changes
    'POST /api/runs/:id/rerun': () => ({ params: { id: w.runId }, body: { fromNodeId: 'publish' } }),
    'POST /api/runs/:id/nodes/:nodeId/decision': () => ({
      params: { id: w.runId, nodeId: 'publish' },
      body: { approve: true },
      allow: [409],
    }), // no approval step
    'POST /api/pipelines/:id/batches': () => ({ params: pipeline, body: { items: [runBody] } }),
    'GET /api/batches/:id': () => ({ params: { id: w.batchId } }),
    'POST /api/batches/:id/cancel': () => ({ params: { id: w.batchId }, allow: [409] }), // finished: nothing changes
    'GET /api/runs/:id/events': () => ({ params: { id: w.runId } }),
    'GET /api/runs/:id/artifacts/*path': () => ({ params: { id: w.runId, path: w.artifactPath } }),
    'GET /api/runs/:id/archive': () => ({ params: { id: w.runId } }),
    'POST /api/runs/:id/share': () => ({ params: { id: w.runId }, body: {} }),
    'GET /api/runs/:id/shares': () => ({ params: { id: w.runId } }),
    'DELETE /api/shares/:id': async () => ({ params: { id: await created(`/api/runs/${w.runId}/share`, {}) } }),
    'GET /api/public/shares/:token': () => ({ params: { token: w.shareToken } }),
    'GET /api/public/shares/:token/media/:index': () => ({ params: { token: w.shareToken, index: '0' } }),
    'GET /api/media': () => ({}),
    'GET /api/media/:id': () => ({ params: { id: w.mediaId } }),
    'GET /api/media/:id/content': () => ({ params: { id: w.mediaId } }),
    'PATCH /api/media/:id': () => ({ params: { id: w.mediaId }, body: { name: 'Renamed by the matrix' } }),
    'DELETE /api/media/:id': async () => ({ params: { id: await w.freshMedia() } }),
    'POST /api/media/archive': () => ({ body: { ids: [w.mediaId] } }),
    'GET /api/settings/providers': () => ({}),
    'PUT /api/settings/providers/:provider': () => ({ params: { provider: 'openai' }, body: { apiKey: 'sk-matrix-key' } }),
    'DELETE /api/settings/providers/:provider': async () => {
      const put = await w.owner.put('/api/settings/providers/elevenlabs', { apiKey: 'el-matrix-key' });
      if (put.status >= 300) throw new Error(`setup provider: ${put.status} ${put.text}`);
      return { params: { provider: 'elevenlabs' } };
    },
    // Not set up for this user: an answer (ok: false) all the same.
    'POST /api/settings/providers/:provider/test': () => ({ params: { provider: 'comfyui' }, body: {} }),
    'GET /api/settings/generations': () => ({}),
    'GET /api/cache': () => ({}),
    'DELETE /api/cache': () => ({}),
    'DELETE /api/cache/:id': async () => ({ params: { id: await w.freshCacheEntry() } }),
    'GET /api/settings/usage': () => ({}),
    'POST /api/signed-urls': () => ({ body: { paths: [`/api/media/${w.mediaId}/content`] }, leavesOutOthers: true }),
    'GET /api/keys': () => ({}),
    'POST /api/keys': () => ({ body: { name: 'Matrix key', scope: 'read' } }),
    'DELETE /api/keys/:id': async () => ({ params: { id: await created('/api/keys', { name: 'Doomed key', scope: 'read' }) } }),
    'POST /api/pipelines/:id/webhooks': () => ({ params: pipeline, body: webhookBody }),
    'GET /api/pipelines/:id/webhooks': () => ({ params: pipeline }),
    'DELETE /api/webhooks/:id': async () => ({ params: { id: await created(`/api/pipelines/${w.pipelineId}/webhooks`, webhookBody) } }),
    'GET /api/webhooks/:id/deliveries': () => ({ params: { id: w.webhookId } }),
    'POST /api/webhooks/:id/test': () => ({ params: { id: w.webhookId }, body: {} }),
    'GET /api/schedules': () => ({}),
    'POST /api/schedules': () => ({ body: scheduleBody(w.pipelineId) }),
    'GET /api/schedules/:id': () => ({ params: schedule }),
    'PATCH /api/schedules/:id': () => ({ params: schedule, body: { note: 'edited by the matrix' } }),
    'POST /api/schedules/:id/pause': () => ({ params: schedule, body: {} }),
    'POST /api/schedules/:id/resume': () => ({ params: schedule, body: {} }),
    'POST /api/schedules/:id/trigger': () => ({ params: schedule, body: {} }),
    'DELETE /api/schedules/:id': async () => ({ params: { id: await created('/api/schedules', scheduleBody(w.pipelineId)) } }),
  };
}

const fill = (path: string, params: Record<string, string>) =>
  path.replace(/[:*]([A-Za-z_]+)/g, (whole, name: string) => params[name] ?? whole);

/** Routes that end the caller's sessions go last, so no later request meets a signed-out caller. */
const LAST = new Set(['POST /api/auth/password']);

interface Answer {
  status: number;
  text: string;
  error?: string;
}

async function send(url: string, method: string, token: string | undefined, body: unknown): Promise<Answer> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000);
  try {
    const res = await fetch(url, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: abort.signal,
    });
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
      // A finished run's stream replays and ends; the status is what matters here.
      const reader = res.body!.getReader();
      let text = '';
      const deadline = Date.now() + 1500;
      for (;;) {
        const chunk = await Promise.race([
          reader.read(),
          new Promise<null>((r) => setTimeout(() => r(null), Math.max(0, deadline - Date.now()))),
        ]);
        if (chunk === null || chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
      }
      abort.abort();
      return { status: res.status, text };
    }
    const text = await res.text();
    let error: string | undefined;
    try {
      error = JSON.parse(text)?.error;
    } catch {
      error = undefined;
    }
    return { status: res.status, text, error };
  } finally {
    clearTimeout(timer);
  }
}

/** What is wrong with the answer, or undefined when it is what the route's access says. */
function judge(route: Route, principal: Principal, fixture: Fixture, answer: Answer, ownerIds: string[]): string | undefined {
  const access = route.access[0];
  const { status } = answer;
  const ok = () =>
    (status >= 200 && status < 300) || fixture.allow?.includes(status)
      ? undefined
      : `expected 2xx${fixture.allow ? ` or ${fixture.allow.join('/')}` : ''}`;
  const refusedScope = () => (status === 403 && answer.error === 'insufficient_scope' ? undefined : 'expected 403 insufficient_scope');
  if (status >= 500) return 'a 5xx';
  if (access === 'public') return ok();
  if (principal === 'anonymous') return status === 401 ? undefined : 'expected 401';
  if (principal === 'another user') {
    const namesOwners = ownerIds.some((id) => JSON.stringify([fixture.params, fixture.body]).includes(id));
    if (namesOwners && !fixture.leavesOutOthers) return status === 404 ? undefined : "expected 404 (names the owner's resource)";
    if (namesOwners && (status < 200 || status >= 300)) return "expected 2xx leaving out the owner's objects";
    // Its own lists (and its own settings, usage…): 200, with nothing of the owner's in them.
    if (route.method === 'GET' && (status < 200 || status >= 300)) return 'expected 2xx for its own account';
    if (status === 401 || status === 403) return 'expected an answer for its own account';
    const leaked = ownerIds.find((id) => answer.text.includes(id));
    return leaked ? `answer shows the owner's ${leaked}` : undefined;
  }
  const scope = KEY_SCOPE[principal];
  if (scope) {
    if (access === 'session') return refusedScope();
    if (API_KEY_SCOPES.indexOf(scope) < API_KEY_SCOPES.indexOf(access as (typeof API_KEY_SCOPES)[number])) return refusedScope();
  }
  return ok();
}

describe('authorization matrix on PGlite + in-process bus + local files', () => {
  let stack: Stack;
  let routes: Route[];
  let world: World;
  const tokens = {} as Record<Principal, string | undefined>;
  const ownerIds: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ backends: 'embedded', env: { WEBHOOKS_ALLOW_PRIVATE: 'true' } });
    routes = apiRoutes(createApp(stack.services));
    const owner = await registerUser(stack.baseUrl);
    const stranger = await registerUser(stack.baseUrl);
    const projectId = (await owner.client.get('/api/projects')).body.projects[0].id;
    const pipelineId = (await owner.client.post('/api/pipelines', { name: 'Matrix', graph })).body.id;
    const run = await owner.client.post(`/api/pipelines/${pipelineId}/runs`, runBody);
    const done = await waitForRun(owner.client, run.body.id);
    expect(done.status).toBe('succeeded');
    const batch = await owner.client.post(`/api/pipelines/${pipelineId}/batches`, { items: [runBody] });
    expect(batch.status, batch.text).toBe(201);
    await waitForRun(owner.client, batch.body.runIds[0]);
    const artifactPath = 'matrix/artifact.txt';
    await stack.services.blobs.put(`runs/${run.body.id}/${artifactPath}`, 'an artifact', { contentType: 'text/plain' });
    const webhook = await owner.client.post(`/api/pipelines/${pipelineId}/webhooks`, webhookBody);
    const schedule = await owner.client.post('/api/schedules', scheduleBody(pipelineId));
    expect([webhook.status, schedule.status]).toEqual([201, 201]);
    const opened = await owner.client.patch(`/api/projects/${projectId}`, { isPublic: true });
    const share = await owner.client.post(`/api/runs/${run.body.id}/share`, {});
    expect(share.status).toBe(201);
    world = {
      baseUrl: stack.baseUrl,
      owner: owner.client,
      email: owner.email,
      projectId,
      pipelineId,
      runId: run.body.id,
      batchId: batch.body.id,
      mediaId: done.nodes.publish.output.media.id,
      freshMedia: async () => {
        const id = crypto.randomUUID();
        const blob = await stack.services.blobs.put(`users/${owner.userId}/media/${id}/doomed.txt`, 'doomed', {
          contentType: 'text/plain',
        });
        await stack.services.db
          .insertInto('media')
          .values({
            id,
            user_id: owner.userId,
            project_id: projectId,
            storage_key: blob.key,
            mime_type: 'text/plain',
            kind: 'text',
            size: blob.size,
            sha256: blob.sha256,
          })
          .execute();
        return id;
      },
      freshCacheEntry: async () => {
        const entry = await stack.services.db
          .insertInto('cache_entries')
          .values({
            user_id: owner.userId,
            key: crypto.randomUUID(),
            run_id: run.body.id,
            pipeline_id: pipelineId,
            node_id: 'publish',
            node_type: 'upload',
            output: JSON.stringify({}),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        ownerIds.push(entry.id);
        return entry.id;
      },
      webhookId: webhook.body.id,
      scheduleId: schedule.body.id,
      publicToken: opened.body.publicPath.slice('/p/'.length),
      artifactPath,
      shareToken: share.body.url.slice('/s/'.length),
    };
    ownerIds.push(owner.userId, projectId, pipelineId, world.runId, world.batchId, world.mediaId, world.webhookId, world.scheduleId);
    tokens.anonymous = undefined;
    tokens['another user'] = stranger.token;
    tokens.owner = owner.token;
    for (const principal of PRINCIPALS) {
      const scope = KEY_SCOPE[principal];
      if (!scope) continue;
      const key = await owner.client.post('/api/keys', { name: `${scope} key`, scope });
      expect(key.status).toBe(201);
      tokens[principal] = key.body.key;
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('has a matrix fixture for every route the app answers', () => {
    const known = fixtures(world);
    expect(
      routes.map(routeKey).filter((key) => !known[key]),
      'routes without a fixture in test/authMatrix.test.ts',
    ).toEqual([]);
    expect(
      Object.keys(known).filter((key) => !routes.some((r) => routeKey(r) === key)),
      'fixtures of routes that no longer exist',
    ).toEqual([]);
  });

  it(
    "answers every route × caller as the route's declared access says: 401 anonymous, 404 another user's ids, 403 insufficient_scope below the scope",
    { timeout: 600_000 },
    async () => {
      const known = fixtures(world);
      const ordered = [...routes.filter((r) => !LAST.has(routeKey(r))), ...routes.filter((r) => LAST.has(routeKey(r)))];
      const mismatches: string[] = [];
      let cells = 0;
      for (const route of ordered) {
        const make = known[routeKey(route)];
        if (!make) continue;
        for (const principal of PRINCIPALS) {
          const fixture = await make(principal);
          const answer = await send(stack.baseUrl + fill(route.path, fixture.params ?? {}), route.method, tokens[principal], fixture.body);
          cells++;
          const wrong = judge(route, principal, fixture, answer, ownerIds);
          if (wrong)
            mismatches.push(
              `${routeKey(route)} [${route.access[0]}] as ${principal}: ${answer.status} — ${wrong}: ${answer.text.slice(0, 200)}`,
            );
        }
      }
      const routeCount = new Set(ordered.map(routeKey)).size;
      console.log(
        `[auth-matrix] ${routeCount} routes × ${PRINCIPALS.length} callers = ${cells} requests, ${mismatches.length} not as the route's access says`,
      );
      expect(cells).toBe(routeCount * PRINCIPALS.length);
      expect(mismatches).toEqual([]);
    },
  );
});
