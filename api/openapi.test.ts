import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes, routeKey, type Route } from '../test/support/badInput';
import { registerUser, startStack, type Stack } from '../test/support/stack';
import { createApp } from './app';
import { requests } from './contract';
import { openApiPath } from './openapi';
import { responses } from './schemas';

const VALIDATOR = join(import.meta.dirname, '..', '.venv', 'bin', 'openapi-spec-validator');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A path of the document with its parameters filled in with values of the right form that name nothing. */
const filled = (path: string) =>
  path
    .replace('{id}', '00000000-0000-4000-8000-000000000000')
    .replace('{provider}', 'openai')
    .replace('{path}', 'none.png')
    .replace('{token}', 'A'.repeat(32))
    .replace('{mediaId}', '00000000-0000-4000-8000-000000000000');

describe('the API description (OpenAPI)', () => {
  let stack: Stack;
  let routes: Route[];
  let doc: any;
  beforeAll(async () => {
    stack = await startStack({ backends: 'embedded', worker: false });
    routes = apiRoutes(createApp(stack.services));
    const res = await fetch(`${stack.baseUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    doc = await res.json();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('has an entry in requests (api/contract.ts) and responses (api/schemas.ts) for every route the app answers, and none for a route it does not', () => {
    const keys = routes.map(routeKey);
    expect(keys.length).toBeGreaterThan(30);
    expect(
      keys.filter((key) => !(key in requests)),
      'routes without an entry in `requests` in api/contract.ts',
    ).toEqual([]);
    expect(
      keys.filter((key) => !(key in responses)),
      'routes without an entry in `responses` in api/schemas.ts',
    ).toEqual([]);
    expect(
      Object.keys(requests).filter((key) => !keys.includes(key)),
      '`requests` entries of routes that no longer exist',
    ).toEqual([]);
    expect(
      Object.keys(responses).filter((key) => !keys.includes(key)),
      '`responses` entries of routes that no longer exist',
    ).toEqual([]);
  });

  it('serves a valid OpenAPI 3.1 document at /api/openapi.json describing exactly the routes of the app', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const answered = routes.map((r) => `${r.method} ${openApiPath(r.path)}`);
    expect(documented.sort()).toEqual([...new Set(answered)].sort());

    const dir = mkdtempSync(join(tmpdir(), 'cf-openapi-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
      expect(execFileSync(VALIDATOR, [join(dir, 'openapi.json')], { encoding: 'utf8' })).toMatch(/: OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes requests and responses with the schemas the API validates with', () => {
    const start = doc.paths['/api/pipelines/{id}/runs'].post;
    expect(start.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ format: 'uuid' }) }),
      expect.objectContaining({ name: 'wait', in: 'query', required: false, schema: expect.objectContaining({ maximum: 60 }) }),
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    ]);
    expect(start.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/StartRunBody' });
    expect(doc.components.schemas.StartRunBody).toMatchObject({
      additionalProperties: false,
      properties: { version: { type: 'integer', maximum: 2147483647 }, inputs: { type: 'object' } },
    });
    expect(start.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/StartRunAnswer' });
    const list = doc.paths['/api/runs'].get.parameters;
    expect(list).toContainEqual(
      expect.objectContaining({
        name: 'limit',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ minimum: 1, maximum: 200, default: 50 }),
      }),
    );
    expect(doc.paths['/api/pipelines/{id}'].get.parameters).toContainEqual(
      expect.objectContaining({ name: 'version', in: 'query', schema: expect.objectContaining({ type: 'integer', maximum: 2147483647 }) }),
    );
    expect(doc.paths['/api/runs/{id}/events'].get.responses['200'].content).toEqual({ 'text/event-stream': {} });
    expect(doc.paths['/api/pipelines/{id}'].delete.responses['204']).not.toHaveProperty('content');
    // A name is stored trimmed: the description says it needs more than whitespace (a fuzzer sent "\r").
    expect(doc.components.schemas.ProjectBody.properties.name).toMatchObject({ type: 'string', pattern: '\\S' });
    expect(doc.components.schemas.User.additionalProperties).toBe(false);
    expect(doc.components.schemas.Registered.properties.user).toEqual({ $ref: '#/components/schemas/User' });
    // An empty body is read as {}: a body is required exactly when {} is not a valid one.
    expect(doc.paths['/api/projects'].post.requestBody.required).toBe(true);
    expect(doc.paths['/api/projects/{id}'].patch.requestBody.required).toBe(false);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('declares the refusals of the guard and the plans: 429 rate_limited with Retry-After everywhere, 402 quota_exceeded on a run start', () => {
    const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${path}`, op: item[m] })),
    );
    expect(operations.filter(({ op }) => !op.responses['429']?.headers?.['Retry-After']).map(({ key }) => key)).toEqual([]);
    expect(doc.paths['/api/auth/login'].post.responses['429'].description).toMatch(/^rate_limited/);
    const quota = doc.paths['/api/pipelines/{id}/runs'].post.responses['402'];
    expect(quota.description).toMatch(/^quota_exceeded/);
    expect(quota.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    expect(doc.components.schemas.ErrorBody.properties).toHaveProperty('resetsAt');
  });

  it('declares the credentials each route needs: without them, bearer routes answer 401 and public ones do not', async () => {
    const wrong: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const secured = item[method].security.length > 0;
        const res = await fetch(stack.baseUrl + filled(path), {
          method: method.toUpperCase(),
          headers: item[method].requestBody ? { 'content-type': 'application/json' } : {},
          body: item[method].requestBody ? '{}' : undefined,
        });
        await res.body?.cancel();
        if ((res.status === 401) !== secured)
          wrong.push(`${method.toUpperCase()} ${path}: declared ${secured ? 'bearer' : 'public'}, answered ${res.status}`);
        if (secured && !item[method].responses['401']) wrong.push(`${method.toUpperCase()} ${path}: no 401 response declared`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 405 with Allow for a method a path of the API does not answer, 404 for a path it does not have', async () => {
    const { token } = await registerUser(stack.baseUrl);
    const cases = [
      { method: 'PATCH', path: '/api/health', allow: 'GET, HEAD', token: undefined },
      { method: 'DELETE', path: '/api/auth/login', allow: 'POST', token: undefined },
      { method: 'DELETE', path: '/api/runs/00000000-0000-4000-8000-000000000000', allow: 'GET, HEAD', token },
      { method: 'POST', path: '/api/pipelines/00000000-0000-4000-8000-000000000000', allow: 'GET, HEAD, PUT, DELETE', token },
    ];
    for (const c of cases) {
      const res = await fetch(stack.baseUrl + c.path, { method: c.method, headers: c.token ? { authorization: `Bearer ${c.token}` } : {} });
      expect(res.status, `${c.method} ${c.path}`).toBe(405);
      expect(res.headers.get('allow')?.split(', ').sort(), `${c.method} ${c.path}`).toEqual(c.allow.split(', ').sort());
      expect((await res.json()).error).toBe('method_not_allowed');
    }
    const unknown = await fetch(`${stack.baseUrl}/api/nothing-here`, { method: 'PATCH' });
    expect(unknown.status).toBe(404);
  });

  it('serves the docs page from this origin under a strict CSP: no inline script or style, its script and style sheet alongside', async () => {
    const page = await fetch(`${stack.baseUrl}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/); // every script has a src
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const sources = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual(expect.arrayContaining(['/api/docs/docs.js', '/api/docs/docs.css']));
    expect(sources.filter((s) => !s.startsWith('/api/'))).toEqual([]);
    for (const [path, type] of [
      ['/api/docs/docs.js', 'text/javascript; charset=utf-8'],
      ['/api/docs/docs.css', 'text/css; charset=utf-8'],
    ]) {
      const res = await fetch(stack.baseUrl + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect((await res.text()).length, path).toBeGreaterThan(500);
    }
  });
});
