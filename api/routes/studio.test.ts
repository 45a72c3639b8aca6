import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studioRoutes, type StudioState } from './studio';

describe('the studio paths while its build runs beside the start', () => {
  const dist = join(mkdtempSync(join(tmpdir(), 'cf-studio-')), 'dist');
  let state: StudioState = 'building';
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.use(studioRoutes(dist, () => state));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    rmSync(join(dist, '..'), { recursive: true, force: true });
  });

  it('answers every studio path with a page that says it is being built and reloads itself, not a 404 or a blank page', async () => {
    state = 'building';
    for (const path of ['/', '/pipelines/abc', '/runs']) {
      const res = await fetch(base + path);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('retry-after')).toBe('2');
      const page = await res.text();
      expect(page).toContain('The studio is being built');
      expect(page).toMatch(/<meta http-equiv="refresh" content="2">/);
    }
  });

  it('serves the build as soon as it is there, with client-side routes falling back to index.html', async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
    expect(await (await fetch(`${base}/runs/1`)).text()).toContain('being built'); // until the build says it is done
    state = 'ready';
    const page = await fetch(`${base}/runs/1`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<!doctype html><div id="root"></div>');
    const asset = await fetch(`${base}/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('says so when the build failed, and how to see why, without reloading forever', async () => {
    state = 'failed';
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(500);
    const page = await res.text();
    expect(page).toContain('The studio could not be built');
    expect(page).toContain('npm run studio:build');
    expect(page).not.toContain('http-equiv="refresh"');
  });

  it('says the studio is not built when nothing is building and there is no build', async () => {
    state = 'ready';
    rmSync(dist, { recursive: true, force: true });
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('The studio is not built');
  });
});
