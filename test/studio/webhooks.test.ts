import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { startStack, type Stack } from '../support/stack';
import { startWebhookReceiver } from '../support/webhookReceiver';
import { launchBrowser, signUp } from './harness';

/**
 * A pipeline's webhooks in the studio, in a real browser against the real product: add one, see its signing
 * secret once, send a test event to a local receiver, see the delivery in the log.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

describe('studio webhooks in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    stack = await startStack({ backends: 'embedded', env: { WEBHOOKS_ALLOW_PRIVATE: 'true' } });
    receiver = await startWebhookReceiver([200]);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(20_000);
    await signUp(page, stack.baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    await stack?.stop();
  });

  it('adds a webhook on a pipeline, shows its secret once, sends a test event and shows its delivery in the log', async () => {
    await page.getByRole('button', { name: '+ Blank pipeline' }).click();
    await page.waitForURL(/\/pipelines\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Webhooks' }).click();
    const dialog = page.getByRole('dialog', { name: 'Webhooks' });
    await dialog.getByText('No webhooks yet.').waitFor();

    await dialog.getByLabel('Endpoint URL').fill(receiver.url);
    await dialog.getByLabel('Run cancelled').check();
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    const secret = (await dialog.locator('[data-secret]').textContent())!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const item = dialog.locator('.webhook');
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.locator('.chip').allTextContents()).toEqual(['run.succeeded', 'run.failed', 'run.cancelled']);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-webhook-secret.png') });

    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    await expect.poll(() => dialog.locator('[data-secret]').count()).toBe(0);
    // Shown once: closing and opening again (or a reload) never brings it back.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.reload();
    await page.getByRole('button', { name: 'Webhooks' }).click();
    await dialog.locator('.webhook').waitFor();
    expect(await page.content()).not.toContain(secret.slice('whsec_'.length));

    await dialog.getByRole('button', { name: 'Send test event' }).click();
    const [request] = await receiver.waitFor(1);
    const payload = new Webhook(secret).verify(request.body, request.headers) as { type: string };
    expect(payload.type).toBe('webhook.test');

    const log = dialog.getByRole('table', { name: 'Delivery log' });
    await log.locator('tr[data-status="200"]').waitFor({ timeout: 15_000 });
    const cells = await log.locator('tbody tr').first().locator('td').allTextContents();
    expect(cells.slice(1, 4)).toEqual(['webhook.test', '1', '200']);
    expect(cells[4]).toMatch(/^\d+ ms$/);
    await page.screenshot({ path: join(ARTIFACTS, 'studio-webhook-log.png') });
    expect(pageErrors).toEqual([]);
  });
});
