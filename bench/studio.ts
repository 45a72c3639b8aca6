/**
 * Studio figures: the initial JS the browser downloads (gzip), the largest lazy chunk, and editor
 * responsiveness with a 200-node pipeline in headless Chromium against the real product (embedded
 * backends): time until all 200 nodes are on screen, and per-step latency while dragging a node.
 * Prints figures; asserts nothing.
 *
 *   npx tsx bench/studio.ts            (CHROMIUM_PATH overrides /usr/bin/chromium)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { ensureStudioBuilt } from '../studio/build';
import { registerUser, startStack } from '../test/support/stack';

const NODES = 200;
const dist = join(import.meta.dirname, '..', 'studio', 'dist');
await ensureStudioBuilt({ quiet: true });

// --- bundle sizes -----------------------------------------------------------------------------------------
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]));
const files = readdirSync(join(dist, 'assets')).map((f) => {
  const body = readFileSync(join(dist, 'assets', f));
  return { file: `assets/${f}`, raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
});
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const initialJs = files.filter((f) => initial.has(f.file) && f.file.endsWith('.js'));
const initialCss = files.filter((f) => initial.has(f.file) && f.file.endsWith('.css'));
const lazy = files.filter((f) => !initial.has(f.file) && f.file.endsWith('.js')).sort((a, b) => b.gzip - a.gzip);
const sum = (xs: { raw: number; gzip: number }[]) =>
  xs.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
console.log(
  `initial JS      ${kb(sum(initialJs).gzip)} gzip (${kb(sum(initialJs).raw)} raw) in ${initialJs.length} file(s); CSS ${kb(sum(initialCss).gzip)} gzip`,
);
console.log(
  `largest lazy    ${lazy[0]?.file} ${kb(lazy[0]?.gzip ?? 0)} gzip (${kb(lazy[0]?.raw ?? 0)} raw); ${lazy.length} lazy chunks, ${kb(sum(lazy).gzip)} gzip in all`,
);

// --- editor with 200 nodes ---------------------------------------------------------------------------------
const stack = await startStack({ backends: 'embedded' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const { client, token } = await registerUser(stack.baseUrl);
  const nodes: { id: string; type: string; params: Record<string, unknown>; position: { x: number; y: number } }[] = [];
  const edges: { source: string; sourceHandle: string; target: string; targetHandle: string }[] = [];
  for (let i = 0; i < NODES; i++) {
    const position = { x: (i % 20) * 280, y: Math.floor(i / 20) * 180 };
    if (i === 0) nodes.push({ id: 'in', type: 'input', params: { name: 'text' }, position });
    else {
      nodes.push({ id: `t${i}`, type: 'template', params: { template: `{{x}} ${i}` }, position });
      edges.push({ source: i === 1 ? 'in' : `t${i - 1}`, sourceHandle: i === 1 ? 'value' : 'text', target: `t${i}`, targetHandle: 'x' });
    }
  }
  const created = await client.post('/api/pipelines', { name: 'Bench 200', graph: { nodes, edges } });
  if (created.status !== 201) throw new Error(`create failed: ${created.text}`);

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${stack.baseUrl}/login`);
  await page.evaluate((t) => localStorage.setItem('cf.token', t), token);

  const renders: number[] = [];
  for (let round = 0; round < 3; round++) {
    const t0 = Date.now();
    await page.goto(`${stack.baseUrl}/pipelines/${created.body.id}`);
    await page.waitForFunction(
      (n) => document.querySelectorAll('.react-flow__node').length >= n && !!document.querySelector('.react-flow__edge'),
      NODES,
      {
        polling: 'raf',
        timeout: 60_000,
      },
    );
    renders.push(Date.now() - t0);
  }
  console.log(
    `editor render   ${NODES} nodes + ${edges.length} edges on screen in ${renders.map((r) => `${r} ms`).join(', ')} (cold, warm, warm; navigation → all nodes in the DOM)`,
  );

  // Zoom in so the dragged node is big enough to grab, then drag one node in 40 steps, waiting a frame each.
  const target = page.locator('.react-flow__node[data-id="t105"] .pnode-head');
  const box = (await target.boundingBox())!;
  const frame = () => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  const idle: number[] = [];
  for (let i = 1; i <= 20; i++) {
    const t = performance.now();
    await page.mouse.move(box.x + i, box.y - 40);
    await frame();
    idle.push(performance.now() - t);
  }
  const steps: number[] = [];
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 40; i++) {
    const t = performance.now();
    await page.mouse.move(box.x + box.width / 2 + i * 6, box.y + box.height / 2 + i * 3);
    await frame();
    steps.push(performance.now() - t);
  }
  await page.mouse.up();
  const moved = (await target.boundingBox())!;
  steps.sort((a, b) => a - b);
  const mean = steps.reduce((a, b) => a + b, 0) / steps.length;
  console.log(
    `editor drag     ${steps.length} pointer moves: mean ${mean.toFixed(1)} ms, p95 ${steps[Math.floor(steps.length * 0.95)].toFixed(1)} ms per move-to-painted-frame (node moved ${Math.round(moved.x - box.x)} px; baseline without a drag: ${(idle.reduce((a, b) => a + b, 0) / idle.length).toFixed(1)} ms)`,
  );
  const saved = await page
    .locator('[data-save="saved"]')
    .waitFor({ timeout: 15_000 })
    .then(
      () => true,
      () => false,
    );
  console.log(`autosave        ${saved ? 'saved the dragged 200-node graph' : 'did not report Saved within 15 s'}`);

  // --- media library with thousands of items ----------------------------------------------------------------
  const MEDIA = 3000;
  const userId = (await client.get('/api/auth/me')).body.user.id as string;
  const projectId = created.body.id ? (await client.get(`/api/pipelines/${created.body.id}`)).body.projectId : '';
  const blob = await stack.services.blobs.put(
    `${projectId}/bench/sample.txt`,
    'Once upon a time, a benchmark scrolled through three thousand stories.',
    { contentType: 'text/plain; charset=utf-8' },
  );
  const now = Date.now();
  for (let start = 0; start < MEDIA; start += 500) {
    await stack.services.db
      .insertInto('media')
      .values(
        Array.from({ length: Math.min(500, MEDIA - start) }, (_, k) => {
          const i = start + k;
          return {
            id: crypto.randomUUID(),
            user_id: userId,
            project_id: projectId,
            run_id: null,
            node_id: `item-${i}`,
            storage_key: blob.key,
            mime_type: i % 3 === 0 ? 'audio/wav' : 'text/plain',
            kind: i % 3 === 0 ? 'audio' : 'text',
            size: blob.size,
            sha256: blob.sha256,
            created_at: new Date(now - i * 1000),
          };
        }),
      )
      .execute();
  }
  const m0 = Date.now();
  await page.goto(`${stack.baseUrl}/media`);
  await page.locator('.media-tile').first().waitFor();
  const firstPaint = Date.now() - m0;
  const scrollSteps: number[] = [];
  let maxTiles = 0;
  for (let i = 0; i < 400; i++) {
    const t = performance.now();
    const { tiles, done } = await page.evaluate(() => {
      const el = document.querySelector('.media-scroller')!;
      el.scrollTop += 900;
      return new Promise<{ tiles: number; done: boolean }>((r) =>
        requestAnimationFrame(() =>
          r({ tiles: document.querySelectorAll('.media-tile').length, done: el.scrollTop + el.clientHeight >= el.scrollHeight - 2 }),
        ),
      );
    });
    scrollSteps.push(performance.now() - t);
    maxTiles = Math.max(maxTiles, tiles);
    if (done && (await page.locator('.media-scroller').getAttribute('data-count')) === String(MEDIA)) break;
    if (done) await page.waitForTimeout(100); // the next page is loading
  }
  const count = await page.locator('.media-scroller').getAttribute('data-count');
  scrollSteps.sort((a, b) => a - b);
  console.log(
    `media library   ${count}/${MEDIA} items scrolled end to end in ${scrollSteps.length} steps of 900 px: first tiles after ${firstPaint} ms, ` +
      `mean ${(scrollSteps.reduce((a, b) => a + b, 0) / scrollSteps.length).toFixed(1)} ms, p95 ${scrollSteps[Math.floor(scrollSteps.length * 0.95)].toFixed(1)} ms per step; at most ${maxTiles} tiles in the DOM`,
  );
} finally {
  await browser.close();
  await stack.stop();
}
