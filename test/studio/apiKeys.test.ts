import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { edge } from '../support/graphs';
import { apiClient, startStack, waitForRun, type Stack } from '../support/stack';
import { launchBrowser, signUp } from './harness';

/**
 * Settings → API keys and the run history's trigger, in real Chromium against the whole product (embedded
 * backends): a key is created and its secret seen exactly once, used by a script, revoked; the history says
 * which runs the studio and which the key started, and filters by it.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const graph = {
  nodes: [
    { id: 'prompt', type: 'input', params: { name: 'prompt' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('prompt', 'value', 'publish', 'file')],
};

describe('API keys and run triggers in the studio', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  /** Every API response body the page received, to prove the secret came back only once. */
  const bodies: { url: string; text: string }[] = [];
  let secret = '';
  let pipelineId = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('response', (res) => {
      if (res.url().includes('/api/') && (res.headers()['content-type'] ?? '').includes('json')) {
        void res.text().then(
          (text) => bodies.push({ url: res.url(), text }),
          () => undefined,
        );
      }
    });
    await signUp(page, stack.baseUrl);
    const token = await page.evaluate(() => localStorage.getItem('cf.token'));
    pipelineId = (await apiClient(stack.baseUrl, token!).post('/api/pipelines', { name: 'Keyed', graph })).body.id;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const keyRow = () => page.locator('table.api-keys tbody tr', { hasText: 'CI script' });

  it('creates an API key and shows its secret exactly once, then lists it by name, scope, prefix, created and last use', async () => {
    await page.goto(`${stack.baseUrl}/settings`);
    const section = page.getByRole('region', { name: 'API keys' });
    await section.getByText('No keys yet.').waitFor();
    await section.getByLabel('Key name').fill('CI script');
    await section.getByLabel('Scope').selectOption('run');
    await section.getByRole('button', { name: 'Create key' }).click();

    secret = (await section.locator('[data-secret]').textContent())!;
    expect(secret).toMatch(/^cf_[A-Za-z0-9_-]{43}$/);
    await section.getByText('it is shown only this once').waitFor();
    const cells = await keyRow().locator('td').allTextContents();
    expect(cells.slice(0, 5)).toEqual(['CI script', 'run', `${secret.slice(0, 11)}…`, 'just now', 'never']);
    await section.screenshot({ path: join(ARTIFACTS, 'studio-api-key-created.png') });

    // A script uses it: the list says so, and the secret is nowhere any more.
    const script = apiClient(stack.baseUrl, secret);
    const started = await script.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { prompt: 'from a script' } });
    expect(started.status).toBe(201);
    await waitForRun(script, started.body.id);
    await page.reload();
    await expect.poll(() => keyRow().locator('td').nth(4).textContent()).toBe('just now');
    expect(await page.locator('[data-secret]').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(secret);
    const carrying = bodies.filter((b) => b.text.includes(secret)).map((b) => new URL(b.url).pathname);
    expect(carrying).toEqual(['/api/keys']); // the create answer (POST), never a list
    expect(bodies.filter((b) => b.text.includes(secret.slice(11)))).toHaveLength(1);
  });

  it('shows what started each run in the history and filters by it', async () => {
    // A run from the studio's Run dialog (a login session).
    await page.goto(`${stack.baseUrl}/pipelines/${pipelineId}`);
    await page.getByRole('button', { name: '▶ Run' }).click();
    await page.locator('textarea[name="input-prompt"]').fill('from the studio');
    await page.getByRole('button', { name: '▶ Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 30_000 });
    await page.getByRole('complementary', { name: 'Run details' }).getByText('Started in the studio', { exact: true }).waitFor();

    await page.goto(`${stack.baseUrl}/pipelines/${pipelineId}/runs`);
    const rows = page.locator('table.table tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect((await page.locator('td.trigger').allTextContents()).sort()).toEqual(['API · CI script', 'Started in the studio']);

    await page.getByLabel('Started by').selectOption('api');
    await expect.poll(() => page.locator('td.trigger').allTextContents()).toEqual(['API · CI script']);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-history-trigger.png') });
    await page.getByLabel('Started by').selectOption('studio');
    await expect.poll(() => page.locator('td.trigger').allTextContents()).toEqual(['Started in the studio']);
    await page.getByLabel('Started by').selectOption('schedule');
    await page.getByText('No runs started by Schedule').waitFor();
    await page.getByLabel('Started by').selectOption('');
    await expect.poll(() => rows.count()).toBe(2);
  });

  it('revokes a key: it leaves the list and the next call with it is refused', async () => {
    await page.goto(`${stack.baseUrl}/settings`);
    await keyRow().getByRole('button', { name: 'Revoke' }).click();
    await keyRow().getByRole('button', { name: 'Revoke “CI script”' }).click();
    await page.getByRole('region', { name: 'API keys' }).getByText('No keys yet.').waitFor();
    const refused = await apiClient(stack.baseUrl, secret).get('/api/runs');
    expect(refused.status).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
