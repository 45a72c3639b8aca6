import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import {
  apiRoutes,
  bodyMutations,
  LAST_EVENT_IDS,
  PATH_PARAM_CASES,
  QUERY_CASES,
  RANGE_CASES,
  routeKey,
  wholeBodyCases,
  WILDCARD_CASES,
  type Expectation,
  type Probe,
  type Route,
} from './support/badInput';
import { apiClient, registerUser, startStack, waitForRun, type Stack } from './support/stack';

/** A pipeline with a text and a JSON input, so run inputs reach storage and the engine both ways. */
const graph = {
  schemaVersion: 1,
  nodes: [
    {
      id: 'topic',
      type: 'input',
      params: { name: 'topic', kind: 'text', description: 'What it is about' },
      position: { x: 0, y: 0 },
      label: 'Topic',
    },
    { id: 'data', type: 'input', params: { name: 'data', kind: 'json', required: false, default: { mood: 'calm' } } },
    { id: 'text', type: 'template', params: { template: 'A story about {{topic}} ({{data}})' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [
    { id: 'e1', source: 'topic', sourceHandle: 'value', target: 'text', targetHandle: 'topic' },
    { source: 'data', sourceHandle: 'value', target: 'text', targetHandle: 'data' },
    { source: 'text', sourceHandle: 'text', target: 'publish', targetHandle: 'file' },
  ],
};
const runBody = { inputs: { topic: 'otters', data: { mood: 'sunny', tags: ['a', 'b'] } }, version: 1 };
const batchBody = { items: [{ inputs: runBody.inputs }, { inputs: { topic: 'owls' } }] };
/** Paused, weekly: the corpus's schedules never fire on their own. */
const scheduleBody = (pipelineId: string) => ({
  pipelineId,
  cron: '0 9 * * MON',
  timezone: 'Europe/Paris',
  inputs: runBody.inputs,
  paused: true,
});

interface World {
  email: string;
  password: string;
  projectId: string;
  pipelineId: string;
  doomedPipelineId: string;
  runId: string;
  batchId: string;
  mediaId: string;
  doomedMediaId: string;
  keyId: string;
  webhookId: string;
  doomedWebhookId: string;
  scheduleId: string;
  doomedScheduleId: string;
  /** A refresh token of its own session (the corpus spends it). */
  refreshToken: string;
  /** The project's public page token. */
  publicToken: string;
  /** A live share link's token, of the run. */
  shareToken: string;
  doomedShareId: string;
}

interface Fixture {
  /** The legitimate body (POST/PUT/PATCH), spoiled field by field. */
  body?: unknown;
  /** Path parameters of the legitimate request. */
  params?: Record<string, string>;
  /** What the legitimate request answers, when not 2xx. */
  allow?: number[];
  /** Reads ListQuery: limit, before, after and projectId are checked. */
  list?: boolean;
  /** Cases only this route understands. */
  extra?: {
    label: string;
    query?: string;
    /** Instead of the legitimate path. */ path?: string;
    headers?: Record<string, string>;
    expect: Expectation;
  }[];
}

const versionCases: Fixture['extra'] = [
  ...['0', '-1', '1.5', 'abc', '2147483648', '99999999999', '1e400'].map((v) => ({
    label: `version=${v}`,
    query: `version=${v}`,
    expect: { kind: 'refused' as const, names: 'version' },
  })),
  { label: 'version=2147483647 (no such version)', query: 'version=2147483647', expect: { kind: 'refused', status: 404 } },
];
/** A version in the path: a number naming `version` when it is not one, a 404 naming it when there is no such version. */
const versionParamCases = (w: World, tail: string): Fixture['extra'] =>
  ['0', '-1', '1.5', 'abc', '2147483648', '1e400', '2147483647'].map((v) => ({
    label: `version ${v} in the path`,
    path: `/api/pipelines/${w.pipelineId}/versions/${v}${tail}`,
    expect: { kind: 'refused' as const, status: v === '2147483647' ? 404 : 400, names: 'version' },
  }));
const startRunCases: Fixture['extra'] = [
  ...['61', '-1', '1.5', 'abc', '1e400', '%00'].map((v) => ({
    label: `wait=${v}`,
    query: `wait=${v}`,
    expect: { kind: 'refused' as const, status: 400, names: 'wait' },
  })),
  ...['', 'x'.repeat(256), 'caf\u00e9'].map((v) => ({
    label: `Idempotency-Key: ${JSON.stringify(v.slice(0, 12))} (${v.length} chars)`,
    headers: { 'idempotency-key': v },
    expect: { kind: 'refused' as const, status: 400, names: 'Idempotency-Key' },
  })),
];
const runListCases: Fixture['extra'] = [
  { label: 'trigger=cron (no such trigger)', query: 'trigger=cron', expect: { kind: 'refused', status: 400, names: 'trigger' } },
  { label: 'trigger=NUL', query: 'trigger=%00', expect: { kind: 'refused', status: 400, names: 'trigger' } },
  {
    label: 'scheduleId of 201 characters',
    query: `scheduleId=${'s'.repeat(201)}`,
    expect: { kind: 'refused', status: 400, names: 'scheduleId' },
  },
  { label: 'trigger=schedule&scheduleId=unknown', query: 'trigger=schedule&scheduleId=unknown', expect: { kind: 'ok' } },
  { label: 'status=done (no such status)', query: 'status=done', expect: { kind: 'refused', status: 400, names: 'status' } },
  { label: 'from=nope', query: 'from=nope', expect: { kind: 'refused', status: 400, names: 'from' } },
  { label: 'from=0000-01-01', query: 'from=0000-01-01T00:00:00Z', expect: { kind: 'refused', status: 400, names: 'from' } },
  { label: 'q of 201 characters', query: `q=${'q'.repeat(201)}`, expect: { kind: 'refused', status: 400, names: 'q' } },
  { label: 'q twice', query: 'q=a&q=b', expect: { kind: 'refused', status: 400, names: 'q' } },
  { label: 'q with LIKE wildcards', query: 'q=%25_%5C', expect: { kind: 'ok' } },
  { label: 'waiting=yes', query: 'waiting=yes', expect: { kind: 'refused', status: 400, names: 'waiting' } },
  { label: 'waiting=true', query: 'waiting=true', expect: { kind: 'ok' } },
  { label: 'from after before', query: 'from=2025-01-02T00:00:00Z&before=2025-01-01T00:00:00Z', expect: { kind: 'ok' } },
];
/** The list across pipelines also takes the pipeline to list. */
const allRunListCases: Fixture['extra'] = [
  ...runListCases,
  { label: 'pipelineId=nope', query: 'pipelineId=nope', expect: { kind: 'refused', status: 400, names: 'pipelineId' } },
  { label: 'pipelineId of nobody', query: `pipelineId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, expect: { kind: 'ok' } },
];
const lastEventIdCases: Fixture['extra'] = LAST_EVENT_IDS.flatMap((v) => [
  {
    label: `?lastEventId=${v} (not an event id)`,
    query: `lastEventId=${v}`,
    expect: { kind: 'refused' as const, status: 400, names: 'Last-Event-ID' },
  },
  {
    label: `Last-Event-ID: ${v} (not an event id)`,
    headers: { 'last-event-id': v },
    expect: { kind: 'refused' as const, status: 400, names: 'Last-Event-ID' },
  },
  {
    label: `?lastEventId=${v} beside a valid Last-Event-ID header`,
    query: `lastEventId=${v}`,
    headers: { 'last-event-id': '1' },
    expect: { kind: 'refused' as const, status: 400, names: 'Last-Event-ID' },
  },
]);

/** Port 9 (discard) has no listener here: test events and run events to it fail, and are retried, quietly. */
const webhookBody = { url: 'http://127.0.0.1:9/corpus', events: ['run.succeeded', 'run.failed'] };
const deliveryPageCases: Fixture['extra'] = [
  ...['0', '201', 'abc'].map((v) => ({ label: `limit=${v}`, query: `limit=${v}`, expect: { kind: 'refused' as const, names: 'limit' } })),
  { label: 'after=nope', query: 'after=nope', expect: { kind: 'refused', names: 'after' } },
  { label: 'before=nope', query: 'before=nope', expect: { kind: 'refused', names: 'before' } },
];

/** One entry per route of the app: a route without one fails the first test below. */
function fixtures(w: World): Record<string, Fixture> {
  const pipeline = { id: w.pipelineId };
  const run = { id: w.runId };
  const schedule = { id: w.scheduleId };
  return {
    'GET /api/health': {},
    'POST /api/auth/register': {
      body: { email: `corpus-${Date.now()}@example.com`, password: 'correct horse battery', username: 'corpus' },
      allow: [409],
    },
    'POST /api/auth/login': { body: { email: w.email, password: w.password } },
    'GET /api/auth/me': {},
    'PATCH /api/auth/me': { body: { fullName: 'Corpus Person', username: 'corpus' } },
    'POST /api/auth/refresh': { body: { refreshToken: w.refreshToken }, allow: [401] },
    'POST /api/auth/logout': { body: { refreshToken: 'an-unknown-refresh-token' } },
    // A wrong current password: the corpus's own token must survive (a change would end every session).
    'POST /api/auth/password': { body: { currentPassword: 'not the password', newPassword: 'another long password' }, allow: [403] },
    'GET /api/public/projects/:token': { params: { token: w.publicToken } },
    'GET /api/public/projects/:token/media/:mediaId/content': { params: { token: w.publicToken, mediaId: w.mediaId } },
    'GET /api/nodes': {},
    'GET /api/projects': {},
    'POST /api/projects': { body: { name: 'Corpus project', description: 'made by the bad-input corpus' } },
    'GET /api/projects/:id': { params: { id: w.projectId } },
    'PATCH /api/projects/:id': {
      params: { id: w.projectId },
      body: { name: 'Renamed', description: 'still fine', type: 'podcast', status: 'active', settings: { voice: 'alloy' } },
    },
    'GET /api/pipelines': { list: true },
    'POST /api/pipelines': { body: { name: 'Corpus', projectId: w.projectId, graph } },
    'GET /api/pipelines/:id': { params: pipeline, extra: versionCases },
    'PUT /api/pipelines/:id': { params: pipeline, body: { name: 'Corpus v2', graph } },
    'DELETE /api/pipelines/:id': { params: { id: w.doomedPipelineId }, allow: [404] },
    'GET /api/pipelines/:id/versions': { params: pipeline },
    'POST /api/pipelines/:id/versions': { params: pipeline, body: {} },
    'GET /api/pipelines/:id/versions/:version': { params: { ...pipeline, version: '1' }, extra: versionParamCases(w, '') },
    'POST /api/pipelines/:id/versions/:version/restore': {
      params: { ...pipeline, version: '1' },
      body: {},
      extra: versionParamCases(w, '/restore'),
    },
    'PUT /api/pipelines/:id/draft': { params: pipeline, body: { graph } },
    'POST /api/pipelines/:id/runs': { params: pipeline, body: runBody, extra: startRunCases },
    'POST /api/pipelines/:id/estimate': { params: pipeline, body: runBody },
    'GET /api/pipelines/:id/runs': { params: pipeline, list: true, extra: runListCases },
    'GET /api/runs': { list: true, extra: allRunListCases },
    'GET /api/runs/:id': { params: run },
    'POST /api/runs/:id/cancel': { params: run, allow: [409] },
    'POST /api/runs/:id/rerun': { params: run, body: { fromNodeId: 'publish', inputs: { topic: 'otters again' } } },
    // Not an approval step (the corpus's run has none): refused with 409, the body read first.
    'POST /api/runs/:id/nodes/:nodeId/decision': { params: { ...run, nodeId: 'publish' }, body: { approve: true }, allow: [409] },
    'POST /api/pipelines/:id/batches': { params: pipeline, body: batchBody },
    'GET /api/batches/:id': { params: { id: w.batchId } },
    'POST /api/batches/:id/cancel': { params: { id: w.batchId }, allow: [409] },
    'GET /api/runs/:id/events': { params: run, extra: lastEventIdCases },
    'GET /api/runs/:id/artifacts/*path': { params: { id: w.runId, path: 'missing.png' }, allow: [404] },
    'GET /api/runs/:id/archive': { params: run },
    'POST /api/runs/:id/share': { params: run, body: {} },
    'GET /api/runs/:id/shares': { params: run },
    'DELETE /api/shares/:id': { params: { id: w.doomedShareId }, allow: [404] },
    'GET /api/public/shares/:token': { params: { token: w.shareToken } },
    'GET /api/public/shares/:token/media/:index': { params: { token: w.shareToken, index: '0' } },
    'GET /api/media': { list: true },
    'GET /api/media/:id': { params: { id: w.mediaId } },
    'GET /api/media/:id/content': { params: { id: w.mediaId } },
    'PATCH /api/media/:id': { params: { id: w.mediaId }, body: { name: 'Corpus media' } },
    'DELETE /api/media/:id': { params: { id: w.doomedMediaId }, allow: [404] },
    'POST /api/media/archive': { body: { ids: [w.mediaId] } },
    'GET /api/settings/providers': {},
    'PUT /api/settings/providers/:provider': { params: { provider: 'openai' }, body: { apiKey: 'sk-corpus-key' } },
    'DELETE /api/settings/providers/:provider': { params: { provider: 'elevenlabs' }, allow: [404] },
    'POST /api/settings/providers/:provider/test': { params: { provider: 'automatic1111' }, body: {} },
    'GET /api/settings/generations': { list: true },
    'GET /api/settings/usage': {},
    'GET /api/cache': {},
    'DELETE /api/cache': {},
    'DELETE /api/cache/:id': { params: { id: w.runId }, allow: [404] },
    'POST /api/signed-urls': { body: { paths: [`/api/media/${w.mediaId}/content`] } },
    'GET /api/keys': {},
    'POST /api/keys': { body: { name: 'Corpus key', scope: 'read' } },
    'DELETE /api/keys/:id': { params: { id: w.keyId }, allow: [404] },
    'POST /api/pipelines/:id/webhooks': { params: pipeline, body: webhookBody },
    'GET /api/pipelines/:id/webhooks': { params: pipeline },
    'DELETE /api/webhooks/:id': { params: { id: w.doomedWebhookId }, allow: [404] },
    'GET /api/webhooks/:id/deliveries': { params: { id: w.webhookId }, extra: deliveryPageCases },
    'POST /api/webhooks/:id/test': { params: { id: w.webhookId }, body: {} },
    'GET /api/schedules': {},
    'POST /api/schedules': {
      body: { ...scheduleBody(w.pipelineId), version: 1, overlap: 'skip', catchupWindow: '10m', note: 'made by the corpus' },
    },
    'GET /api/schedules/:id': { params: schedule },
    'PATCH /api/schedules/:id': {
      params: schedule,
      body: {
        cron: '0 10 * * TUE',
        timezone: 'UTC',
        inputs: runBody.inputs,
        version: 1,
        overlap: 'buffer_one',
        catchupWindow: '1h',
        note: 'edited',
      },
    },
    'POST /api/schedules/:id/pause': { params: schedule, body: { note: 'corpus pause' } },
    'POST /api/schedules/:id/resume': { params: schedule, body: { note: 'corpus resume' } },
    'POST /api/schedules/:id/trigger': { params: schedule, body: {} },
    'DELETE /api/schedules/:id': { params: { id: w.doomedScheduleId }, allow: [404] },
    'GET /api/openapi.json': {},
    'GET /api/docs': {},
    'GET /api/docs/docs.js': {},
    'GET /api/docs/docs.css': {},
  };
}

const fill = (path: string, params: Record<string, string>) =>
  path.replace(/([:*])([A-Za-z_]+)/g, (whole, _sigil: string, name: string) => params[name] ?? whole);

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const JSON_HEADERS = { 'content-type': 'application/json' };

/** Every probe for one route: path parameters, query strings, headers and bodies gone wrong. */
function probesFor(route: Route, fixture: Fixture): Probe[] {
  const params = fixture.params ?? {};
  const url = fill(route.path, params);
  const baseBody = fixture.body === undefined ? undefined : JSON.stringify(fixture.body);
  const base = { method: route.method, headers: baseBody ? JSON_HEADERS : undefined, body: baseBody };
  const probes: Probe[] = [{ label: 'the legitimate request', ...base, url, expect: { kind: 'ok', allow: fixture.allow } }];

  for (const name of route.path.match(/[:*][A-Za-z_]+/g) ?? []) {
    const cases = name.startsWith('*') ? WILDCARD_CASES : PATH_PARAM_CASES;
    for (const c of cases) {
      probes.push({
        ...base,
        label: `${name} = ${c.label}`,
        url: fill(route.path, { ...params, [name.slice(1)]: c.value }),
        expect: c.expect,
      });
    }
  }

  const queries = route.method === 'GET' ? QUERY_CASES : QUERY_CASES.filter((q) => q.expect.kind === 'refused');
  for (const q of queries)
    probes.push({ ...base, label: `?${q.label}`, url: `${url}?${q.query}`, expect: (fixture.list && q.onList) || q.expect });
  for (const x of fixture.extra ?? []) {
    probes.push({
      ...base,
      label: x.label,
      url: (x.path ?? url) + (x.query ? `?${x.query}` : ''),
      headers: { ...base.headers, ...x.headers },
      expect: x.expect,
    });
  }

  if (route.method === 'GET') {
    for (const range of RANGE_CASES)
      probes.push({ ...base, label: `Range: ${range}`, url, headers: { range }, expect: { kind: 'not-5xx' } });
    for (const id of LAST_EVENT_IDS)
      probes.push({ ...base, label: `Last-Event-ID: ${id}`, url, headers: { 'last-event-id': id }, expect: { kind: 'not-5xx' } });
  }

  if (BODY_METHODS.has(route.method)) {
    const legit = (fixture.body ?? {}) as never;
    for (const m of fixture.body === undefined ? [] : bodyMutations(legit))
      probes.push({ ...base, label: m.label, url, body: m.body, expect: m.expect });
    // The legitimate body sent again (e.g. with a charset) may meet what the route allows the first one.
    const alsoAllowed = (e: Expectation): Expectation =>
      e.kind === 'ok' ? { kind: 'ok', allow: [...(e.allow ?? []), ...(fixture.allow ?? [])] } : e;
    for (const w of wholeBodyCases(legit))
      probes.push({ ...base, label: w.label, url, headers: w.headers, body: w.body, expect: alsoAllowed(w.expect) });
  }
  return probes;
}

interface Answer {
  status: number;
  contentType: string;
  body: any;
  /** An event stream that ended without the run's final status: a failure after the headers were sent. */
  brokenStream: boolean;
}

async function send(baseUrl: string, token: string, probe: Probe): Promise<Answer> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000);
  try {
    const res = await fetch(baseUrl + probe.url, {
      method: probe.method,
      headers: { authorization: `Bearer ${token}`, ...probe.headers },
      body: probe.body as BodyInit | undefined,
      signal: abort.signal,
    });
    const contentType = res.headers.get('content-type') ?? '';
    if (contentType.startsWith('text/event-stream')) {
      // A finished run's stream replays and ends with its final status; one waiting for more stays open.
      let text = '';
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const deadline = Date.now() + 1500;
      for (;;) {
        const chunk = await Promise.race([
          reader.read(),
          new Promise<null>((r) => setTimeout(() => r(null), Math.max(0, deadline - Date.now()))),
        ]);
        if (chunk === null) {
          abort.abort();
          return { status: res.status, contentType, body: undefined, brokenStream: false };
        }
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
      }
      return { status: res.status, contentType, body: undefined, brokenStream: !/"status":"(succeeded|failed|cancelled)"/.test(text) };
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, contentType, body, brokenStream: false };
  } finally {
    clearTimeout(timer);
  }
}

/** What is wrong with an answer, or undefined when it is what the probe expects. */
function judge(expect: Expectation, answer: Answer): string | undefined {
  const { status, body } = answer;
  if (status >= 500) return `${status} ${JSON.stringify(body)?.slice(0, 200)}`;
  if (answer.brokenStream) return 'event stream broke off without the final status (a failure after the headers)';
  const errorShape =
    status >= 400 &&
    (typeof body?.error !== 'string' || typeof body?.message !== 'string' || !answer.contentType.startsWith('application/json'));
  if (errorShape) return `${status} is not JSON {error, message}: ${answer.contentType} ${JSON.stringify(body)?.slice(0, 200)}`;
  if (expect.kind === 'refused') {
    if (status < 400) return `accepted (${status}) instead of refused`;
    if (expect.status && status !== expect.status) return `${status} instead of ${expect.status}: ${body.message}`;
    const said = [body.message, ...(body.problems ?? []).map((p: { message: string }) => p.message)].join(' | ');
    if (expect.names && !said.includes(expect.names)) return `${status} does not name '${expect.names}': ${said.slice(0, 300)}`;
  }
  if (expect.kind === 'ok' && (status < 200 || status >= 300) && !expect.allow?.includes(status))
    return `legitimate request answered ${status}: ${JSON.stringify(body).slice(0, 300)}`;
  return undefined;
}

describe.each([
  { backends: 'embedded' as const, label: 'PGlite + in-process bus + local files' },
  { backends: 'servers' as const, label: 'PostgreSQL + Redis + S3 (moto)' },
])('bad input on $label', ({ backends, label }) => {
  let stack: Stack;
  let routes: Route[];
  let world: World;
  let token: string;

  beforeAll(async () => {
    // Webhooks to a local port, which the default policy refuses.
    stack = await startStack({ backends, env: { WEBHOOKS_ALLOW_PRIVATE: 'true' } });
    routes = apiRoutes(createApp(stack.services));
    const password = 'correct horse battery';
    const user = await registerUser(stack.baseUrl);
    token = user.token;
    const projectId = (await user.client.get('/api/projects')).body.projects[0].id;
    const pipeline = await user.client.post('/api/pipelines', { name: 'Corpus', graph });
    const doomed = await user.client.post('/api/pipelines', { name: 'Doomed', graph });
    const run = await user.client.post(`/api/pipelines/${pipeline.body.id}/runs`, runBody);
    const done = await waitForRun(user.client, run.body.id);
    expect(done.status).toBe('succeeded');
    const batch = await user.client.post(`/api/pipelines/${pipeline.body.id}/batches`, batchBody);
    expect(batch.status, batch.text).toBe(201);
    for (const runId of batch.body.runIds) await waitForRun(user.client, runId);
    const doomedMediaId = crypto.randomUUID();
    const doomedBlob = await stack.services.blobs.put(`users/${user.userId}/media/${doomedMediaId}/doomed.txt`, 'doomed', {
      contentType: 'text/plain',
    });
    await stack.services.db
      .insertInto('media')
      .values({
        id: doomedMediaId,
        user_id: user.userId,
        project_id: projectId,
        storage_key: doomedBlob.key,
        mime_type: 'text/plain',
        kind: 'text',
        size: doomedBlob.size,
        sha256: doomedBlob.sha256,
      })
      .execute();
    const key = await user.client.post('/api/keys', { name: 'Doomed key', scope: 'read' });
    const webhook = await user.client.post(`/api/pipelines/${pipeline.body.id}/webhooks`, webhookBody);
    const doomedWebhook = await user.client.post(`/api/pipelines/${pipeline.body.id}/webhooks`, webhookBody);
    const schedule = await user.client.post('/api/schedules', scheduleBody(pipeline.body.id));
    const doomedSchedule = await user.client.post('/api/schedules', scheduleBody(pipeline.body.id));
    expect([schedule.status, doomedSchedule.status]).toEqual([201, 201]);
    const session = await apiClient(stack.baseUrl).post('/api/auth/login', { email: user.email, password });
    const opened = await user.client.patch(`/api/projects/${projectId}`, { isPublic: true });
    const share = await user.client.post(`/api/runs/${run.body.id}/share`, {});
    const doomedShare = await user.client.post(`/api/runs/${run.body.id}/share`, {});
    expect([share.status, doomedShare.status]).toEqual([201, 201]);
    world = {
      email: user.email,
      password,
      projectId,
      pipelineId: pipeline.body.id,
      doomedPipelineId: doomed.body.id,
      runId: run.body.id,
      batchId: batch.body.id,
      mediaId: done.nodes.publish.output.media.id,
      doomedMediaId,
      keyId: key.body.id,
      webhookId: webhook.body.id,
      doomedWebhookId: doomedWebhook.body.id,
      scheduleId: schedule.body.id,
      doomedScheduleId: doomedSchedule.body.id,
      refreshToken: session.body.refreshToken,
      publicToken: opened.body.publicPath.slice('/p/'.length),
      shareToken: share.body.url.slice('/s/'.length),
      doomedShareId: doomedShare.body.id,
    };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('has a corpus fixture for every route the app answers', () => {
    const known = fixtures(world);
    expect(routes.length).toBeGreaterThan(20);
    expect(
      routes.map(routeKey).filter((key) => !known[key]),
      'routes without a fixture in test/bad-input.test.ts',
    ).toEqual([]);
    expect(
      Object.keys(known).filter((key) => !routes.some((r) => routeKey(r) === key)),
      'fixtures of routes that no longer exist',
    ).toEqual([]);
  });

  it('refuses the inputs that used to fail inside (NUL, lone surrogates, deep nesting, __proto__, int32 overflow, year 0, text/plain) naming the field', async () => {
    const client = apiClient(stack.baseUrl, token);
    const refusal = (message: string) => ({ error: 'invalid_request', message });
    expect((await client.post('/api/projects', { name: 'a\u0000b' })).body).toEqual(
      refusal('body.name: contains a NUL character (\\u0000)'),
    );
    expect(
      (
        await apiClient(stack.baseUrl).post('/api/auth/register', {
          email: 'nul@example.com',
          password: 'long enough pw',
          username: '\u0000',
        })
      ).body,
    ).toEqual(refusal('body.username: contains a NUL character (\\u0000)'));
    expect(
      (await apiClient(stack.baseUrl).post('/api/auth/login', { email: `${world.email}\u0000`, password: world.password })).status,
    ).toBe(400);
    const nulGraph = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'text' ? { ...n, params: { template: '{{topic}}\u0000' } } : n)) };
    expect((await client.post('/api/pipelines', { name: 'x', graph: nulGraph })).body).toEqual(
      refusal('body.graph.nodes[2].params.template: contains a NUL character (\\u0000)'),
    );
    const runs = `/api/pipelines/${world.pipelineId}/runs`;
    expect((await client.post(runs, { inputs: { topic: 'half an emoji \uD83E' } })).body).toEqual(
      refusal('body.inputs.topic: contains a lone surrogate (not valid Unicode)'),
    );
    const deep = await client.request('POST', runs, `{"inputs": {"topic": "x", "data": ${'['.repeat(5000)}${']'.repeat(5000)}}}`);
    expect(deep.status).toBe(400);
    expect(deep.body.message).toMatch(/^body\.inputs\.data(\[0\])+: is nested deeper than 64 levels$/);
    expect((await client.request('POST', runs, '{"inputs": {"__proto__": "x", "topic": "y"}}')).body).toEqual(
      refusal("body.inputs.__proto__: '__proto__' is a reserved name"),
    );
    const overflow = await client.post(runs, { inputs: { topic: 'x' }, version: 2147483648 });
    expect(overflow.status).toBe(400);
    expect(overflow.body.message).toMatch(/^Invalid body: version: /);
    expect((await client.get(`/api/pipelines/${world.pipelineId}?version=99999999999`)).body.message).toMatch(/^Invalid query: version: /);
    expect((await client.get('/api/runs?before=0000-01-01T00:00:00Z')).body.message).toMatch(
      /^Invalid query: before: must be between 1970-01-01 and 9999-12-31/,
    );
    const lastEvent = await client.request('GET', `/api/runs/${world.runId}/events`, undefined, { 'last-event-id': '99999999999' });
    expect(lastEvent.status).toBe(400);
    expect(lastEvent.body.message).toMatch(/^Invalid Last-Event-ID: /);

    const plain = await client.request('PATCH', `/api/projects/${world.projectId}`, JSON.stringify({ name: 'Not saved' }), {
      'content-type': 'text/plain',
    });
    expect(plain.status).toBe(415);
    expect(plain.body).toEqual({
      error: 'unsupported_media_type',
      message: 'content-type: the body must be application/json, not text/plain',
    });
    expect((await client.get(`/api/projects/${world.projectId}`)).body.name).not.toBe('Not saved');
    expect((await client.request('POST', `/api/runs/${world.runId}/cancel`)).status).toBe(409); // no body, no content type: fine
  });

  it('answers every bad input on every route with a 4xx JSON error naming the field, never a 5xx', { timeout: 900_000 }, async () => {
    const known = fixtures(world);
    const failures: string[] = [];
    let sent = 0;
    let fiveHundreds = 0;
    for (const route of routes) {
      const fixture = known[routeKey(route)];
      if (!fixture) continue;
      for (const probe of probesFor(route, fixture)) {
        const answer = await send(stack.baseUrl, token, probe);
        sent++;
        if (answer.status >= 500 || answer.brokenStream) fiveHundreds++;
        const wrong = judge(probe.expect, answer);
        if (wrong) failures.push(`${routeKey(route)} — ${probe.label}: ${wrong}`);
      }
    }
    console.log(`[bad-input] ${label}: ${sent} requests, ${fiveHundreds} answered 5xx, ${failures.length} not as expected`);
    expect(({} as Record<string, unknown>).polluted, 'Object.prototype was polluted').toBeUndefined();
    const health = await fetch(`${stack.baseUrl}/api/health`);
    expect(health.status).toBe(200);
    const pipeline = await fetch(`${stack.baseUrl}/api/pipelines/${world.pipelineId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(pipeline.status).toBe(200);
    expect(failures).toEqual([]);
  });
});
