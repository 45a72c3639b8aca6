import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startStack, type Stack } from '../support/stack';
import { launchBrowser } from './harness';

/**
 * CORS in real Chromium: a page on another origin (another local port) cannot read the API, with or without
 * credentials; a page on an origin CORS_ORIGINS lists passes its preflight and reads the answer.
 */
/** A page on its own port, picked by the system (two ports asked for in turn could otherwise be the same one). */
async function servePage(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another site</title>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

type Outcome = { read: true; status: number; body: string; rateLimit: string | null } | { read: false; error: string };

/** fetch() from the page, as a script on that site would. */
function fetchFrom(
  page: Page,
  url: string,
  init: { token?: string; credentials?: RequestCredentials; mode?: RequestMode },
): Promise<Outcome> {
  return page.evaluate(
    async ({ url, token, credentials, mode }) => {
      try {
        const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, credentials, mode });
        if (res.type === 'opaque') return { read: false as const, error: 'opaque response (status and body hidden)' };
        return { read: true as const, status: res.status, body: await res.text(), rateLimit: res.headers.get('RateLimit') };
      } catch (err) {
        return { read: false as const, error: String(err) };
      }
    },
    { url, ...init },
  );
}

describe('the API from pages on other origins', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let allowed: string;
  let other: string;
  const pages: Server[] = [];

  beforeAll(async () => {
    const [allowedPage, otherPage] = [await servePage(), await servePage()];
    allowed = allowedPage.origin;
    other = otherPage.origin;
    pages.push(allowedPage.server, otherPage.server);
    stack = await startStack({ backends: 'embedded', worker: false, env: { CORS_ORIGINS: allowed } });
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    for (const server of pages) await new Promise((resolve) => server.close(resolve));
    await stack?.stop();
  });

  it('cannot be read from an origin CORS_ORIGINS does not list, with or without credentials', async () => {
    const { token } = await registerUser(stack.baseUrl);
    await page.goto(other);
    const me = `${stack.baseUrl}/api/auth/me`;
    for (const init of [{ token }, { token, credentials: 'include' as const }, {}, { credentials: 'include' as const }]) {
      const outcome = await fetchFrom(page, me, init);
      expect(outcome, JSON.stringify(init)).toEqual({ read: false, error: expect.stringMatching(/Failed to fetch/) });
    }
    expect(await fetchFrom(page, `${stack.baseUrl}/api/health`, {})).toEqual({
      read: false,
      error: expect.stringMatching(/Failed to fetch/),
    });
    expect(await fetchFrom(page, `${stack.baseUrl}/api/health`, { mode: 'no-cors' })).toEqual({
      read: false,
      error: expect.stringContaining('opaque'),
    });
  });

  it('passes the preflight of an origin CORS_ORIGINS lists, with and without credentials', async () => {
    const { token, email } = await registerUser(stack.baseUrl);
    await page.goto(allowed);
    for (const credentials of ['same-origin', 'include'] as const) {
      const outcome = await fetchFrom(page, `${stack.baseUrl}/api/auth/me`, { token, credentials });
      expect(outcome, credentials).toMatchObject({ read: true, status: 200 });
      if (!outcome.read) continue;
      expect(JSON.parse(outcome.body).user.email).toBe(email);
      expect(outcome.rateLimit).toMatch(/^"api"; r=\d+; t=\d+$/); // exposed to the page
    }
  });
});
