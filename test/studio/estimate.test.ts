import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { edge } from '../support/graphs';
import { startStack, type Stack } from '../support/stack';
import { launchBrowser, signUp } from './harness';

/** Cost before and after, in a real browser: the Run dialog's estimate as the inputs are typed, the run's actual next to it. */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** A cloud voice priced per character read, and a local sketch that costs nothing. */
const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' }, position: { x: 0, y: 0 } },
    { id: 'voice', type: 'narration', params: { provider: 'openai' }, position: { x: 300, y: 0 }, label: 'Voice' },
    { id: 'art', type: 'illustration', params: { provider: 'local', size: '256x256', steps: 4 }, position: { x: 300, y: 200 } },
  ],
  edges: [edge('topic', 'value', 'voice', 'text'), edge('topic', 'value', 'art', 'prompt')],
};

describe('studio cost estimate in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(20_000);
    await signUp(page, stack.baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows the estimate per node and in total in the Run dialog, labelled as one, updated as the inputs change; the run shows actual next to it', async () => {
    const pipelineId = await page.evaluate(
      async (body) => {
        const res = await fetch('/api/pipelines', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem('cf.token')}` },
          body: JSON.stringify(body),
        });
        return (await res.json()).id as string;
      },
      { name: 'Priced', graph },
    );
    await page.goto(`${stack.baseUrl}/pipelines/${pipelineId}`);
    await page.getByRole('button', { name: '▶ Run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run pipeline' });
    const estimate = dialog.getByRole('region', { name: 'Cost estimate' });
    await expect.poll(() => estimate.textContent()).toContain('an estimate');
    const voice = estimate.locator('[data-cost-node="voice"]');
    // Nothing typed yet: a prompt of about a sentence.
    await expect.poll(() => voice.textContent()).toContain('~100 characters × tts-1 ($0.015/1K characters)');
    expect(await voice.locator('td').first().textContent()).toMatch(/^Voice/);
    expect(await estimate.locator('[data-cost-node="art"]').textContent()).toContain('local model: free');

    const text = 'A lighthouse keeper finds a cat. '.repeat(20).trim(); // 659 characters
    await dialog.locator('textarea[name="input-topic"]').fill(text);
    await expect.poll(() => voice.textContent()).toContain(`~${text.length} characters × tts-1`);
    expect(await voice.locator('td').nth(1).textContent()).toBe('~$0.0099');
    expect(await estimate.locator('[data-estimate-total]').textContent()).toBe('~$0.0099');
    await page.screenshot({ path: join(ARTIFACTS, 'studio-run-estimate.png') });

    await dialog.locator('input[name="budgetUsd"]').fill('0.001');
    await page.getByRole('button', { name: '▶ Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    // The voice would cost more than the budget: it fails before any call; the free sketch is drawn.
    await page.locator('[data-run-status="failed"]').waitFor({ timeout: 60_000 });
    await page.setViewportSize({ width: 1280, height: 900 }); // the run's details beside the canvas, not in a drawer
    const costs = page.getByRole('table', { name: 'Cost: estimate and actual' });
    await costs.waitFor();
    expect(await costs.locator('[data-cost-node="voice"] td').allTextContents()).toEqual([
      expect.stringMatching(/^Voice~/),
      '~$0.0099',
      '$0',
    ]);
    expect(await page.locator('.side-panel').textContent()).toContain('Budget $0.001');
    await page.screenshot({ path: join(ARTIFACTS, 'studio-run-costs.png') });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
