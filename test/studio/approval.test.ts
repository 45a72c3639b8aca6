import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { edge } from '../support/graphs';
import { registerUser, startStack, waitForRun, type apiClient, type Stack } from '../support/stack';
import { launchBrowser } from './harness';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** topic → approval → template: what the approval lets through is used downstream. */
const textGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'check', type: 'approval', params: { instructions: 'Is the topic right for children?' } },
    { id: 'final', type: 'template', params: { template: 'Story about {{text}}' } },
  ],
  edges: [edge('topic', 'value', 'check', 'in'), edge('check', 'out', 'final', 'text')],
};
/** topic → illustration → approval → upload: a picture to approve before it is published. */
const pictureGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'art', type: 'illustration', params: { size: '256x256', seed: 3 } },
    { id: 'check', type: 'approval', params: { instructions: 'Publish this picture?' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'art', 'prompt'), edge('art', 'image', 'check', 'in'), edge('check', 'out', 'publish', 'file')],
};

/** Approving and rejecting a waiting run in the studio, in real Chromium against the whole product. */
describe('approval steps in the studio', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let client: ReturnType<typeof apiClient>;
  const pageErrors: string[] = [];

  const startWaiting = async (name: string, graph: unknown, topic: string) => {
    const pipeline = await client.post('/api/pipelines', { name, graph });
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic } });
    await expect
      .poll(async () => (await client.get(`/api/runs/${run.body.id}`)).body.nodes.check.status, { timeout: 60_000 })
      .toBe('waiting');
    return run.body.id as string;
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    const user = await registerUser(stack.baseUrl);
    client = user.client;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(20_000);
    await page.goto(`${stack.baseUrl}/login`);
    await page.evaluate((t) => localStorage.setItem('cf.token', t), user.token);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists a waiting run under Waiting for you, and approving its edited text finishes the run with the edit', async () => {
    const runId = await startWaiting('Kids stories', textGraph, 'a scary dragon');
    await page.goto(`${stack.baseUrl}/runs`);
    const waiting = page.locator('.waiting-runs');
    await waiting.getByRole('heading', { name: 'Waiting for you (1)' }).waitFor();
    await waiting.getByRole('link', { name: /Kids stories · a scary dragon/ }).click();
    await page.waitForURL(new RegExp(`/runs/${runId}$`));

    await page.locator('.banner.warn', { hasText: 'waiting for your decision' }).waitFor();
    await page.locator('.react-flow__node[data-id="check"] .run-badge[data-status="waiting"]').waitFor();
    const panel = page.locator('[data-approval="check"]');
    await panel.getByText('Is the topic right for children?').waitFor();
    const text = panel.getByLabel('Text to approve (edit it if needed)');
    expect(await text.inputValue()).toBe('a scary dragon');
    await text.fill('a friendly dragon');
    await page.screenshot({ path: join(ARTIFACTS, 'studio-approval.png') });
    await panel.getByRole('button', { name: 'Approve edited text' }).click();

    await page.locator('.react-flow__node[data-id="final"] .run-badge[data-status="succeeded"]').waitFor();
    await page.locator('.react-flow__node[data-id="final"]', { hasText: 'Story about a friendly dragon' }).waitFor();
    expect(await page.locator('.banner.warn').count()).toBe(0);
    const run = await waitForRun(client, runId);
    expect(run.outputs.final).toEqual({ text: 'Story about a friendly dragon' });
    expect(pageErrors).toEqual([]);
  });

  it('shows a picture waiting for approval at 800 px in the dark, and rejecting it with a comment fails the run with it', async () => {
    const runId = await startWaiting('Pictures', pictureGraph, 'a lighthouse');
    await page.setViewportSize({ width: 800, height: 700 });
    await page.goto(`${stack.baseUrl}/runs/${runId}`);
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    // The details are a closed drawer at this width: the banner opens the waiting step in it.
    await page.locator('.banner.warn').getByRole('button', { name: 'Review it' }).click();
    const panel = page.locator('[data-approval="check"]');
    await panel.getByText('Publish this picture?').waitFor();
    await expect
      .poll(() =>
        panel.locator('img.out-image').evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
      )
      .toBe(true);
    expect(await panel.locator('textarea').count()).toBe(0); // a picture is approved or rejected, not edited
    const box = (await panel.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(800);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-approval-800-dark.png') });

    await panel.getByLabel(/Comment/).fill('Too dark');
    await panel.getByRole('button', { name: 'Reject' }).click();
    await page.locator('.banner.error', { hasText: "Node 'check' failed: Rejected: Too dark" }).waitFor();
    const run = await waitForRun(client, runId);
    expect(run.status).toBe('failed');
    expect(run.nodes.publish.status).not.toBe('succeeded');
    expect(pageErrors).toEqual([]);
  });
});
