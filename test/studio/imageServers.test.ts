import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../studio/build';
import { FAKE_CHECKPOINTS, FAKE_SAMPLERS, startFakeComfyUI, type FakeImageServer } from '../support/fakeImageServers';
import { edge } from '../support/graphs';
import { apiClient, startStack, type Stack } from '../support/stack';
import { launchBrowser, selectNode, signUp } from './harness';

/**
 * Settings → Image servers in real Chromium against the whole product: a user adds their ComfyUI server (a fake on
 * loopback, which the operator allows as one would a LAN box), tests the connection, and picks one of the server's
 * checkpoints in an Illustration node.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' }, position: { x: 20, y: 40 } },
    { id: 'art', type: 'illustration', params: { provider: 'comfyui' }, position: { x: 20, y: 240 } },
  ],
  edges: [edge('topic', 'value', 'art', 'prompt')],
};

describe('image servers in the studio', () => {
  let stack: Stack;
  let comfy: FakeImageServer;
  let browser: Browser;
  let page: Page;
  let token = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureStudioBuilt({ quiet: true });
    comfy = await startFakeComfyUI();
    process.env.PROVIDER_ALLOWED_HOSTS = '127.0.0.1';
    stack = await startStack({ backends: 'embedded' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 800, height: 900 }, colorScheme: 'dark' });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await signUp(page, stack.baseUrl);
    token = (await page.evaluate(() => localStorage.getItem('cf.token')))!;
  });

  afterAll(async () => {
    delete process.env.PROVIDER_ALLOWED_HOSTS;
    await browser?.close();
    await stack?.stop();
    await comfy?.stop();
  });

  it('adds a ComfyUI server by address and tests the connection, listing its checkpoints and samplers', async () => {
    await page.goto(`${stack.baseUrl}/settings`);
    const server = page.getByRole('form', { name: 'ComfyUI server' });
    await server.getByText('not set').waitFor();
    await server.getByLabel('ComfyUI base URL').fill(comfy.baseUrl);
    await server.getByRole('button', { name: 'Save server' }).click();
    await server.getByText('Saved. Test the connection').waitFor();
    await server.getByText('your server').waitFor();
    await server.getByRole('button', { name: 'Test the ComfyUI connection' }).click();
    const result = server.getByRole('status');
    await result.getByText('Connected to ComfyUI: 2 checkpoints, 3 samplers').waitFor();
    expect(await result.locator('[data-offered="models"]').textContent()).toBe(`Models: ${FAKE_CHECKPOINTS.join(', ')}`);
    expect(await result.locator('[data-offered="samplers"]').textContent()).toBe(`Samplers: ${FAKE_SAMPLERS.join(', ')}`);
    expect(comfy.requests).toContain('/object_info/CheckpointLoaderSimple');
    await page.getByRole('region', { name: 'Image servers' }).screenshot({ path: join(ARTIFACTS, 'studio-image-servers.png') });

    // A server that stopped answering: the test says so, and what to do.
    const gone = await startFakeComfyUI();
    await gone.stop();
    await server.getByLabel('ComfyUI base URL').fill(gone.baseUrl);
    await server.getByRole('button', { name: 'Save server' }).click();
    await server.getByText('Saved. Test the connection').waitFor();
    await server.getByRole('button', { name: 'Test the ComfyUI connection' }).click();
    await server
      .getByRole('alert')
      .getByText(/Could not reach ComfyUI .*--listen/)
      .waitFor();
    await server.getByLabel('ComfyUI base URL').fill(comfy.baseUrl);
    await server.getByRole('button', { name: 'Save server' }).click();
    await server.getByText('Saved. Test the connection').waitFor();
  });

  it("picks one of the server's checkpoints and samplers in an Illustration node", async () => {
    const client = apiClient(stack.baseUrl, token);
    const pipeline = await client.post('/api/pipelines', { name: 'My ComfyUI', graph });
    expect(pipeline.status).toBe(201);
    await page.goto(`${stack.baseUrl}/pipelines/${pipeline.body.id}`);
    await selectNode(page, 'art');
    const model = page.locator('select#param-model');
    await expect.poll(() => model.locator('option').allTextContents()).toEqual(["ComfyUI's default", ...FAKE_CHECKPOINTS]);
    await model.selectOption(FAKE_CHECKPOINTS[1]);
    await page.locator('select#param-sampler').selectOption('dpmpp_2m');
    await page.locator('.side-panel').screenshot({ path: join(ARTIFACTS, 'studio-image-server-model.png') });
    await expect
      .poll(async () => JSON.stringify((await client.get(`/api/pipelines/${pipeline.body.id}`)).body), { timeout: 15_000 })
      .toMatch(new RegExp(`"model":"${FAKE_CHECKPOINTS[1].replace(/\./g, '\\.')}".*|"sampler":"dpmpp_2m"`));
    const saved = JSON.stringify((await client.get(`/api/pipelines/${pipeline.body.id}`)).body);
    expect(saved).toContain(`"model":"${FAKE_CHECKPOINTS[1]}"`);
    expect(saved).toContain('"sampler":"dpmpp_2m"');
    expect(pageErrors).toEqual([]);
  });
});
