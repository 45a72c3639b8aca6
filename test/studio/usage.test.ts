import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf } from '../../infra/plans';
import { ensureStudioBuilt } from '../../studio/build';
import { startStack, type Stack } from '../support/stack';
import { launchBrowser, signUp } from './harness';

/** Settings shows what the user has used of their plan, in a real browser against the real product. */
describe('studio usage in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const savedPlans = process.env.PLANS_JSON;

  beforeAll(async () => {
    await ensureStudioBuilt({ quiet: true });
    process.env.PLANS_JSON = JSON.stringify({ free: { monthlyGenerations: 50 } });
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    if (savedPlans === undefined) delete process.env.PLANS_JSON;
    else process.env.PLANS_JSON = savedPlans;
    await browser?.close();
    await stack?.stop();
  });

  it("shows this month's generations against the plan's limit in Settings", async () => {
    const email = `usage-${Date.now()}@example.com`;
    await signUp(page, stack.baseUrl, email);
    await stack.services.db
      .updateTable('users')
      .set({ monthly_generations: 3, monthly_period: periodOf() })
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
      .execute();
    await page.getByRole('link', { name: 'Settings' }).click();
    const usage = page.getByRole('region', { name: 'Usage' });
    await usage.getByText('free plan').waitFor();
    expect(await usage.locator('tr[data-quota="monthlyGenerations"] td').nth(1).textContent()).toBe('3 / 50');
    expect(await usage.locator('tr[data-quota="storageBytes"] td').nth(1).textContent()).toBe('0 B / 5.0 GB');
    expect(pageErrors).toEqual([]);
  });
});
