import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { startFakeVendors, type FakeVendors } from '../support/fakeVendors';
import { edge } from '../support/graphs';
import { registerUser, startStack, type Stack } from '../support/stack';
import { launchBrowser } from './harness';

/** A story with a fixed seed, written by the (fake) cloud, then published: a second run reuses the story. */
const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'story', type: 'story', params: { provider: 'openai', words: 40, seed: 7 } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'story', 'prompt'), edge('story', 'text', 'publish', 'file')],
};

describe('the output cache in the studio', () => {
  let stack: Stack;
  let vendors: FakeVendors;
  let browser: Browser;
  let page: Page;
  let pipelineId: string;
  const pageErrors: string[] = [];
  const storyCalls = () => vendors.requests.filter((r) => r.path === '/v1/chat/completions').length;

  beforeAll(async () => {
    await ensureStudioBuilt({ quiet: true });
    vendors = await startFakeVendors();
    process.env.PROVIDER_ALLOWED_HOSTS = '127.0.0.1';
    stack = await startStack({ backends: 'embedded' });
    const { client, token } = await registerUser(stack.baseUrl);
    await client.put('/api/settings/providers/openai', { apiKey: 'good', baseUrl: `${vendors.baseUrl}/v1` });
    pipelineId = (await client.post('/api/pipelines', { name: 'Seeded story', graph })).body.id;
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

  /** Starts a run from the Run dialog (Fresh ticked or not) and waits for it to succeed; answers its id. */
  async function runFromDialog(fresh: boolean): Promise<string> {
    await page.goto(`${stack.baseUrl}/pipelines/${pipelineId}`);
    await page.getByRole('button', { name: '▶ Run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run pipeline' });
    await dialog.locator('textarea[name="input-topic"]').fill('a lighthouse');
    await dialog.getByRole('checkbox', { name: /Fresh/ }).setChecked(fresh);
    await dialog.getByRole('button', { name: '▶ Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 30_000 });
    return new URL(page.url()).pathname.split('/').at(-1)!;
  }
  const storyBadge = () => page.locator('.react-flow__node[data-id="story"] .status-cached');

  it('marks the reused story of a second run cached, and Fresh computes it again', async () => {
    const first = await runFromDialog(false);
    expect(await storyBadge().count()).toBe(0);
    const calls = storyCalls();
    expect(calls).toBeGreaterThan(0);

    await runFromDialog(false);
    await expect
      .poll(() => storyBadge().textContent())
      .toMatch(new RegExp(`^cached · from run ${first.slice(0, 8)} · saved (<)?\\$0\\.\\d+$`));
    expect(await page.locator('.react-flow__node[data-id="publish"] .status-cached').count()).toBe(0);
    expect(storyCalls()).toBe(calls);

    await runFromDialog(true);
    expect(storyCalls()).toBeGreaterThan(calls);
    expect(await storyBadge().count()).toBe(0);
  }, 180_000);

  it('lists the cache in Settings and clears it', async () => {
    await page.goto(`${stack.baseUrl}/settings`);
    const section = page.getByRole('region', { name: 'Output cache' });
    const rows = section.locator('table.cache-entries tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/^story \(story\)Seeded story.*(<)?\$0\.\d+/);
    await page.setViewportSize({ width: 800, height: 800 });
    mkdirSync(join(process.cwd(), 'test-artifacts'), { recursive: true });
    await section.screenshot({ path: join(process.cwd(), 'test-artifacts', 'settings-output-cache.png') });
    await section.getByRole('button', { name: 'Clear cache' }).click();
    await section.getByRole('button', { name: 'Clear all 1' }).click();
    await section.getByText('Nothing cached yet').waitFor();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
