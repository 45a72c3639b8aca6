import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack';
import { launchBrowser } from './harness';

/** The API's reference page as a reader sees it: in Chromium, under the page's own strict Content-Security-Policy. */
describe('the API docs page in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ backends: 'embedded', worker: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lays out every operation by resource with its parameters, body and responses, and a schema link opens the schema', async () => {
    const doc = await (await fetch(`${stack.baseUrl}/api/openapi.json`)).json();
    const operations = Object.values(doc.paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).length, 0);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text()))
        problems.push(`console: ${message.text()}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) problems.push(`${res.status()} ${res.url()}`);
    });

    await page.goto(`${stack.baseUrl}/api/docs`);
    await page.locator('.operation').first().waitFor();
    expect(await page.locator('.operation').count()).toBe(operations);
    expect(await page.locator('main h2').allTextContents()).toEqual(expect.arrayContaining(['pipelines', 'runs', 'media', 'schemas']));

    const startRun = page.locator('#op-post-api-pipelines-id-runs');
    await startRun.locator('summary').click();
    await expect.poll(() => startRun.locator('table').innerText()).toMatch(/id\s+path\s+string \(uuid\)/);
    expect(await startRun.innerText()).toMatch(/201[\s\S]*StartRunAnswer[\s\S]*401[\s\S]*ErrorBody/);
    await startRun.getByRole('link', { name: 'StartRunBody' }).click();
    const schema = page.locator('#schema-StartRunBody pre');
    await schema.waitFor();
    expect(await schema.innerText()).toMatch(/inputs\?: \{ \[key: string\]: any \}[\s\S]*version\?: integer \(>0–2147483647\)/);
    expect(problems).toEqual([]);
  });
});
