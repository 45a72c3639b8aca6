import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { edge } from '../support/graphs';
import { apiClient, startStack, waitForRun, type Stack } from '../support/stack';
import { launchBrowser, signUp } from './harness';

/**
 * A storybook in real Chromium, as the run view shows it: in an iframe sandboxed away from the studio's origin,
 * with every picture loaded, the narration playing and the highlight following the narration's time.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

const STORY = [
  'The lighthouse keeper climbed the stairs at dusk to light the great lamp.',
  'Out in the bay a whale rose from the waves and sang to the tower.',
  'The keeper sang back, and the whale splashed its tail for joy.',
].join('\n\n');

/** Scenes pictured and read one by one (the default voice), put together as a book without a video. */
const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'story' } },
    { id: 'scenes', type: 'split', params: { by: 'paragraphs', maxItems: 4 } },
    { id: 'picture', type: 'illustration', params: { size: '256x256', steps: 6 } },
    { id: 'narration', type: 'narration', params: {} },
    { id: 'storybook', type: 'storybook', params: { video: false } },
  ],
  edges: [
    edge('topic', 'value', 'scenes', 'text'),
    edge('scenes', 'items', 'picture', 'prompt'),
    edge('scenes', 'items', 'narration', 'text'),
    edge('scenes', 'items', 'storybook', 'scenes'),
    edge('picture', 'image', 'storybook', 'images'),
    edge('narration', 'audio', 'storybook', 'narration'),
  ],
};

describe('storybook in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let book: Frame;
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
    const client = apiClient(stack.baseUrl, (await page.evaluate(() => localStorage.getItem('cf.token')))!);
    const pipeline = await client.post('/api/pipelines', { name: 'Storybook', graph });
    expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(201);
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { story: STORY } });
    const state = await waitForRun(client, run.body.id, 120_000);
    expect(state.status, JSON.stringify(state.nodes, null, 1)).toBe('succeeded');

    await page.goto(`${stack.baseUrl}/runs/${run.body.id}`);
    await page.locator('[data-run-status="succeeded"]').waitFor();
    await page.waitForTimeout(600); // the run view's own fit once the run is over
    await page.locator('.react-flow__controls-fitview').click();
    await page.locator('.react-flow__node[data-id="storybook"] .pnode-head').click();
    const frame = page.locator('.side-panel iframe.out-book');
    await frame.waitFor();
    book = (await (await frame.elementHandle())!.contentFrame())!;
    await book.waitForSelector('#narration');
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('runs sandboxed: its script works, but in an opaque origin with no reach into the studio', async () => {
    expect(await page.locator('.side-panel iframe.out-book').getAttribute('sandbox')).toBe('allow-scripts');
    const reach = await book.evaluate(() => {
      let storage = 'blocked';
      try {
        void localStorage.length;
        storage = 'reachable';
      } catch {
        // an opaque origin has no storage
      }
      let parentDocument = 'blocked';
      try {
        void window.parent.document.title;
        parentDocument = 'reachable';
      } catch {
        // another origin
      }
      return { origin: window.origin, storage, parentDocument };
    });
    expect(reach).toEqual({ origin: 'null', storage: 'blocked', parentDocument: 'blocked' });
  });

  it('loads every picture', async () => {
    await expect
      .poll(() =>
        book.$$eval('.scene img', (imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth)),
      )
      .toEqual([256, 256, 256]);
    expect(await book.locator('.scene').count()).toBe(3);
  });

  it('plays the narration, and the highlight moves with its time', async () => {
    const audio = book.locator('#narration');
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration)).toBeGreaterThan(3);
    const starts = await book.$$eval('.scene', (scenes) => scenes.map((s) => Number((s as HTMLElement).dataset.start)));
    expect(starts[0]).toBe(0);
    expect(starts[1]).toBeGreaterThan(0);
    expect(starts[2]).toBeGreaterThan(starts[1]);
    const reading = () => book.$$eval('.scene.reading', (scenes) => scenes.map((s) => s.id));

    // A click on a scene (a user gesture, so the sandbox lets it play) reads from there.
    await book.locator('#scene-2').click();
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => !a.paused && a.currentTime > 0)).toBe(true);
    expect(await reading()).toEqual(['scene-2']);
    const at = await audio.evaluate((a: HTMLAudioElement) => a.currentTime);
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThan(at + 0.2);
    await page.screenshot({ path: join(ARTIFACTS, 'storybook-reading.png') });

    await audio.evaluate((a: HTMLAudioElement) => a.pause());
    for (const [index, time] of [
      [2, starts[2] + 0.2],
      [0, 0.1],
      [1, starts[1] + 0.05],
    ] as const) {
      await audio.evaluate((a: HTMLAudioElement, t: number) => (a.currentTime = t), time);
      await expect.poll(reading).toEqual([`scene-${index + 1}`]);
    }
    expect(await book.locator('#scene-2').getAttribute('aria-current')).toBe('true');
    expect(pageErrors).toEqual([]);
  });

  it('prints without the player or the highlight', async () => {
    await page.emulateMedia({ media: 'print' });
    expect(await book.locator('.player').evaluate((p) => getComputedStyle(p).display)).toBe('none');
    expect(await book.locator('.scene.reading').evaluate((s) => getComputedStyle(s).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
    await page.emulateMedia({ media: 'screen' });
  });
});
