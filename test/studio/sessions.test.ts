import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { apiClient, startStack, type Stack } from '../support/stack';
import { dragFromPalette, launchBrowser, selectNode, signUp, waitSaved } from './harness';

/**
 * Access tokens live 2 s here (ACCESS_TOKEN_TTL): the studio renews them with its refresh token as they
 * expire, so the user goes on editing and saving, never sent to the login page.
 */
describe('studio sessions in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const refreshes: number[] = [];
  const pageErrors: string[] = [];
  const expire = () => new Promise((r) => setTimeout(r, 3_000));

  beforeAll(async () => {
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded', env: { ACCESS_TOKEN_TTL: '2s' } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('response', (res) => {
      if (new URL(res.url()).pathname === '/api/auth/refresh') refreshes.push(res.status());
    });
    page.setDefaultTimeout(20_000);
    await signUp(page, stack.baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('renews an access token that expires mid-edit silently: the user keeps editing and saving', async () => {
    await page.getByRole('button', { name: '+ Blank pipeline' }).click();
    await page.waitForURL(/\/pipelines\/[0-9a-f-]{36}$/);
    const editorUrl = page.url();
    await dragFromPalette(page, 'input', 120, 140);
    await dragFromPalette(page, 'template', 420, 140);
    await waitSaved(page);

    await expire();
    await selectNode(page, 'template');
    await page.locator('#param-template').fill('Notes on {{text}}');
    await expect.poll(() => page.locator('[data-save]').textContent(), { timeout: 15_000 }).toBe('Draft saved');
    expect(refreshes.length).toBeGreaterThan(0);
    expect(refreshes.every((s) => s === 200)).toBe(true);

    // Again after another expiry, and a reload (several requests at once meet the 401 and share one renewal).
    await expire();
    await page.reload();
    await page.locator('.react-flow__node[data-id="template"]').waitFor();
    await selectNode(page, 'template');
    expect(await page.locator('#param-template').inputValue()).toBe('Notes on {{text}}');
    await expire();
    await dragFromPalette(page, 'delay', 420, 380);
    await waitSaved(page);
    await page.reload();
    await page.locator('.react-flow__node[data-id="delay"]').waitFor();
    expect(page.url()).toBe(editorUrl);
    expect(
      refreshes.every((s) => s === 200),
      `refresh answers: ${refreshes.join(', ')}`,
    ).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('opens a project’s public page to a visitor without an account, and closes it for good', async () => {
    await page.goto(stack.baseUrl + '/');
    await page.getByLabel('Public', { exact: true }).click(); // checked once the server has opened the page
    const link = page.locator('[data-public-link]');
    await link.waitFor();
    const publicPath = (await link.getAttribute('href'))!;
    expect(publicPath).toMatch(/^\/p\/[A-Za-z0-9_-]{32}$/);
    const visitor = await browser.newPage();
    await visitor.goto(stack.baseUrl + publicPath);
    await visitor.getByRole('heading', { name: 'My first project' }).waitFor();
    expect(await visitor.getByText('Nothing published yet.').count()).toBe(1);
    expect(await visitor.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    expect(visitor.url()).toBe(stack.baseUrl + publicPath); // not sent to the login page

    await page.getByLabel('Public', { exact: true }).click();
    await link.waitFor({ state: 'detached' });
    await visitor.reload();
    await visitor.getByText('This page does not exist (any more).').waitFor();
    await visitor.close();
  });

  it('Log out ends the session on the server: its refresh token stops working', async () => {
    await page.goto(stack.baseUrl + '/');
    const refreshToken = await page.evaluate(() => localStorage.getItem('cf.refresh'));
    expect(refreshToken).toBeTruthy();
    const loggedOut = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/auth/logout');
    await page.getByRole('button', { name: 'Log out' }).click();
    expect((await loggedOut).status()).toBe(204);
    await page.waitForURL(/\/login/);
    expect(await page.evaluate(() => localStorage.getItem('cf.refresh'))).toBeNull();
    expect((await apiClient(stack.baseUrl).post('/api/auth/refresh', { refreshToken })).status).toBe(401);
  });
});
