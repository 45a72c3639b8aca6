import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { edge } from '../support/graphs';
import { apiClient, startStack, waitForRun, type Stack } from '../support/stack';
import { launchBrowser, signUp } from './harness';

/**
 * Taking a run away from the studio, in real Chromium against the whole product (embedded backends): the run
 * view downloads everything as one zip, and makes a share link that opens in a fresh browser (no login, no
 * storage) with its picture and sound, and stops working once revoked.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
/** A text, a narration (the local voice, one sentence) and a sketch, published. */
const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'prompt', type: 'template', params: { template: 'A short tale of {{topic}} by the river.' }, label: 'Story' },
    { id: 'voice', type: 'narration', params: {}, label: 'Narration' },
    { id: 'cover', type: 'illustration', params: { size: '256x256', seed: 5 }, label: 'Cover' },
    { id: 'publishAudio', type: 'upload', params: {} },
    { id: 'publishCover', type: 'upload', params: {} },
  ],
  edges: [
    edge('topic', 'value', 'prompt', 'topic'),
    edge('prompt', 'text', 'voice', 'text'),
    edge('prompt', 'text', 'cover', 'prompt'),
    edge('voice', 'audio', 'publishAudio', 'file'),
    edge('cover', 'image', 'publishCover', 'file'),
  ],
};

describe('downloading and sharing a run from the studio', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let runId = '';
  let shareUrl = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await signUp(page, stack.baseUrl);
    const client = apiClient(stack.baseUrl, (await page.evaluate(() => localStorage.getItem('cf.token')))!);
    const pipelineId = (await client.post('/api/pipelines', { name: 'Otter tales', graph })).body.id;
    runId = (await client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'otters' } })).body.id;
    expect((await waitForRun(client, runId, 120_000)).status).toBe('succeeded');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('downloads everything the run made as one zip from the run view', async () => {
    await page.goto(`${stack.baseUrl}/runs/${runId}`);
    await page.locator('[data-run-status="succeeded"]').waitFor();
    await page.locator('.toolbar').screenshot({ path: join(ARTIFACTS, 'studio-run-toolbar-take-away.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download all/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^Otter-tales-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.zip$/);
    const files = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
    expect(Object.keys(files).sort()).toEqual(
      [
        'cover-image.png',
        'manifest.json',
        'narration-audio.wav',
        'publish-audio-audio.wav',
        'publish-cover-image.png',
        'story-text.txt',
      ].sort(),
    );
    expect(strFromU8(files['story-text.txt'])).toBe('A short tale of otters by the river.');
    expect(JSON.parse(strFromU8(files['manifest.json'])).inputs).toEqual({ topic: 'otters' });
  });

  it('makes a share link that opens in a fresh browser without a login: the picture loads, the sound plays', async () => {
    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share this run' });
    await dialog.getByText('No live links').waitFor();
    await dialog.getByRole('button', { name: 'Make a share link' }).click();
    shareUrl = await dialog.getByRole('textbox', { name: 'Share link' }).inputValue();
    expect(shareUrl).toMatch(new RegExp(`^${stack.baseUrl}/s/[A-Za-z0-9_-]{43}$`));
    await dialog.getByRole('list', { name: 'Live links' }).getByText('not opened yet').waitFor();
    await dialog.screenshot({ path: join(ARTIFACTS, 'studio-share-dialog.png') });

    const visitor = await browser.newContext({ viewport: { width: 800, height: 900 } });
    try {
      const guest = await visitor.newPage();
      const problems: string[] = [];
      guest.on('pageerror', (err) => problems.push(String(err)));
      guest.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
      const opened = await guest.goto(shareUrl);
      expect(opened?.status()).toBe(200);
      expect(await guest.evaluate(() => localStorage.length)).toBe(0);
      await guest.getByRole('heading', { name: 'Shared outputs' }).waitFor();
      expect(await guest.locator('h2').allTextContents()).toEqual(['Story', 'Narration', 'Cover']);
      await guest.getByText('A short tale of otters by the river.').waitFor();

      const picture = guest.getByRole('img', { name: 'Cover' });
      await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(256);
      const audio = guest.locator('audio');
      await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration), { timeout: 15_000 }).toBeGreaterThan(0.5);
      await audio.evaluate((a: HTMLAudioElement) => {
        a.muted = true; // a muted element may play without a gesture
        return a.play();
      });
      await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 10_000 }).toBeGreaterThan(0);
      await guest.screenshot({ path: join(ARTIFACTS, 'share-page.png'), fullPage: true });
      expect(problems, 'errors or refused content on the share page').toEqual([]);
    } finally {
      await visitor.close();
    }
    await dialog.getByRole('button', { name: 'Make another link' }).waitFor();
  });

  it('stops working once revoked in the studio: the page and its files answer 404 in a fresh browser', async () => {
    const dialog = page.getByRole('dialog', { name: 'Share this run' });
    // The list counts the visit.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Share' }).click();
    await dialog.getByText('opened 1 time').waitFor();
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await dialog.getByText('No live links').waitFor();
    await dialog.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    const visitor = await browser.newContext();
    try {
      const guest = await visitor.newPage();
      const gone = await guest.goto(shareUrl);
      expect(gone?.status()).toBe(404);
      await guest.getByRole('heading', { name: 'This link doesn’t work' }).waitFor();
      const token = shareUrl.split('/s/')[1];
      const file = await visitor.request.get(`${stack.baseUrl}/api/public/shares/${token}/media/2`);
      expect(file.status()).toBe(404);
    } finally {
      await visitor.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
