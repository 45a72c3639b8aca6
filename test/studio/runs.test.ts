import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { edge } from '../support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from '../support/stack';
import { launchBrowser } from './harness';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** topic → illustration → upload: each run publishes a picture. */
const pictureGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'art', type: 'illustration', params: { size: '256x256', seed: 4 } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'art', 'prompt'), edge('art', 'image', 'publish', 'file')],
};
const noteGraph = {
  nodes: [
    { id: 'text', type: 'input', params: { name: 'text' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('text', 'value', 'publish', 'file')],
};

/** The Runs page and comparing two runs, in real Chromium against the whole product. */
describe('runs in the studio', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let picturesId: string;
  const pageErrors: string[] = [];

  const rows = () => page.locator('table.runs-table tbody tr');
  const row = (text: string) => page.locator('table.runs-table tbody tr', { hasText: text });
  const imagesLoaded = (selector: string) =>
    page
      .locator(selector)
      .evaluateAll(
        (imgs) => imgs.length > 0 && imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
      );

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    const { client, token } = await registerUser(stack.baseUrl);
    picturesId = (await client.post('/api/pipelines', { name: 'Pictures', graph: pictureGraph })).body.id;
    const notesId = (await client.post('/api/pipelines', { name: 'Notes', graph: noteGraph })).body.id;
    for (const [pipelineId, inputs] of [
      [picturesId, { topic: 'a red fox in the snow' }],
      [picturesId, { topic: 'a blue whale' }],
      [notesId, { text: 'groceries: apples and pears' }],
    ] as const) {
      const started = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs });
      expect((await waitForRun(client, started.body.id)).status).toBe('succeeded');
    }
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(20_000);
    await page.goto(`${stack.baseUrl}/login`);
    await page.evaluate((t) => localStorage.setItem('cf.token', t), token);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists the runs of every pipeline with their inputs and a thumbnail of what they made', async () => {
    await page.goto(stack.baseUrl);
    await page.getByRole('navigation').getByRole('link', { name: 'Runs', exact: true }).click();
    await page.waitForURL(/\/runs$/);
    await expect.poll(() => rows().count()).toBe(3);
    expect(await page.locator('.run-inputs').allTextContents()).toEqual([
      'groceries: apples and pears',
      'a blue whale',
      'a red fox in the snow',
    ]);
    expect(await page.locator('.run-pipeline').allTextContents()).toEqual(['Notes', 'Pictures', 'Pictures']);
    await expect.poll(() => imagesLoaded('.run-thumb img'), { timeout: 15_000 }).toBe(true);
    expect(await page.locator('.run-thumb img').count()).toBe(2); // the note published no picture
    expect(await page.locator('.run-thumb img').first().getAttribute('src')).toMatch(/^\/api\/media\/[0-9a-f-]{36}\/content\?uid=/);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-runs.png') });
  });

  it('narrows the list by searching the inputs and by the filters, and keeps them in the address', async () => {
    await page.getByLabel('Search inputs').fill('WHALE');
    await expect.poll(() => page.locator('.run-inputs').allTextContents()).toEqual(['a blue whale']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('WHALE');
    await page.reload();
    await expect.poll(() => page.locator('.run-inputs').allTextContents()).toEqual(['a blue whale']);
    expect(await page.getByLabel('Search inputs').inputValue()).toBe('WHALE');

    await page.getByLabel('Search inputs').fill('');
    await page.getByLabel('Pipeline').selectOption({ label: 'Notes' });
    await expect.poll(() => page.locator('.run-inputs').allTextContents()).toEqual(['groceries: apples and pears']);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No runs match').waitFor();
    await page.getByRole('main').getByRole('button', { name: 'Clear filters' }).first().click();
    await expect.poll(() => rows().count()).toBe(3);
    expect(page.url()).toMatch(/\/runs$/);

    // The Runs link starts afresh from a filtered list.
    await page.getByLabel('Search inputs').fill('fox');
    await expect.poll(() => rows().count()).toBe(1);
    await page.getByRole('navigation').getByRole('link', { name: 'Runs', exact: true }).click();
    await expect.poll(() => rows().count()).toBe(3);
    expect(await page.getByLabel('Search inputs').inputValue()).toBe('');
  });

  it('compares two picked runs side by side: inputs, each step with its time and pictures', async () => {
    await row('a red fox').getByRole('checkbox').check();
    await page.getByText('Pick one more run to compare it with.').waitFor();
    await row('a blue whale').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Compare side by side' }).click();
    await page.waitForURL(/\/runs\/compare\?a=[0-9a-f-]{36}&b=[0-9a-f-]{36}$/);

    const topic = page.locator('.compare-table tr', { has: page.locator('th', { hasText: /^topic$/ }) });
    await topic.waitFor();
    expect(await topic.locator('td[data-side="a"]').textContent()).toBe('a red fox in the snow');
    expect(await topic.locator('td[data-side="b"]').textContent()).toBe('a blue whale');
    expect(await topic.getAttribute('class')).toContain('differs');

    const art = page.locator('.compare-table tr[data-node="art"]');
    await expect.poll(() => imagesLoaded('.compare-table tr[data-node="art"] img.out-image'), { timeout: 15_000 }).toBe(true);
    expect(await art.locator('img.out-image').count()).toBe(2);
    for (const side of ['a', 'b'])
      expect(await art.locator(`td[data-side="${side}"] [data-took]`).textContent()).toMatch(/\d+(\.\d)? (ms|s)$/);
    const a = (await art.locator('td[data-side="a"]').boundingBox())!;
    const b = (await art.locator('td[data-side="b"]').boundingBox())!;
    expect(Math.abs(a.y - b.y)).toBeLessThan(2);
    expect(a.x + a.width).toBeLessThanOrEqual(b.x + 1);
    expect(Math.abs(a.width - b.width)).toBeLessThan(2);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-runs-compare.png'), fullPage: true });
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await topic.locator('td[data-side="a"]').evaluate((td) => getComputedStyle(td).backgroundColor)).not.toBe('rgb(255, 243, 221)');
    await page.screenshot({ path: join(ARTIFACTS, 'studio-runs-compare-dark.png') });
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });

  it("shows a pipeline's own runs with the same list, and fits 800 px", async () => {
    await page.setViewportSize({ width: 800, height: 700 });
    await page.goto(`${stack.baseUrl}/pipelines/${picturesId}/runs`);
    await expect.poll(() => rows().count()).toBe(2);
    expect(await page.locator('.run-pipeline').count()).toBe(0);
    await page.getByLabel('Search inputs').fill('fox');
    await expect.poll(() => page.locator('.run-inputs').allTextContents()).toEqual(['a red fox in the snow']);
    const table = (await page.locator('table.runs-table').boundingBox())!;
    expect(table.x + table.width).toBeLessThanOrEqual(800);
    expect(await page.evaluate(() => document.querySelector('main')!.scrollWidth <= document.querySelector('main')!.clientWidth)).toBe(
      true,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'studio-history-800.png') });
    expect(pageErrors).toEqual([]);
  });
});
