import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../infra/config';
import { openLimits } from '../infra/limits';
import type { Services } from '../infra/services';
import { apiRoutes, routeKey } from '../test/support/badInput';
import { createApp } from './app';

const dataDir = mkdtempSync(join(tmpdir(), 'cf-scopes-'));
const limits = await openLimits({ prefix: 'unit' }); // in memory: no REDIS_URL
afterAll(async () => {
  await limits.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The app with nothing behind it: building it connects to nothing, and these tests send no request. */
function routesOfTheApp() {
  const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'unit', CREDENTIALS_KEY: 'unit' });
  const db = new Kysely({ dialect: new PostgresDialect({ pool: () => Promise.reject(new Error('no database in a unit test')) }) });
  const services = { db, bus: {}, blobs: {}, temporal: {}, limits, config } as unknown as Services;
  return apiRoutes(createApp(services));
}

describe('route scopes', () => {
  it('declares what every route of the app needs (requireScope), once', () => {
    const declared = new Map<string, Set<string>>();
    for (const route of routesOfTheApp()) {
      const key = routeKey(route);
      const access = declared.get(key) ?? new Set();
      for (const a of route.access) access.add(a);
      declared.set(key, access);
    }
    expect(declared.size).toBeGreaterThan(30);
    const undeclared = [...declared].filter(([, access]) => access.size === 0).map(([key]) => key);
    expect(undeclared, 'routes without requireScope(…) (api/scopes.ts)').toEqual([]);
    const ambiguous = [...declared].filter(([, access]) => access.size > 1).map(([key, access]) => `${key}: ${[...access].join(', ')}`);
    expect(ambiguous, 'routes declaring more than one scope').toEqual([]);
  });

  it('opens to API keys what the issue says: reads to read, runs to run, changes to admin, keys to no key', () => {
    const access = Object.fromEntries(routesOfTheApp().map((r) => [routeKey(r), r.access[0]]));
    expect(access['GET /api/runs']).toBe('read');
    expect(access['GET /api/media/:id/content']).toBe('read');
    expect(access['POST /api/pipelines/:id/runs']).toBe('run');
    expect(access['POST /api/runs/:id/cancel']).toBe('run');
    expect(access['PUT /api/pipelines/:id']).toBe('admin');
    expect(access['PUT /api/settings/providers/:provider']).toBe('admin');
    expect(access['GET /api/runs/:id/archive']).toBe('read');
    expect(access['POST /api/runs/:id/share'], 'a share link opens the run to anyone: a change').toBe('admin');
    expect(access['DELETE /api/shares/:id']).toBe('admin');
    for (const key of ['GET /api/keys', 'POST /api/keys', 'DELETE /api/keys/:id']) expect(access[key]).toBe('session');
    const publicRoutes = Object.keys(access).filter((key) => access[key] === 'public');
    expect(publicRoutes.sort()).toEqual([
      'GET /api/docs',
      'GET /api/docs/docs.css',
      'GET /api/docs/docs.js',
      'GET /api/health',
      'GET /api/nodes',
      'GET /api/openapi.json',
      'GET /api/public/projects/:token',
      'GET /api/public/projects/:token/media/:mediaId/content',
      'GET /api/public/shares/:token',
      'GET /api/public/shares/:token/media/:index',
      'POST /api/auth/login',
      'POST /api/auth/logout',
      'POST /api/auth/refresh',
      'POST /api/auth/register',
    ]);
    expect(access['POST /api/auth/password'], "a key can't change the account's password").toBe('session');
    const writesOpenToRead = Object.keys(access).filter((key) => !key.startsWith('GET ') && access[key] === 'read');
    expect(
      writesOpenToRead.sort(),
      'only GET routes (and signing links, zipping media, estimating a run: reads with a body) are open to read keys',
    ).toEqual(['POST /api/media/archive', 'POST /api/pipelines/:id/estimate', 'POST /api/signed-urls']);
  });
});
