import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { edge } from '../support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from '../support/stack';
import { connect, dragFromPalette, launchBrowser, selectNode, waitSaved } from './harness';

/**
 * The studio in a real browser against the real product (Temporal dev server, worker, API, embedded
 * PGlite and local media): sign up, draw a pipeline by drag and drop, run it, reload mid-run, fail a step.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

async function startRun(page: Page, topic: string) {
  await page.getByRole('button', { name: '▶ Run' }).click();
  await page.locator('textarea[name="input-prompt"]').fill(topic);
  await page.getByRole('button', { name: '▶ Start run' }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
}

describe('studio in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const requested: string[] = [];
  /** Every Content-Security-Policy violation the pages report, as events or console errors, on every screen. */
  const cspViolations: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    await page.exposeFunction('reportCspViolation', (violation: string) => void cspViolations.push(violation));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const report = (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation;
        report(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspViolations.push(`console: ${msg.text()}`);
    });
    page.on('request', (req) => void requested.push(req.url()));
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs up, draws input → template → delay → upload by drag and drop, and runs it to the end', async () => {
    await page.goto(stack.baseUrl + '/');
    await page.waitForURL(/\/signup/); // a first-time visitor
    await page.getByLabel('Email').fill(`studio-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('No pipelines yet — start from a template').waitFor();
    await page.locator('.template-card').first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'studio-projects.png') });

    await page.getByRole('button', { name: '+ Blank pipeline' }).click();
    await page.waitForURL(/\/pipelines\/[0-9a-f-]{36}$/);
    await page.locator('.react-flow__pane').waitFor();

    await dragFromPalette(page, 'input', 120, 140);
    await dragFromPalette(page, 'template', 420, 140);
    await dragFromPalette(page, 'delay', 420, 380);
    await dragFromPalette(page, 'upload', 720, 380);

    await connect(page, ['input', 'value'], ['template', 'text']);
    await connect(page, ['template', 'text'], ['delay', 'in']);
    await connect(page, ['delay', 'out'], ['upload', 'file']);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);

    // A refused connection says why, and adds nothing.
    await connect(page, ['delay', 'out'], ['template', 'text']);
    await expect.poll(() => page.locator('.toast.error').textContent()).toMatch(/already connected|cycle/);
    expect(await page.locator('.react-flow__edge').count()).toBe(3);

    await selectNode(page, 'delay');
    await page.locator('#param-ms').fill('4000');
    await selectNode(page, 'template');
    await page.locator('#param-template').fill('A tale of {{text}}');
    await waitSaved(page);
    await page.getByRole('button', { name: 'Fit view', exact: true }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-editor.png') });

    await startRun(page, 'otters');
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.run-badge[data-status="succeeded"]').count()).toBe(4);
    await expect.poll(() => page.locator('.react-flow__node[data-id="template"] .node-output').textContent()).toContain('A tale of otters');
    await expect.poll(() => page.locator('.react-flow__node[data-id="upload"] .node-output').textContent()).toMatch(/text\/plain/);

    await expect.poll(() => page.locator('[data-result="upload"]').textContent()).toContain('A tale of otters');
    await page.locator('.react-flow__node[data-id="upload"] .pnode-head').click();
    await page.locator('[data-selected-node="upload"]').getByRole('heading', { name: 'Output', exact: true }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'studio-run.png') });
  });

  it('continues a run after a reload mid-run', async () => {
    await page.getByRole('link', { name: 'Edit pipeline' }).click();
    await page.locator('.react-flow__node[data-id="delay"]').waitFor();
    await startRun(page, 'badgers');
    await page.locator('.react-flow__node[data-id="delay"] .run-badge[data-status="running"]').waitFor({ timeout: 15_000 });
    const url = page.url();
    await page.reload();
    expect(page.url()).toBe(url);
    await page.locator('.react-flow__node[data-id="upload"]').waitFor();
    expect(await page.locator('[data-run-status="succeeded"]').count()).toBe(0); // still mid-run after the reload
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.run-badge[data-status="succeeded"]').count()).toBe(4);
    await expect
      .poll(() => page.locator('.react-flow__node[data-id="template"] .node-output').textContent())
      .toContain('A tale of badgers');
  });

  it('runs a finished run again with the same inputs', async () => {
    const finished = page.url();
    await page.getByRole('button', { name: '↻ Run again' }).click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).not.toBe(finished);
    expect(page.url()).toMatch(/\/runs\/[0-9a-f-]{36}$/);
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.run-badge[data-status="succeeded"]').count()).toBe(4);
    await expect
      .poll(() => page.locator('.react-flow__node[data-id="template"] .node-output').textContent())
      .toContain('A tale of badgers');
  });

  it('shows a failing step’s error on its node and keeps working', async () => {
    await page.getByRole('link', { name: 'Edit pipeline' }).click();
    // Storage breaks under the upload step: the user's media folder becomes a file, so writing fails (every retry).
    const userMedia = join(stack.config.dataDir, 'media', 'users', readdirSync(join(stack.config.dataDir, 'media', 'users'))[0], 'media');
    renameSync(userMedia, `${userMedia}.aside`);
    writeFileSync(userMedia, 'not a folder');
    try {
      await startRun(page, 'moles');
      await page.locator('[data-run-status="failed"]').waitFor({ timeout: 30_000 });
    } finally {
      rmSync(userMedia);
      renameSync(`${userMedia}.aside`, userMedia);
    }
    const error = page.locator('.react-flow__node[data-id="upload"] .node-error');
    await expect.poll(() => error.textContent()).toMatch(/not a directory/i);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-run-failed.png') });

    // Still usable: history lists all four runs, the media library shows what the good runs published.
    await page.getByRole('link', { name: 'History' }).click();
    await expect.poll(() => page.locator('table.table tbody tr').count()).toBe(4);
    await page.getByRole('link', { name: 'Media' }).click();
    await expect.poll(() => page.locator('.media-tile').count()).toBe(3);
    await expect.poll(() => page.locator('.media-text').first().textContent()).toMatch(/A tale of/);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-media.png') });
    expect(consoleErrors).toEqual([]);
  });

  it('has a dark theme and fits a tablet', async () => {
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.locator('.pipeline-card').first().waitFor();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.locator('.pipeline-card a.title').first().click();
    await page.locator('.react-flow__node[data-id="upload"]').waitFor();
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByRole('button', { name: 'Fit view', exact: true }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-editor-dark-tablet.png') });
    // An invalid graph is still saved, as the draft, with
    // the problem on its node:
    await selectNode(page, 'delay');
    await page.locator('#param-ms').fill('-5');
    await page.locator('[data-problems]').waitFor();
    await waitSaved(page);
    await expect.poll(() => page.locator('.react-flow__node[data-id="delay"] .node-problems').textContent()).toMatch(/ms/);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-editor-problem.png') });
    await page.keyboard.press('Escape');
    await page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
    await page.keyboard.press('Control+z');
    await page.locator('[data-save="saved"]').waitFor();
    expect(await page.locator('.node-problems').count()).toBe(0);
  });

  it('cancels a running run from the run view', async () => {
    await selectNode(page, 'delay');
    await page.locator('#param-ms').fill('30000');
    await waitSaved(page);
    await startRun(page, 'voles');
    await page.locator('.react-flow__node[data-id="delay"] .run-badge[data-status="running"]').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: '■ Cancel' }).click();
    await page.locator('[data-run-status="cancelled"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.react-flow__node[data-id="delay"] .run-badge').getAttribute('data-status')).toBe('cancelled');
    expect(await page.getByRole('button', { name: '■ Cancel' }).count()).toBe(0);
  });

  it('copies, pastes, deletes and undoes with the keyboard', async () => {
    await page.getByRole('link', { name: 'Edit pipeline' }).click();
    await selectNode(page, 'template');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.locator('.react-flow__node[data-id="template-2"]').waitFor();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node[data-id="template-2"]').count()).toBe(0);
    await page.keyboard.press('Control+z');
    await page.locator('.react-flow__node[data-id="template-2"]').waitFor();
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(4);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);
    expect(consoleErrors).toEqual([]);
  });

  it('exports the graph as JSON and imports it back', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(exported.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['delay', 'input', 'template', 'template-2', 'upload']);
    // Import a trimmed copy (without the pasted node): one undoable step.
    const trimmed = { ...exported, nodes: exported.nodes.filter((n: { id: string }) => n.id !== 'template-2') };
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'graph.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(trimmed)) });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(4);
    await page.locator('.toast', { hasText: 'Imported 4 nodes' }).waitFor();
    await waitSaved(page);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);
  });

  it('lists provider keys in settings and saves one', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const toLight = page.getByRole('button', { name: 'Switch to light theme' });
    if (await toLight.count()) await toLight.click();
    const openai = page.locator('form[aria-label="openai key"]');
    await openai.waitFor();
    await openai.getByLabel('openai API key').fill('sk-test-123');
    await openai.getByRole('button', { name: 'Save key' }).click();
    await openai.getByText('your key').waitFor();
    await page.setViewportSize({ width: 800, height: 900 });
    await page.screenshot({ path: join(ARTIFACTS, 'studio-settings-narrow.png'), fullPage: true });
  });

  it('deletes a pipeline from the projects screen', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('button', { name: '+ Blank pipeline' }).click();
    await page.waitForURL(/\/pipelines\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('link', { name: 'Projects' }).click();
    const card = page.locator('.pipeline-card', { has: page.locator(`a.title[href="/pipelines/${id}"]`) });
    await card.waitFor();
    await expect.poll(() => page.locator('.pipeline-card').count()).toBe(2);
    page.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(0);
    await page.reload();
    await page.locator('.pipeline-card').first().waitFor();
    expect(await page.locator('.pipeline-card').count()).toBe(1);
    expect(await card.count()).toBe(0);
  });

  it('renames a project and keeps the new name after a reload', async () => {
    await page.getByRole('button', { name: 'Rename My first project' }).click();
    const input = page.getByLabel('Project name');
    await input.fill('Otter stories');
    await input.press('Enter');
    await expect.poll(() => page.locator('.project-list').textContent(), { timeout: 15_000 }).toContain('Otter stories');
    await expect.poll(() => page.locator('.project-main h1').textContent()).toBe('Otter stories');
    await page.reload();
    await expect.poll(() => page.locator('.project-main h1').textContent(), { timeout: 15_000 }).toBe('Otter stories');
    expect(await page.getByRole('button', { name: 'Rename Otter stories' }).count()).toBe(1);
    expect(consoleErrors).toEqual([]);
  });

  it('shows pictures through short-lived signed links and never puts the token in a URL', async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    await page.goto(`${stack.baseUrl}/login`);
    await page.evaluate((t) => localStorage.setItem('cf.token', t), token);
    const graph = {
      nodes: [
        { id: 'topic', type: 'input', params: { name: 'topic' } },
        { id: 'cover', type: 'illustration', params: { size: '256x256', seed: 2 } },
        { id: 'publish', type: 'upload', params: {} },
      ],
      edges: [edge('topic', 'value', 'cover', 'prompt'), edge('cover', 'image', 'publish', 'file')],
    };
    const pipeline = await client.post('/api/pipelines', { name: 'Picture', graph });
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic: 'a heron' } });
    expect((await waitForRun(client, run.body.id)).status).toBe('succeeded');
    await page.goto(`${stack.baseUrl}/runs/${run.body.id}`);
    await page.locator('[data-run-status="succeeded"]').waitFor();
    const loaded = (selector: string) =>
      page
        .locator(selector)
        .evaluateAll(
          (imgs) => imgs.length > 0 && imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
        );
    await expect.poll(() => loaded('img.out-image'), { timeout: 15_000 }).toBe(true);
    expect(await page.locator('img.out-image').first().getAttribute('src')).toMatch(/\?uid=[0-9a-f-]+&exp=\d+&sig=/);

    await page.getByRole('link', { name: 'Media' }).click();
    await expect.poll(() => loaded('.media-tile[data-kind="image"] img'), { timeout: 15_000 }).toBe(true);
    expect(requested.filter((url) => /access_token|[?&]token=/.test(url))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('ran every screen above (sign-up, projects, editor, run view with media, settings) without a CSP violation', async () => {
    const res = await page.goto(`${stack.baseUrl}/projects`);
    expect(res!.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.locator('.pipeline-card').first().waitFor();
    expect(cspViolations).toEqual([]);
    // The watch is live: inline code is refused and seen.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.body.append(script);
    });
    await expect.poll(() => cspViolations.length).toBeGreaterThan(0);
    expect(cspViolations.join('\n')).toMatch(/script-src/);
    expect(await page.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
  });
});
