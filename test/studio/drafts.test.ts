import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { startStack, type Stack } from '../support/stack';
import { connect, dragFromPalette, launchBrowser, selectNode, signUp } from './harness';

/**
 * Never losing an edit, in a real browser against the real product: a half-built pipeline (invalid, as
 * every new pipeline is while it is drawn) survives a reload and ←; leaving with an unsaved change asks;
 * the Run dialog refuses an empty required input before anything starts.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

describe('studio drafts in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let editorUrl: string;
  const pageErrors: string[] = [];

  const nodes = () => page.locator('.react-flow__node');
  const edges = () => page.locator('.react-flow__edge');
  const draftSaved = () => page.locator('[data-save="saved"]', { hasText: 'Draft saved' }).waitFor({ timeout: 15_000 });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(20_000);
    await signUp(page, stack.baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('brings back exactly the 4 steps and 2 links of a half-built pipeline after a reload, with its problems', async () => {
    await page.getByRole('button', { name: '+ Blank pipeline' }).click();
    await page.waitForURL(/\/pipelines\/[0-9a-f-]{36}$/);
    editorUrl = page.url();
    await dragFromPalette(page, 'input', 120, 140);
    await dragFromPalette(page, 'template', 420, 140);
    await dragFromPalette(page, 'delay', 420, 380);
    await dragFromPalette(page, 'upload', 720, 380);
    await connect(page, ['input', 'value'], ['template', 'text']);
    await connect(page, ['template', 'text'], ['delay', 'in']);
    await expect.poll(() => edges().count()).toBe(2);
    await draftSaved();
    // The upload step has nothing to publish yet: a problem, shown on its node, and saved all the same.
    await expect.poll(() => page.locator('.react-flow__node[data-id="upload"] .node-problems').textContent()).toMatch(/file/);
    expect(await page.locator('[data-problems]').textContent()).toMatch(/^\d+ problems?$/);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-draft-problems.png') });

    await page.reload();
    await page.locator('.react-flow__node[data-id="upload"]').waitFor();
    await expect.poll(() => edges().count()).toBe(2);
    expect(await nodes().count()).toBe(4);
    expect((await nodes().evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).sort()).toEqual([
      'delay',
      'input',
      'template',
      'upload',
    ]);
    expect(await page.locator('.react-flow__node[data-id="upload"] .node-problems').textContent()).toMatch(/file/);
    expect(await page.locator('[data-save]').textContent()).toBe('Draft saved');
  });

  it('saves the change just made before ← leaves the editor', async () => {
    await selectNode(page, 'template');
    await page.locator('#param-template').fill('Notes on {{text}}');
    await page.locator('a[title="Back to the project"]').click(); // well inside the autosave's debounce
    await page.locator('.pipeline-card').first().waitFor();
    await page.goto(editorUrl);
    await selectNode(page, 'template');
    expect(await page.locator('#param-template').inputValue()).toBe('Notes on {{text}}');
    expect(await nodes().count()).toBe(4);
  });

  it('asks before leaving while a change is not saved, and saves it once the server is reachable again', async () => {
    await page.route('**/api/pipelines/*/draft', (route) => route.abort('internetdisconnected'));
    await selectNode(page, 'delay');
    await page.locator('#param-ms').fill('1234');
    await page.locator('[data-save="offline"]', { hasText: 'Offline — retrying' }).waitFor();

    // ← inside the app asks; staying keeps the editor and the change.
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.type());
      void dialog.dismiss();
    });
    await page.locator('a[title="Back to the project"]').click();
    await expect.poll(() => asked).toEqual(['confirm']);
    expect(page.url()).toBe(editorUrl);

    // Leaving the page for another address asks too; staying cancels the navigation.
    page.once('dialog', (dialog) => {
      asked.push(dialog.type());
      void dialog.dismiss();
    });
    expect(await page.goto(`${stack.baseUrl}/media`).catch((err: Error) => err)).toBeInstanceOf(Error);
    expect(asked).toEqual(['confirm', 'beforeunload']);
    expect(page.url()).toBe(editorUrl);
    expect(await page.locator('#param-ms').inputValue()).toBe('1234');

    await page.unroute('**/api/pipelines/*/draft');
    await draftSaved();
    await page.reload();
    await selectNode(page, 'delay');
    expect(await page.locator('#param-ms').inputValue()).toBe('1234');
  });

  it('refuses a whitespace-only required input in the Run dialog before anything starts', async () => {
    await connect(page, ['delay', 'out'], ['upload', 'file']);
    await expect.poll(() => edges().count()).toBe(3);
    await draftSaved();
    await expect.poll(() => page.locator('[data-problems]').count()).toBe(0);
    const started: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/api\/pipelines\/[^/]+\/(runs|versions)$/.test(r.url()))
        started.push(new URL(r.url()).pathname.split('/').pop()!);
    });

    await page.getByRole('button', { name: '▶ Run' }).click();
    await page.locator('textarea[name="input-prompt"]').fill('   ');
    await page.getByRole('button', { name: '▶ Start run' }).click();
    const refusal = page.getByRole('dialog', { name: 'Run pipeline' }).getByRole('alert');
    await expect.poll(() => refusal.textContent()).toBe('inputs.prompt: required pipeline input is empty');
    expect(await page.locator('textarea[name="input-prompt"]').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'studio-run-empty-input.png') });
    expect(page.url()).toBe(editorUrl);
    expect(started).toEqual([]);

    // A real value runs exactly the graph on the canvas: the draft becomes version 2, and that version runs.
    await page.locator('textarea[name="input-prompt"]').fill('otters');
    await page.getByRole('button', { name: '▶ Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    expect(started).toEqual(['versions', 'runs']);
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.react-flow__node[data-id="template"] .node-output').textContent()).toContain('Notes on otters');
    const runId = new URL(page.url()).pathname.split('/').pop();
    const run = await page.evaluate(async (id) => {
      const res = await fetch(`/api/runs/${id}`, { headers: { authorization: `Bearer ${localStorage.getItem('cf.token')}` } });
      return res.json();
    }, runId);
    expect(run.pipelineVersion).toBe(2);
    expect(pageErrors).toEqual([]);
  });
});
