import { chromium, type Browser, type Page } from 'playwright-core';

/** Driving the studio in real Chromium, as a user does: shared by the browser tests. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export async function dragFromPalette(page: Page, type: string, x: number, y: number) {
  const pane = page.locator('.react-flow__pane');
  await page.locator(`[data-palette-type="${type}"]`).dragTo(pane, { targetPosition: { x, y } });
  await page.locator(`.react-flow__node[data-id="${type}"]`).waitFor();
}

function handle(page: Page, nodeId: string, handleId: string, type: 'source' | 'target') {
  return page.locator(`.react-flow__node[data-id="${nodeId}"] .react-flow__handle.${type}[data-handleid="${handleId}"]`);
}

export async function connect(page: Page, from: [string, string], to: [string, string]) {
  const a = (await handle(page, ...from, 'source').boundingBox())!;
  const b = (await handle(page, ...to, 'target').boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Selects a node and shows its settings: in a narrow window the inspector is a drawer, opened by its toggle. */
export async function selectNode(page: Page, id: string) {
  await page.locator(`.react-flow__node[data-id="${id}"] .pnode-head`).click();
  const toggle = page.getByRole('button', { name: '☰ Inspector' });
  if ((await toggle.isVisible()) && !(await page.locator('[data-drawer="Inspector"] .side-panel').isVisible())) await toggle.click();
  await page.locator('.side-panel code', { hasText: id }).waitFor();
}

/** The editor's autosave has nothing pending. */
export async function waitSaved(page: Page) {
  await page.locator('[data-save="saved"]').waitFor({ timeout: 15_000 });
}

export async function signUp(page: Page, baseUrl: string, email = `studio-${Date.now()}@example.com`) {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.locator('.template-card').first().waitFor();
}
