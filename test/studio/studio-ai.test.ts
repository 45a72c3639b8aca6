import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { startStack, type Stack } from '../support/stack';

/**
 * The AI starter templates end to end in the browser, on the local models: story text streams onto its
 * node, the narration plays inline, the illustration shows inline. Heavy on CPU (~1 min).
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

describe('studio AI templates in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(30_000);
    await page.goto(`${stack.baseUrl}/signup`);
    await page.getByLabel('Email').fill(`ai-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.locator('.template-card').first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function runTemplate(name: string, topic: string) {
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.locator('.template-card', { hasText: name }).getByRole('button', { name: 'Use template' }).click();
    await page.waitForURL(/\/pipelines\//);
    await page.getByRole('button', { name: '▶ Run' }).click();
    await page.locator('textarea[name="input-topic"]').fill(topic);
    await page.getByRole('button', { name: '▶ Start run' }).click();
    await page.waitForURL(/\/runs\//);
  }

  it('streams the story and plays the narration inline', { timeout: 240_000 }, async () => {
    await runTemplate('Narrated story', 'a fox who learns to sail');
    await page.locator('.react-flow__node[data-id="story"] .streaming').waitFor({ timeout: 120_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'studio-ai-streaming.png') });
    // The node's details show the text as it streams, in a panel that resizes and expands.
    await page.locator('.react-flow__node[data-id="story"] .pnode-head').click();
    const stream = page.getByRole('region', { name: 'Streaming text' });
    const small = (await stream.locator('.stream-text').boundingBox())!;
    await stream.getByRole('button', { name: '⤢ Expand' }).click();
    const large = (await stream.locator('.stream-text').boundingBox())!;
    expect(large.width * large.height).toBeGreaterThan(2 * small.width * small.height);
    expect(await stream.locator('.stream-text').evaluate((el) => getComputedStyle(el.parentElement!).resize)).toBe('both');
    await page.screenshot({ path: join(ARTIFACTS, 'studio-ai-streaming-panel.png') });
    await stream.getByRole('button', { name: 'Collapse' }).click();
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 180_000 });
    expect((await page.locator('.react-flow__node[data-id="story"] .node-output').textContent())!.length).toBeGreaterThan(40);
    // The run opens readable (zoom ≥ 0.8) from its start: the canvas's fit control shows the whole of it,
    // after the run view's own fit once the run is over.
    await page.waitForTimeout(600);
    await page.locator('.react-flow__controls-fitview').click();
    const audio = page.locator('.react-flow__node[data-id="save-audio"] audio');
    await audio.waitFor();
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration), { timeout: 15_000 }).toBeGreaterThan(1);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-ai-narrated.png') });
  });

  it('shows the illustrations inline, and the storybook and its video', { timeout: 480_000 }, async () => {
    await runTemplate('Illustrated story', 'a lighthouse at night');
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 420_000 });
    await page.waitForTimeout(600); // the run view's own fit once the run is over
    await page.locator('.react-flow__controls-fitview').click();
    const img = page.locator('.react-flow__node[data-id="save-picture"] img').first();
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth), { timeout: 15_000 }).toBeGreaterThan(100);
    // The illustration step's own output shows inline too, badged as the offline sketch it is.
    const picture = page.locator('.react-flow__node[data-id="picture"]');
    await expect
      .poll(
        () =>
          picture
            .locator('img')
            .first()
            .evaluate((i: HTMLImageElement) => i.naturalWidth),
        { timeout: 15_000 },
      )
      .toBeGreaterThan(100);
    expect(await picture.locator('.badge.sketch').first().textContent()).toBe('Sketch · not AI');
    // The storybook's video plays on its node; the book opens from it, and shows in place once the node is picked.
    const storybook = page.locator('.react-flow__node[data-id="storybook"]');
    await expect
      .poll(() => storybook.locator('video').evaluate((v: HTMLVideoElement) => v.duration), { timeout: 15_000 })
      .toBeGreaterThan(3);
    await storybook.locator('.pnode-head').click();
    await page.locator('.side-panel iframe.out-book').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'studio-ai-illustrated.png') });
  });
});
