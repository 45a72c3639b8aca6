import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAt } from '../../studio/src/schedules/times';
import { ensureStudioBuilt } from '../../studio/build';
import { edge } from '../support/graphs';
import { apiClient, startStack, type Stack } from '../support/stack';
import { launchBrowser, signUp } from './harness';

/**
 * Schedules in a real browser against the real product (Temporal dev server, worker, API, PGlite): made from a
 * pipeline's Schedule panel and from the Schedules page, their next times shown in the schedule's zone and the
 * viewer's, and their runs appearing in history as they fire.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const VIEWER_ZONE = 'America/New_York';

const noteGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' }, position: { x: 0, y: 0 } },
    { id: 'note', type: 'template', params: { template: 'A note about {{topic}}.' }, position: { x: 280, y: 0 } },
    { id: 'publish', type: 'upload', params: {}, position: { x: 560, y: 0 } },
  ],
  edges: [edge('topic', 'value', 'note', 'topic'), edge('note', 'text', 'publish', 'file')],
};

describe('schedules in the studio', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let pipelineId: string;
  let client: ReturnType<typeof apiClient>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: VIEWER_ZONE });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(20_000);
    await signUp(page, stack.baseUrl);
    client = apiClient(stack.baseUrl, (await page.evaluate(() => localStorage.getItem('cf.token')))!);
    const created = await client.post('/api/pipelines', { name: 'Weekly notes', graph: noteGraph });
    expect(created.status).toBe(201);
    pipelineId = created.body.id;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("creates a schedule from the pipeline's Schedule panel and shows its next times in Paris and in the viewer's zone", async () => {
    await page.goto(`${stack.baseUrl}/pipelines/${pipelineId}`);
    await page.locator('.react-flow__node[data-id="publish"]').waitFor();
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    const panel = page.getByRole('dialog', { name: 'Schedules' });
    await panel.getByRole('button', { name: '+ New schedule' }).click();
    await panel.locator('input[name="cron"]').fill('0 9 * * MON');
    await panel.locator('select[name="timezone"]').selectOption('Europe/Paris');
    await panel.locator('textarea[name="input-topic"]').fill('mondays');
    await panel.getByRole('button', { name: 'Create schedule' }).click();

    const card = panel.locator('.schedule-card', { hasText: 'Every Monday at 09:00, Europe/Paris' });
    await card.waitFor();
    expect(await card.locator('[data-state]').getAttribute('data-state')).toBe('active');
    await expect.poll(() => card.locator('.next-runs tbody tr').count()).toBe(5);
    expect(await card.locator('.next-runs th').allTextContents()).toEqual(['Europe/Paris', `Your time (${VIEWER_ZONE})`]);

    const [schedule] = (await client.get(`/api/schedules?pipelineId=${pipelineId}`)).body.schedules;
    const inParis = await card.locator('td[data-zone="schedule"]').allTextContents();
    const inViewer = await card.locator('td[data-zone="viewer"]').allTextContents();
    expect(inParis).toEqual(schedule.nextRuns.map((at: string) => formatAt(at, 'Europe/Paris')));
    expect(inViewer).toEqual(schedule.nextRuns.map((at: string) => formatAt(at, VIEWER_ZONE)));
    for (const text of inParis) expect(text).toMatch(/^Mon .*, 09:00$/);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-schedule-panel.png') });

    // A bad expression is refused, saying which field and why; nothing is added.
    await card.getByRole('button', { name: 'Edit' }).click();
    const form = panel.getByRole('form', { name: 'Edit schedule' });
    await form.locator('input[name="cron"]').fill('61 9 * * MON');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/cron: .*minute/i);
    await form.getByRole('button', { name: 'Cancel' }).click();
    await panel.getByRole('button', { name: 'Close' }).click();
    expect((await client.get(`/api/schedules?pipelineId=${pipelineId}`)).body.schedules).toHaveLength(1);
  });

  it('creates an every-2-seconds schedule from the Schedules page and watches its runs appear in history', async () => {
    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.waitForURL(/\/schedules$/);
    await page.locator('.schedule-card').first().waitFor();
    await page.getByLabel('Pipeline to schedule').selectOption(pipelineId);
    await page.getByRole('button', { name: '+ New schedule' }).click();
    const form = page.getByRole('form', { name: 'New schedule' });
    await form.getByLabel('At a fixed interval').check();
    await form.getByLabel('Interval', { exact: true }).fill('2');
    await form.getByLabel('Interval unit').selectOption('s');
    await form.locator('textarea[name="input-topic"]').fill('ticks');
    await form.getByRole('button', { name: 'Create schedule' }).click();

    const card = page.locator('.schedule-card', { hasText: 'Every 2 seconds' });
    await card.waitFor();
    await card.locator('.recent-runs .status-succeeded').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'studio-schedules-page.png') });

    await card.getByRole('button', { name: 'Pause…' }).click();
    await card.getByLabel('Pause note').fill('enough ticks');
    await card.getByRole('button', { name: 'Pause', exact: true }).click();
    await card.locator('[data-state="paused"]').waitFor();
    await card.getByText('“enough ticks”').waitFor();
    await card.getByText('None while paused.').waitFor();

    await page.goto(`${stack.baseUrl}/pipelines/${pipelineId}/runs`);
    const scheduled = page.locator('table.table tbody tr', { has: page.locator('td[data-trigger="schedule"]') });
    await expect.poll(() => scheduled.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await scheduled.locator('.status-succeeded').first().waitFor();
    await scheduled.first().locator('a').first().click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'studio-scheduled-run.png') });
    expect(pageErrors).toEqual([]);
  });
});
