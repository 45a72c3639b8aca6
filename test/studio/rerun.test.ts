import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { startFakeVendors, type FakeVendors } from '../support/fakeVendors';
import { edge } from '../support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from '../support/stack';
import { launchBrowser } from './harness';

/** A story written by the (fake) cloud, then published: running from the publish step must not write it again. */
const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'story', type: 'story', params: { provider: 'openai', words: 40 } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'story', 'prompt'), edge('story', 'text', 'publish', 'file')],
};

describe('Run from here in the studio', () => {
  let stack: Stack;
  let vendors: FakeVendors;
  let browser: Browser;
  let page: Page;
  let parentId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await ensureStudioBuilt({ quiet: true });
    vendors = await startFakeVendors();
    process.env.PROVIDER_ALLOWED_HOSTS = '127.0.0.1';
    stack = await startStack({ backends: 'embedded' });
    const { client, token } = await registerUser(stack.baseUrl);
    await client.put('/api/settings/providers/openai', { apiKey: 'good', baseUrl: `${vendors.baseUrl}/v1` });
    const pipeline = await client.post('/api/pipelines', { name: 'Cloud story', graph });
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'a lighthouse' } });
    expect((await waitForRun(client, run.body.id)).status).toBe('succeeded');
    parentId = run.body.id;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(20_000);
    await page.goto(`${stack.baseUrl}/login`);
    await page.evaluate((t) => localStorage.setItem('cf.token', t), token);
  }, 180_000);

  afterAll(async () => {
    delete process.env.PROVIDER_ALLOWED_HOSTS;
    await browser?.close();
    await stack?.stop();
    await vendors?.stop();
  });

  it('starts a new run from the selected node, whose upstream nodes show the cached badge and call no model', async () => {
    await page.goto(`${stack.baseUrl}/runs/${parentId}`);
    await page.locator('[data-run-status="succeeded"]').waitFor();
    await page.waitForTimeout(600); // the run view's own fit once the run is over
    await page.locator('.react-flow__controls-fitview').click();
    expect(await page.locator('.status-cached').count()).toBe(0);
    const storyCalls = () => vendors.requests.filter((r) => r.path === '/v1/chat/completions').length;
    const callsBefore = storyCalls();

    await page.locator('.react-flow__node[data-id="publish"] .pnode-head').click();
    await page.getByRole('button', { name: '▶ Run from here' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/runs/') && !url.pathname.endsWith(parentId));
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 30_000 });

    const badge = page.locator('.react-flow__node[data-id="story"] .status-cached');
    await expect.poll(() => badge.textContent()).toMatch(new RegExp(`^cached · from run ${parentId.slice(0, 8)} · saved (<)?\\$0\\.\\d+$`));
    expect(await page.locator('.react-flow__node[data-id="topic"] .status-cached').count()).toBe(1);
    expect(await page.locator('.react-flow__node[data-id="publish"] .status-cached').count()).toBe(0);
    expect(storyCalls()).toBe(callsBefore);
    // The new run names the run it re-ran, and the reused node says where its output came from.
    await page.locator('.react-flow__node[data-id="story"] .pnode-head').click();
    await expect.poll(() => page.locator('.side-panel [data-cached-from]').getAttribute('data-cached-from')).toBe(parentId);
    // A succeeded run has nothing to retry.
    expect(await page.getByRole('button', { name: /Retry failed/ }).count()).toBe(0);
    mkdirSync(join(process.cwd(), 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(process.cwd(), 'test-artifacts', 'rerun-cached.png') });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
