import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { apiClient, startStack, waitForRun, type Stack } from '../support/stack';
import { launchBrowser, signUp } from './harness';

/**
 * Versions in a real browser: the Versions dialog says what each version changed, an old one opens read-only
 * with a banner, Restore as latest makes it the newest version, and a run links to the version it ran.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

const v1 = {
  schemaVersion: 1,
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' }, position: { x: 0, y: 0 } },
    { id: 'note', type: 'template', params: { template: 'A note about {{topic}}.' }, position: { x: 280, y: 0 } },
    { id: 'publish', type: 'upload', params: {}, position: { x: 560, y: 0 } },
  ],
  edges: [
    { source: 'topic', sourceHandle: 'value', target: 'note', targetHandle: 'topic' },
    { source: 'note', sourceHandle: 'text', target: 'publish', targetHandle: 'file' },
  ],
};
/** v1 with the note reworded and a second note beside it. */
const v2 = {
  ...v1,
  nodes: [
    v1.nodes[0],
    { ...v1.nodes[1], params: { template: 'A longer note about {{topic}}.' } },
    v1.nodes[2],
    { id: 'aside', type: 'template', params: { template: 'By the way: {{topic}}' }, position: { x: 280, y: 200 } },
  ],
  edges: [...v1.edges, { source: 'topic', sourceHandle: 'value', target: 'aside', targetHandle: 'topic' }],
};

describe('studio versions in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let client: ReturnType<typeof apiClient>;
  let pipelineId: string;
  let runId: string;
  const pageErrors: string[] = [];

  const nodeIds = () => page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(20_000);
    await signUp(page, stack.baseUrl);
    client = apiClient(stack.baseUrl, (await page.evaluate(() => localStorage.getItem('cf.token')))!);
    pipelineId = (await client.post('/api/pipelines', { name: 'Notes', graph: v1 })).body.id;
    const run = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'otters' }, version: 1 });
    runId = run.body.id;
    await waitForRun(client, runId);
    expect((await client.put(`/api/pipelines/${pipelineId}`, { graph: v2 })).status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists the versions with what each changed, and opens an old one read-only', async () => {
    await page.goto(`${stack.baseUrl}/pipelines/${pipelineId}`);
    await page.locator('.react-flow__node[data-id="aside"]').waitFor();
    await page.getByRole('button', { name: 'Versions' }).click();
    const dialog = page.getByRole('dialog', { name: 'Versions' });
    await dialog.locator('li[data-version="1"]').waitFor();
    expect(await dialog.locator('li[data-version="2"]').textContent()).toMatch(/Version 2latest.*1 added · 1 changed/);
    expect(await dialog.locator('li[data-version="1"]').textContent()).toMatch(/Version 1.*first version · 3 nodes/);

    await dialog.locator('li[data-version="1"]').getByRole('link', { name: 'Open' }).click();
    await page.waitForURL(/\?version=1$/);
    const banner = page.getByRole('status', { name: 'Old version' });
    expect(await banner.textContent()).toMatch(/^Version 1 \(read-only\)/);
    await expect.poll(nodeIds).toEqual(['note', 'publish', 'topic']);
    // Read-only: a step dragged stays where it is, and nothing is saved as a draft.
    const note = page.locator('.react-flow__node[data-id="note"]');
    const placed = () => note.evaluate((el) => (el as HTMLElement).style.transform);
    const before = await placed();
    const box = (await note.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 12);
    await page.mouse.down();
    await page.mouse.move(box.x + 200, box.y + 150, { steps: 5 });
    await page.mouse.up();
    expect(before).toMatch(/^translate\(/);
    expect(await placed()).toBe(before);
    expect((await client.get(`/api/pipelines/${pipelineId}`)).body.draft).toBeNull();
    // A step's settings read as they were in that version.
    await note.click();
    const details = page.getByRole('complementary', { name: 'Version details' });
    await details.locator('[data-param="template"]').waitFor();
    expect(await details.locator('[data-param="template"]').textContent()).toContain('A note about {{topic}}.');
    expect(await details.locator('[data-node-change]').textContent()).toBe('note · added in version 1');
    await page.screenshot({ path: join(ARTIFACTS, 'studio-version-read-only.png') });
  });

  it('restores the old version as the latest and opens the editor on it', async () => {
    await page.getByRole('button', { name: 'Restore as latest' }).click();
    await page.waitForURL(new RegExp(`/pipelines/${pipelineId}$`));
    await page.locator('[data-save="saved"]', { hasText: 'Saved as version 3' }).waitFor();
    await expect.poll(nodeIds).toEqual(['note', 'publish', 'topic']);
    const [restored, old] = await Promise.all([3, 1].map((v) => client.get(`/api/pipelines/${pipelineId}/versions/${v}`)));
    expect(restored.body.graph).toEqual(old.body.graph);
    expect(restored.body.currentVersion).toBe(3);
  });

  it('links a run to the read-only view of the version it ran', async () => {
    await page.goto(`${stack.baseUrl}/runs/${runId}`);
    await page.locator('[data-run-status="succeeded"]').waitFor();
    await page.locator('[data-run-version="1"]', { hasText: 'version 1' }).click();
    await page.waitForURL(new RegExp(`/pipelines/${pipelineId}\\?version=1$`));
    expect(await page.getByRole('status', { name: 'Old version' }).textContent()).toMatch(/^Version 1 \(read-only\)/);
    // Not the latest any more than version 3 (an equal graph) is: it can still be restored.
    await page.getByRole('button', { name: 'Restore as latest' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
