import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../studio/build';
import type { Config, LimitsConfig } from '../infra/config';
import { openLimits, type Limits } from '../infra/limits';
import { listen } from '../infra/launch/listen';
import { closeServer } from '../infra/launch/processes';
import { edge } from './support/graphs';
import { startTcpProxy } from './support/tcpProxy';
import { apiClient, REDIS_URL, registerUser, startStack, waitForRun, type Stack } from './support/stack';

/**
 * The guard layer over HTTP: rate limits (per address, per account with a growing back-off, per user by plan),
 * which client address counts (X-Forwarded-For only behind TRUST_PROXY), CORS and the security headers. One
 * stack; each test serves the same services through its own app, configured for what it checks.
 */
const PASSWORD = 'correct horse battery';
const ALLOWED_ORIGIN = 'http://allowed.example:8080';

const storyGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'text', type: 'template', params: { template: 'A tale of {{topic}}' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'text', 'topic'), edge('text', 'text', 'publish', 'file')],
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type LimitsChange = { [K in keyof LimitsConfig]?: Partial<LimitsConfig[K]> };

describe('the guard layer', () => {
  let stack: Stack;
  const servers: Server[] = [];
  const extraLimits: Limits[] = [];

  /** This stack's services behind a new app (fresh limit counters) with the config changed as given. */
  async function serve(change: { trustProxy?: Config['trustProxy']; corsOrigins?: string[]; limits?: LimitsChange }, limits?: Limits) {
    const base = stack.config;
    const merged = Object.fromEntries(
      Object.entries(base.limits).map(([key, value]) => [
        key,
        typeof value === 'object' ? { ...value, ...(change.limits?.[key as keyof LimitsConfig] as object) } : value,
      ]),
    ) as unknown as LimitsConfig;
    const config: Config = { ...base, trustProxy: change.trustProxy ?? false, corsOrigins: change.corsOrigins ?? [], limits: merged };
    const server = await listen({ ...stack.services, config, limits: limits ?? stack.services.limits }, 0);
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const login = (baseUrl: string, email: string, password: string, from?: string) =>
    apiClient(baseUrl).request('POST', '/api/auth/login', { email, password }, from ? { 'x-forwarded-for': from } : {});

  beforeAll(async () => {
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(async () => {
    for (const server of servers) await closeServer(server);
    for (const limits of extraLimits) await limits.close();
    await stack?.stop();
  });

  it('throttles 50 wrong passwords for one account from rotating addresses; the right one works again after the back-off', async () => {
    const api = await serve({
      trustProxy: ['loopback'],
      limits: { auth: { loginFailuresPerIp: 5 }, loginBackoff: { freeFailures: 3, baseMs: 2_000, maxMs: 3_000 } },
    });
    const { email } = await registerUser(api);
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push(await login(api, email, `wrong password ${i}`, `203.0.113.${i + 1}`));

    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([401, 401, 401]);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(45);
    for (const answer of refused) {
      expect(answer.body).toEqual({
        error: 'rate_limited',
        message: expect.stringMatching(/^Too many failed sign-ins for this email: try again in \d+ s$/),
      });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // Every address was new, so the per-address limit (5) never tripped: the account's back-off did.
    expect(answers.some((a) => a.body?.message?.includes('your address'))).toBe(false);

    const locked = await login(api, email, PASSWORD, '198.51.100.1');
    expect(locked.status).toBe(429); // the right password too, while the account is locked
    await sleep(Number(locked.headers.get('retry-after')) * 1000);
    const opened = await login(api, email, PASSWORD, '198.51.100.2');
    expect(opened.status, opened.text).toBe(200);
    expect(opened.body.token).toEqual(expect.any(String));
    // A success forgets the failures: the next wrong password is an ordinary 401 again.
    expect((await login(api, email, 'wrong again', '198.51.100.3')).status).toBe(401);
  });

  it('counts a client address from X-Forwarded-For only behind TRUST_PROXY: a forged one changes nothing without it', async () => {
    const limits: LimitsChange = { auth: { loginFailuresPerIp: 5 } };
    const direct = await serve({ limits });
    const proxied = await serve({ trustProxy: ['loopback'], limits });
    const tryMany = async (api: string) => {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await login(api, `nobody-${i}@example.com`, 'wrong password', `192.0.2.${i + 1}`)).status);
      return statuses;
    };
    // No TRUST_PROXY: every attempt comes from this test's own address, whatever the header says.
    expect(await tryMany(direct)).toEqual([401, 401, 401, 401, 401, 429]);
    const refused = await login(direct, 'someone@example.com', 'wrong password', '192.0.2.200');
    expect(refused.body.message).toMatch(/^Too many failed sign-ins from your address: try again in \d+ s$/);
    // Behind a trusted proxy the header names the client: six addresses, one failure each.
    expect(await tryMany(proxied)).toEqual([401, 401, 401, 401, 401, 401]);
    // …and one address keeps its count however the emails rotate.
    const same = [];
    for (let i = 0; i < 6; i++) same.push((await login(proxied, `other-${i}@example.com`, 'wrong password', '192.0.2.77')).status);
    expect(same).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('answers a login for an existing and an unknown email alike: status, headers, body and time', async () => {
    const api = await serve({ trustProxy: ['loopback'], limits: { loginBackoff: { freeFailures: 6, baseMs: 5_000, maxMs: 5_000 } } });
    const { email } = await registerUser(api);
    await login(api, 'warm-up@example.com', 'wrong password', '192.0.2.9');
    const attempts = async (who: string) => {
      const seen = [];
      for (let i = 0; i < 8; i++) {
        const started = performance.now();
        const res = await login(api, who, 'wrong password', '192.0.2.10');
        seen.push({ ms: performance.now() - started, status: res.status, body: res.body, headers: [...res.headers] });
      }
      return seen;
    };
    const known = await attempts(email);
    const unknown = await attempts(`nobody-${Date.now()}@example.com`);
    const masked = (seen: typeof known) =>
      seen.map((a) => ({
        status: a.status,
        body: { ...a.body, message: a.body.message.replace(/\d+/g, '#') },
        headers: a.headers
          // A request id is each request's own (random), and says nothing about the account.
          .filter(([name]) => !['date', 'etag', 'x-request-id'].includes(name))
          .map(([name, value]) => `${name}: ${value.replace(/\d+/g, '#').replace(/pk=:[^:]*:/, 'pk')}`),
      }));
    expect(known.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    expect(masked(unknown)).toEqual(masked(known));
    const ratio = median(unknown.slice(0, 6).map((a) => a.ms)) / median(known.slice(0, 6).map((a) => a.ms));
    expect(ratio, `unknown/known median time of a refused login`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('refuses with 429 {error: rate_limited, message}, Retry-After and RateLimit headers past the per-address limit; health stays open', async () => {
    const api = await serve({ limits: { perIp: { limit: 5, windowMs: 60_000 } } });
    const client = apiClient(api);
    const first = await client.get('/api/nodes');
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit')).toMatch(/^"api"; r=4; t=\d+$/);
    expect(first.headers.get('ratelimit-policy')).toMatch(/^"api"; q=5; w=60; pk=:.+:$/);
    for (let i = 0; i < 4; i++) expect((await client.get('/api/nodes')).status).toBe(200);
    const refused = await client.get('/api/nodes');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(refused.body).toEqual({
      error: 'rate_limited',
      message: expect.stringMatching(/^Too many requests from your address \(at most 5 per minute\): try again in \d+ s$/),
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit')).toMatch(/^"api"; r=0; t=\d+$/);
    expect((await client.get('/')).status).toBe(429); // the studio's files count too
    expect((await client.get('/api/health')).status).toBe(200);
  });

  it('limits sign-ups per address and per email', async () => {
    const api = await serve({ trustProxy: ['loopback'], limits: { auth: { registrationsPerIp: 3, registrationsPerEmail: 2 } } });
    const register = (email: string, from: string) =>
      apiClient(api).request('POST', '/api/auth/register', { email, password: PASSWORD }, { 'x-forwarded-for': from });
    const email = `twice-${Date.now()}@example.com`;
    expect((await register(email, '192.0.2.1')).status).toBe(201);
    expect((await register(email, '192.0.2.2')).status).toBe(409);
    const again = await register(email.toUpperCase(), '192.0.2.3');
    expect(again.status).toBe(429);
    expect(again.body.message).toMatch(/^Too many sign-ups for this email: try again in \d+ s$/);

    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await register(`many-${i}-${Date.now()}@example.com`, '192.0.2.50')).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('limits run starts per user by plan', async () => {
    const api = await serve({ limits: { runStarts: { windowMs: 60_000, perPlan: { free: 2, pro: 3 } } } });
    const free = await registerUser(api);
    const pro = await registerUser(api);
    await stack.services.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', pro.userId).execute();
    const start = async (user: typeof free) => {
      const client = apiClient(api, user.token);
      const pipeline = await client.post('/api/pipelines', { name: 'Limited', graph: storyGraph });
      const statuses = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: `otters ${i}` } });
        statuses.push(last.status);
      }
      return { statuses, last: last! };
    };
    const freeRuns = await start(free);
    expect(freeRuns.statuses).toEqual([201, 201, 429, 429]);
    expect(freeRuns.last.body.message).toMatch(/^Too many runs started: the free plan allows 2 per minute: try again in \d+ s$/);
    expect(freeRuns.last.headers.get('ratelimit')).toMatch(/"runs"; r=0; t=\d+/);
    const proRuns = await start(pro); // another user's count, and a larger allowance
    expect(proRuns.statuses).toEqual([201, 201, 201, 429]);
    expect(proRuns.last.body.message).toContain('the pro plan allows 3 per minute');
  });

  it('shares the login limits between two API instances on one Redis (and not when each keeps them in memory)', async () => {
    const prefix = `cf:rl:test-shared-${Date.now()}:`;
    const redis = async () => {
      const opened = await openLimits({ redisUrl: REDIS_URL, prefix }); // each instance its own connection
      extraLimits.push(opened);
      return opened;
    };
    const change = {
      trustProxy: ['loopback'],
      limits: { auth: { loginFailuresPerIp: 3 }, loginBackoff: { freeFailures: 2, baseMs: 5_000, maxMs: 5_000 } },
    };
    const [a, b] = [await serve(change, await redis()), await serve(change, await redis())];
    const [memoryA, memoryB] = [await serve(change), await serve(change)];
    const { email } = await registerUser(a);

    // The account: two failures on one instance lock it on the other.
    expect((await login(a, email, 'wrong 1', '192.0.2.1')).status).toBe(401);
    expect((await login(a, email, 'wrong 2', '192.0.2.2')).status).toBe(401);
    const onB = await login(b, email, PASSWORD, '192.0.2.3');
    expect(onB.status).toBe(429);
    expect(onB.body.message).toContain('for this email');
    expect((await login(memoryA, email, 'wrong 1', '192.0.2.1')).status).toBe(401);
    expect((await login(memoryA, email, 'wrong 2', '192.0.2.2')).status).toBe(401);
    expect((await login(memoryB, email, PASSWORD, '192.0.2.3')).status).toBe(200);

    // An address: failures on either instance add up.
    const from = '192.0.2.99';
    const statuses = [];
    for (const [i, api] of [a, b, a, b].entries()) statuses.push((await login(api, `nobody-${i}@example.com`, 'wrong', from)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('lets requests through unlimited while Redis is away, logging it, and limits again once it is back', async () => {
    const { hostname, port } = new URL(REDIS_URL);
    const proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) });
    const limits = await openLimits({ redisUrl: `redis://127.0.0.1:${proxy.port}`, prefix: `cf:rl:test-outage-${Date.now()}:` });
    const logged: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    try {
      const api = await serve(
        { limits: { perIp: { limit: 3, windowMs: 60_000 }, loginBackoff: { freeFailures: 1, baseMs: 60_000, maxMs: 60_000 } } },
        limits,
      );
      const client = apiClient(api);
      await proxy.cut();
      const during = [];
      for (let i = 0; i < 5; i++) during.push((await client.get('/api/nodes')).status);
      expect(during).toEqual([200, 200, 200, 200, 200]);
      for (let i = 0; i < 2; i++) expect((await login(api, 'someone@example.com', 'wrong password')).status).toBe(401);
      expect(logged.filter((line) => line.includes('[limits] the rate limit store failed'))).toHaveLength(1); // once, not per request
      await proxy.restore();
      await expect.poll(async () => (await client.get('/api/nodes')).status, { timeout: 15_000 }).toBe(429);
    } finally {
      console.error = original;
      await limits.close();
      await proxy.close();
    }
  });

  it('answers preflights from CORS_ORIGINS only, with credentials; other origins get no CORS headers', async () => {
    const open = await serve({ corsOrigins: [ALLOWED_ORIGIN] });
    const closed = await serve({});
    const preflight = (api: string, origin: string) =>
      fetch(`${api}/api/projects`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });

    const allowed = await preflight(open, ALLOWED_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(allowed.headers.get('access-control-max-age')).toBe('600');
    expect(allowed.headers.get('vary')).toMatch(/Origin/);

    for (const [api, origin] of [
      [open, 'http://evil.example'],
      [open, 'http://allowed.example:8081'],
      [closed, ALLOWED_ORIGIN],
    ]) {
      const refused = await preflight(api, origin);
      expect(refused.status, origin).toBe(403);
      expect(refused.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(await refused.json()).toEqual({ error: 'origin_not_allowed', message: expect.stringContaining(origin) });
    }

    const get = (api: string, origin: string) => fetch(`${api}/api/nodes`, { headers: { origin } });
    const read = await get(open, ALLOWED_ORIGIN);
    expect(read.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(read.headers.get('access-control-expose-headers')).toContain('RateLimit');
    expect((await get(open, 'http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await get(closed, ALLOWED_ORIGIN)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it("serves the studio under its CSP (nothing inline, no CDN) and media under sendBlob's own policy", async () => {
    const api = await serve({});
    const page = await fetch(`${api}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(csp).not.toMatch(/https:|unsafe-eval|upgrade-insecure-requests/);
    expect(await page.text()).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>/); // no inline script for the CSP to refuse
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBeNull();

    const user = await registerUser(api);
    const client = apiClient(api, user.token);
    const pipeline = await client.post('/api/pipelines', { name: 'Media', graph: storyGraph });
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'herons' } });
    const done = await waitForRun(client, run.body.id);
    expect(done.status).toBe('succeeded');
    const media = await fetch(api + done.nodes.publish.output.media.url, { headers: { authorization: `Bearer ${user.token}` } });
    expect(await media.text()).toBe('A tale of herons');
    expect(media.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
    expect(media.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(media.headers.get('cross-origin-resource-policy')).toBe('same-origin');

    // With origins allowed, their pages may embed the media (signed links in <img>/<audio>).
    const shared = await serve({ corsOrigins: [ALLOWED_ORIGIN] });
    const embedded = await fetch(shared + done.nodes.publish.output.media.url, { headers: { authorization: `Bearer ${user.token}` } });
    expect(embedded.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });
});
