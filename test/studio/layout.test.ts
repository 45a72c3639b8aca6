import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { startStack, type Stack } from '../support/stack';
import { launchBrowser, selectNode } from './harness';

/**
 * The studio readable at first sight and at any width: templates open at a readable zoom, an 800 px window
 * has nothing on top of the canvas until the user asks, and the small things a first-time user meets.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

type Box = { x: number; y: number; width: number; height: number };
const intersect = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function box(locator: Locator): Promise<Box> {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`not shown: ${locator}`);
  return found;
}

/** The React Flow viewport's zoom, read from its transform. */
async function zoomOf(page: Page): Promise<number> {
  const transform = await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
  const scale = /scale\(([\d.]+)\)/.exec(transform);
  if (!scale) throw new Error(`no scale in ${transform}`);
  return Number(scale[1]);
}

/** Waits until the viewport stops moving (the opening fit is two steps: measure, then place). */
async function settledZoom(page: Page): Promise<number> {
  let last = '';
  await expect
    .poll(async () => {
      const now = await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
      const same = now === last;
      last = now;
      return same;
    })
    .toBe(true);
  return zoomOf(page);
}

/** Boxes of everything shown that must not cover the canvas (or one another). */
async function layoutBoxes(page: Page) {
  const toolbarItems = await page.locator('.toolbar > *:visible').all();
  return {
    canvas: await box(page.locator('.canvas')),
    toolbar: await box(page.locator('.toolbar')),
    topbar: await box(page.locator('.topbar')),
    palette: (await page.locator('.palette').count()) ? await box(page.locator('.palette')) : null,
    sidePanels: await Promise.all((await page.locator('.side-panel:visible').all()).map(box)),
    toolbarItems: await Promise.all(toolbarItems.map(box)),
  };
}

function expectNothingOverCanvas(layout: Awaited<ReturnType<typeof layoutBoxes>>) {
  expect(layout.sidePanels).toEqual([]); // the drawer is closed
  expect(intersect(layout.toolbar, layout.canvas)).toBe(false);
  expect(intersect(layout.topbar, layout.canvas)).toBe(false);
  if (layout.palette) expect(intersect(layout.palette, layout.canvas)).toBe(false);
  for (const [i, a] of layout.toolbarItems.entries())
    for (const b of layout.toolbarItems.slice(i + 1)) expect(intersect(a, b), `toolbar items ${JSON.stringify([a, b])}`).toBe(false);
  // Everything fits the window's width, the toolbar in one row.
  expect(layout.toolbar.x + layout.toolbar.width).toBeLessThanOrEqual(800);
  expect(layout.toolbar.height).toBeLessThan(60);
  expect(layout.canvas.width).toBeGreaterThan(400);
}

describe('studio layout and first steps in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  /** Every browser dialog (prompt, confirm, alert) that opened: the studio's own dialogs are in the page. */
  const browserDialogs: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('dialog', (dialog) => {
      browserDialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('sends a first-time visitor to sign-up, says a refused password as a sentence, and sends a browser that has signed in before to log in', async () => {
    await page.goto(stack.baseUrl + '/');
    await page.waitForURL(/\/signup$/);
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    expect(await page.getByText('Welcome back').count()).toBe(0);

    await page.getByLabel('Email').fill(`layout-${Date.now()}@example.com`);
    // The API's refusal of a short password reads as a sentence (the browser's own length check set aside).
    await page.getByLabel('Password').evaluate((input) => input.removeAttribute('minlength'));
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Password must be at least 8 characters.');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.locator('.template-card').first().waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(stack.baseUrl + '/media');
    await page.waitForURL(/\/login\?next=%2Fmedia$/);
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    // Signing up again from here keeps where the user was going.
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/signup\?next=%2Fmedia$/);
    await page.getByLabel('Email').fill(`layout-${Date.now()}-2@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/media$/);
  });

  it('creates a project in the studio’s own dialog, never the browser’s prompt box', async () => {
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('button', { name: '+ New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('Give the project a name.');
    await dialog.getByLabel('Name').fill('  Heron tales ');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('.project-main h1').textContent()).toBe('Heron tales');
    await expect.poll(() => page.locator('.project-list li.selected').textContent()).toContain('Heron tales');
    // Escape closes it without creating anything.
    await page.getByRole('button', { name: '+ New project' }).click();
    await dialog.getByLabel('Name').fill('Not this one');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('.project-list li').allTextContents()).not.toContain('Not this one');
    expect(browserDialogs).toEqual([]);
  });

  it('opens a template at a readable zoom, its start in view', async () => {
    await page.locator('.template-card', { hasText: 'Text to file' }).getByRole('button', { name: 'Use template' }).click();
    await page.waitForURL(/\/pipelines\/[0-9a-f-]{36}$/);
    await page.locator('.react-flow__node[data-id="publish"]').waitFor({ state: 'attached' });
    expect(await settledZoom(page)).toBeGreaterThanOrEqual(0.8);
    // Too wide to fit at that zoom: the pipeline's start (its input) is in view, fully.
    const canvas = await box(page.locator('.canvas'));
    const input = await box(page.locator('.react-flow__node[data-id="topic"]'));
    expect(input.x).toBeGreaterThanOrEqual(canvas.x);
    expect(input.x + input.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    // Labels are readable: a node title renders at 10 px or more.
    const title = await box(page.locator('.react-flow__node[data-id="topic"] .pnode-title'));
    expect(title.height).toBeGreaterThanOrEqual(10);
    await page.reload();
    await page.locator('.react-flow__node[data-id="topic"]').waitFor();
    expect(await settledZoom(page)).toBeGreaterThanOrEqual(0.8);
  });

  it('pastes a step beside the original, not on top of it', async () => {
    await selectNode(page, 'text');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    const copy = page.locator('.react-flow__node[data-id="text-2"]');
    await copy.waitFor({ state: 'attached' });
    const nodes = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.react-flow__node')].map((el) => ({ id: el.dataset.id, transform: el.style.transform })),
    );
    const at = (id: string) => {
      const [, x, y] = /translate\((-?[\d.]+)px, (-?[\d.]+)px\)/.exec(nodes.find((n) => n.id === id)!.transform)!;
      return { x: Number(x), y: Number(y), width: 230, height: 100 };
    };
    for (const other of ['topic', 'text', 'wait', 'publish']) expect(intersect(at('text-2'), at(other)), `text-2 on ${other}`).toBe(false);
    await page.keyboard.press('Control+z');
    await expect.poll(() => copy.count()).toBe(0);
  });

  it('at 800 px keeps the canvas clear: the inspector is a drawer opened on request, the toolbar folds into a menu', async () => {
    await page.setViewportSize({ width: 800, height: 800 });
    await expect.poll(() => page.locator('.side-panel').count()).toBe(0);
    expectNothingOverCanvas(await layoutBoxes(page));
    await page.screenshot({ path: join(ARTIFACTS, 'studio-editor-800.png') });

    // Selecting a node leaves the canvas clear; the toggle opens the drawer over the canvas, with the node.
    await page.locator('.react-flow__node[data-id="wait"] .pnode-head').click();
    expect(await page.locator('.side-panel').count()).toBe(0);
    await page.getByRole('button', { name: '☰ Inspector' }).click();
    const drawer = page.locator('[data-drawer="Inspector"]');
    await drawer.locator('.side-panel code', { hasText: 'wait' }).waitFor();
    expect(intersect(await box(drawer), await box(page.locator('.canvas')))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-editor-800-drawer.png') });
    await drawer.getByRole('button', { name: 'Close Inspector' }).click();
    await drawer.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: '☰ Inspector' }).click();
    await drawer.waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });

    // The secondary actions are one click away in the menu, and close it once chosen.
    expect(await page.getByRole('button', { name: 'Export' }).count()).toBe(0);
    await page.getByRole('button', { name: '⋯ More' }).click();
    const menu = page.getByLabel('More actions');
    await menu.getByRole('button', { name: 'Fit view' }).click();
    await menu.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: '⋯ More' }).click();
    await page.getByRole('button', { name: 'Schedule' }).click();
    const schedules = page.getByRole('dialog', { name: 'Schedules' });
    await schedules.getByRole('button', { name: 'Close' }).click();
    await schedules.waitFor({ state: 'detached' });

    // Wide again: the panel is back in the layout, beside the canvas.
    await page.setViewportSize({ width: 1280, height: 800 });
    const panel = await box(page.locator('.side-panel'));
    expect(intersect(panel, await box(page.locator('.canvas')))).toBe(false);
  });

  it('shows a studio run’s settings as labelled fields, says it was started in the studio, and fits 800 px', async () => {
    await page.getByRole('button', { name: '▶ Run' }).click();
    const runDialog = page.getByRole('dialog', { name: 'Run pipeline' });
    await runDialog.locator('textarea[name="input-topic"]').fill('herons');
    await runDialog.getByRole('button', { name: '▶ Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 30_000 });
    await page.getByRole('complementary', { name: 'Run details' }).getByText('Started in the studio', { exact: true }).waitFor();
    expect(await settledZoom(page)).toBeGreaterThanOrEqual(0.8);

    await page.locator('.react-flow__node[data-id="wait"] .pnode-head').click();
    const settings = page.locator('[data-selected-node="wait"]').getByLabel('Settings');
    await expect.poll(() => settings.locator('[data-param="ms"] dt').textContent()).toBe('Milliseconds');
    expect(await settings.locator('[data-param="ms"] dd').textContent()).toBe((1000).toLocaleString('en-US'));
    await page.locator('.react-flow__node[data-id="text"] .pnode-head').click();
    await expect
      .poll(() => page.locator('[data-selected-node="text"] [data-param="template"] dd').textContent())
      .toBe('A note about {{topic}}.');
    expect(await page.locator('.side-panel pre.out-json').count()).toBe(0); // no raw JSON

    await page.setViewportSize({ width: 800, height: 800 });
    await expect.poll(() => page.locator('.side-panel').count()).toBe(0);
    expectNothingOverCanvas(await layoutBoxes(page));
    // Clicking a node asks for its details: the drawer opens with them, and closes again.
    await page.locator('.react-flow__node[data-id="wait"] .pnode-head').click();
    const drawer = page.locator('[data-drawer="Details"]');
    await drawer.locator('[data-param="ms"]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'studio-run-800-drawer.png') });
    await drawer.getByRole('button', { name: 'Close Details' }).click();
    await drawer.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: '☰ Details' }).click();
    await drawer.waitFor();
    // The links are in the toolbar's menu.
    await page.getByRole('button', { name: '⋯ More' }).click();
    await page.getByLabel('More actions').getByRole('link', { name: 'Edit pipeline' }).waitFor();
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(pageErrors).toEqual([]);
    expect(browserDialogs).toEqual([]);
  });
});
