import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { edge } from '../support/graphs';
import { apiClient, startStack, waitForRun, type Stack } from '../support/stack';
import { launchBrowser, signUp } from './harness';

/**
 * The media library in a real browser against the real product: titled items, the full-size viewer stepped
 * through with the keyboard, search, rename that survives a reload, delete with undo, and a zip of a selection.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

const pictureGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'picture', type: 'illustration', params: { size: '256x256' } },
    { id: 'save', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'picture', 'prompt'), edge('picture', 'image', 'save', 'file')],
};
const storyGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'save', type: 'upload', params: {}, label: 'Story file' },
  ],
  edges: [edge('topic', 'value', 'save', 'file')],
};

describe('studio media library in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let client: ReturnType<typeof apiClient>;
  const pageErrors: string[] = [];

  const tiles = () => page.locator('.media-tile');
  const titles = () => page.locator('.media-tile .media-title').allTextContents();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    page.setDefaultTimeout(20_000);
    await signUp(page, stack.baseUrl);
    client = apiClient(stack.baseUrl, (await page.evaluate(() => localStorage.getItem('cf.token')))!);
    const run = async (pipelineId: string, topic: string) => {
      const started = await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic } });
      expect((await waitForRun(client, started.body.id)).status).toBe('succeeded');
    };
    const pictures = (await client.post('/api/pipelines', { name: 'Pictures', graph: pictureGraph })).body.id;
    const stories = (await client.post('/api/pipelines', { name: 'Stories', graph: storyGraph })).body.id;
    await run(pictures, 'a heron');
    await run(pictures, 'a fox');
    await run(stories, 'otters on the river');
    await page.goto(`${stack.baseUrl}/media`);
    await page.locator('.media-tile').nth(2).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('titles each card by pipeline, run input and step', async () => {
    expect(await titles()).toEqual([
      'Stories · otters on the river · Story file',
      'Pictures · a fox · illustration',
      'Pictures · a heron · illustration',
    ]);
    expect(await page.locator('.media-tile[data-kind="image"] img').first().getAttribute('src')).toMatch(/\?uid=[0-9a-f-]+&exp=\d+&sig=/);
  });

  it('opens an image full size and steps to the next with the keyboard; Esc closes', async () => {
    await page.getByRole('button', { name: 'Open Pictures · a fox · illustration' }).click();
    const viewer = page.getByRole('dialog', { name: 'Pictures · a fox · illustration' });
    await viewer.locator('img.viewer-image').waitFor();
    const shown = () =>
      page
        .locator('.viewer img.viewer-image')
        .evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth);
    await expect.poll(shown).toBe(256);
    expect(await viewer.getByText('2 of 3').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-media-viewer.png') });

    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: 'Pictures · a heron · illustration' }).waitFor();
    await expect.poll(shown).toBe(256);
    await page.keyboard.press('ArrowRight'); // the last one: stays
    await page.getByRole('dialog', { name: 'Pictures · a heron · illustration' }).getByText('3 of 3').waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    const story = page.getByRole('dialog', { name: 'Stories · otters on the river · Story file' });
    await story.locator('pre.viewer-text', { hasText: 'otters on the river' }).waitFor();

    await page.keyboard.press('Tab'); // the focus stays inside while the viewer is open
    expect(await page.evaluate(() => !!document.activeElement?.closest('.viewer'))).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    // …and goes back to the card it was opened from.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Open Pictures · a fox · illustration');
  });

  it('narrows the grid as the search is typed, and by kind', async () => {
    await page.getByLabel('Search media').fill('heron');
    await expect.poll(titles).toEqual(['Pictures · a heron · illustration']);
    await page.getByLabel('Search media').fill('nothing like this');
    await page.getByRole('heading', { name: 'No media matches' }).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => tiles().count()).toBe(3);
    await page.getByLabel('Kind').selectOption('text');
    await expect.poll(titles).toEqual(['Stories · otters on the river · Story file']);
    await page.getByLabel('Kind').selectOption('');
    await expect.poll(() => tiles().count()).toBe(3);
  });

  it('renames a card inline, and the name sticks after a reload', async () => {
    await page.getByRole('button', { name: 'Rename Pictures · a heron · illustration' }).click();
    const input = page.getByRole('textbox', { name: 'Name', exact: true });
    await input.fill('Best heron');
    await input.press('Enter');
    await expect.poll(titles).toContain('Best heron');
    await page.reload();
    await expect.poll(titles).toEqual(['Stories · otters on the river · Story file', 'Pictures · a fox · illustration', 'Best heron']);
    await page.getByLabel('Search media').fill('best');
    await expect.poll(titles).toEqual(['Best heron']);
    await page.getByLabel('Search media').fill('');
    await expect.poll(() => tiles().count()).toBe(3);
  });

  it('zips a selection of cards into one download with their files', async () => {
    await page.getByLabel('Select Best heron').check();
    await page.getByLabel('Select Pictures · a fox · illustration').check();
    await page.getByText('2 selected').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'studio-media-selection.png') });
    // At 800 px in dark mode the filters and the selection bar wrap; the cards stay whole.
    await page.setViewportSize({ width: 800, height: 700 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(ARTIFACTS, 'studio-media-800-dark.png') });
    const card = (await tiles().first().boundingBox())!;
    expect(card.x + card.width).toBeLessThanOrEqual(800);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as zip' }).click()]);
    expect(download.suggestedFilename()).toBe('media-2-items.zip');
    const files = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
    expect(Object.keys(files).sort()).toEqual(['Best heron.png', 'Pictures · a fox · illustration.png']);
    expect(Buffer.from(files['Best heron.png'].subarray(1, 4)).toString()).toBe('PNG');
    await page.getByRole('button', { name: 'Clear selection' }).click();
  });

  it('deletes a card with undo; once the undo is gone, so are the item and its content', async () => {
    const story = (await client.get('/api/media?kind=text')).body.media[0];
    await page.getByRole('button', { name: 'Delete Stories · otters on the river · Story file' }).click();
    await expect.poll(() => tiles().count()).toBe(2);
    await page.locator('.media-undo').getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => tiles().count()).toBe(3);
    expect((await client.get(`/api/media/${story.id}`)).status).toBe(200);

    await page.getByRole('button', { name: 'Delete Stories · otters on the river · Story file' }).click();
    await page.locator('.media-undo').waitFor();
    await page.locator('.media-undo').waitFor({ state: 'detached', timeout: 15_000 });
    await expect.poll(async () => (await client.get(`/api/media/${story.id}`)).status).toBe(404);
    expect((await client.get(story.url)).status).toBe(404);
    await page.reload();
    await expect.poll(() => tiles().count()).toBe(2);
    expect(pageErrors).toEqual([]);
  });
});
