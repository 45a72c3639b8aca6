import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { edge } from '../support/graphs';
import { apiClient, startStack, type Stack } from '../support/stack';
import { launchBrowser, signUp } from './harness';

/**
 * Batches in a real browser against the real product: started from the Run dialog's Batch mode over pasted
 * topics, their results shown side by side as they finish, starred, and a running batch cancelled as a whole.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** topic → title (text) and a picture of it (the local sketch renderer): each result has text and an image. */
const pictureBookGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' }, position: { x: 0, y: 0 } },
    { id: 'title', type: 'template', params: { template: 'A picture of {{topic}}' }, position: { x: 280, y: 0 } },
    { id: 'picture', type: 'illustration', params: { size: '256x256' }, position: { x: 280, y: 200 } },
  ],
  edges: [edge('topic', 'value', 'title', 'topic'), edge('topic', 'value', 'picture', 'prompt')],
};
/** A run that lasts: the batch is still going when it is cancelled. */
const slowGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'hold', type: 'delay', params: { ms: 60_000 } },
  ],
  edges: [edge('topic', 'value', 'hold', 'in')],
};

describe('batches in the studio', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let client: ReturnType<typeof apiClient>;
  let pipelineId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(30_000);
    await signUp(page, stack.baseUrl);
    client = apiClient(stack.baseUrl, (await page.evaluate(() => localStorage.getItem('cf.token')))!);
    const created = await client.post('/api/pipelines', { name: 'Picture book', graph: pictureBookGraph });
    expect(created.status).toBe(201);
    pipelineId = created.body.id;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('a batch of 3 topics pasted into the Run dialog shows a grid of 3 results, each with its text and picture', async () => {
    await page.goto(`${stack.baseUrl}/pipelines/${pipelineId}`);
    await page.locator('.react-flow__node[data-id="picture"]').waitFor();
    await page.getByRole('button', { name: '▶ Run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run pipeline' });
    await dialog.getByRole('tab', { name: 'Batch / variations' }).click();
    await dialog.locator('textarea[name="batch-items"]').fill('a lighthouse\nan otter\n\na paper boat\n');
    await expect.poll(() => dialog.getByTestId('batch-summary').textContent()).toBe('3 items = 3 runs, a few at a time.');
    await page.screenshot({ path: join(ARTIFACTS, 'studio-batch-dialog.png') });
    await dialog.getByRole('button', { name: '▶ Start 3 runs' }).click();

    await page.waitForURL(/\/batches\/[0-9a-f-]{36}$/);
    const cells = page.locator('.batch-cell');
    await expect.poll(() => cells.count()).toBe(3);
    await expect.poll(() => page.locator('.batch-cell[data-status="succeeded"]').count(), { timeout: 60_000 }).toBe(3);
    expect(await page.locator('.batch-cell-title').allTextContents()).toEqual(['#1 a lighthouse', '#2 an otter', '#3 a paper boat']);
    expect(await cells.nth(1).locator('.out-text').textContent()).toBe('A picture of an otter');
    await expect
      .poll(() =>
        page.locator('.batch-cell img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length),
      )
      .toBe(3);
    expect(await page.getByTestId('batch-counts').textContent()).toBe('3 of 3 ended · 3 done');
    await page.screenshot({ path: join(ARTIFACTS, 'studio-batch-grid.png'), fullPage: true });

    // Each cell opens its run, an ordinary run of the pipeline.
    const batchUrl = page.url();
    await cells.nth(0).getByRole('link', { name: 'Open run →' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const run = (await client.get(`/api/runs/${page.url().split('/').at(-1)}`)).body;
    expect(run).toMatchObject({
      status: 'succeeded',
      batchId: batchUrl.split('/').at(-1),
      trigger: { kind: 'studio' },
      inputs: { topic: 'a lighthouse' },
    });
    await page.getByRole('link', { name: 'Batch', exact: true }).click();
    await page.waitForURL(batchUrl);
    await expect.poll(() => cells.count()).toBe(3);

    // Keep the best: the star lasts across a reload, and "Starred only" shows just the kept ones.
    await cells.nth(1).getByRole('button', { name: 'Star result 2 to keep it' }).click();
    await page.reload();
    await expect.poll(() => page.locator('.batch-cell.kept').count()).toBe(1);
    await page.getByLabel(/Starred only/).check();
    expect(await page.locator('.batch-cell-title').allTextContents()).toEqual(['#1 an otter']);
    await page.getByLabel(/Starred only/).uncheck();
  });

  it('variations run one topic with different seeds, and the grid fits an 800 px window in dark mode', async () => {
    const started = await client.post(`/api/pipelines/${pipelineId}/batches`, { items: [{ inputs: { topic: 'a kite' } }], seeds: 3 });
    expect(started.status, started.text).toBe(201);
    await page.setViewportSize({ width: 800, height: 900 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${stack.baseUrl}/batches/${started.body.id}`);
    await expect.poll(() => page.locator('.batch-cell[data-status="succeeded"]').count(), { timeout: 60_000 }).toBe(3);
    const seeds = await page.locator('.batch-cell-meta').evaluateAll((metas) => metas.map((m) => m.textContent?.match(/seed (\d+)/)?.[1]));
    expect(new Set(seeds).size).toBe(3);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-batch-variations-800-dark.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('cancels a running batch as a whole: its runs in flight and the ones waiting', async () => {
    const slow = await client.post('/api/pipelines', { name: 'Slow', graph: slowGraph });
    const started = await client.post(`/api/pipelines/${slow.body.id}/batches`, {
      items: ['a', 'b', 'c', 'd', 'e'].map((topic) => ({ inputs: { topic } })),
    });
    expect(started.status, started.text).toBe(201);
    await page.goto(`${stack.baseUrl}/batches/${started.body.id}`);
    await expect.poll(() => page.locator('.batch-cell[data-status="running"]').count(), { timeout: 20_000 }).toBe(3);
    expect(await page.locator('.batch-cell[data-status="queued"]').count()).toBe(2);
    await page.getByRole('button', { name: 'Cancel all' }).click();
    await expect.poll(() => page.locator('.batch-cell[data-status="cancelled"]').count(), { timeout: 30_000 }).toBe(5);
    await expect.poll(() => page.getByTestId('batch-counts').textContent(), { timeout: 5_000 }).toBe('5 of 5 ended · 0 done · 5 cancelled');
    expect(await page.getByRole('button', { name: 'Cancel all' }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
