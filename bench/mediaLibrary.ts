/**
 * Media library figures with 3,000 items (made by 300 runs of one pipeline, 10 items each, so every item
 * is titled through its run, pipeline and graph): the API's pages (200 items, keyset `after`) plain, searched
 * and filtered; then the studio in headless Chromium scrolled end to end (first cards, each page's load,
 * per-step scroll time, cards in the DOM), and the viewer stepped with ArrowRight. Prints figures; asserts nothing.
 *
 *   npx tsx bench/mediaLibrary.ts            (CHROMIUM_PATH overrides /usr/bin/chromium)
 */
import { chromium } from 'playwright-core';
import { ensureStudioBuilt } from '../studio/build';
import { edge } from '../test/support/graphs';
import { registerUser, startStack } from '../test/support/stack';

const ITEMS = 3000;
const RUNS = 300;
const PAGE = 200;
const TOPICS = ['otters', 'herons', 'foxes', 'lighthouses', 'glaciers', 'bakeries', 'comets', 'tide pools', 'owls', 'markets'];

const ms = (n: number) => `${n.toFixed(1)} ms`;
const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return `mean ${ms(mean)}, p95 ${ms(sorted[Math.floor(sorted.length * 0.95)] ?? 0)}, max ${ms(sorted.at(-1) ?? 0)}`;
};

await ensureStudioBuilt({ quiet: true });
const stack = await startStack({ backends: 'embedded' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const { client, token, userId } = await registerUser(stack.baseUrl);
  const graph = {
    nodes: [
      { id: 'topic', type: 'input', params: { name: 'topic' } },
      { id: 'story', type: 'template', params: { template: 'A story about {{topic}}' }, label: 'Story' },
      { id: 'publish', type: 'upload', params: {} },
    ],
    edges: [edge('topic', 'value', 'story', 'topic'), edge('story', 'text', 'publish', 'file')],
  };
  const created = await client.post('/api/pipelines', { name: 'Bench stories', graph });
  if (created.status !== 201) throw new Error(`create failed: ${created.text}`);
  const { projectId } = (await client.get(`/api/pipelines/${created.body.id}`)).body;
  const db = stack.services.db;
  const now = Date.now();
  const runIds = Array.from({ length: RUNS }, () => crypto.randomUUID());
  await db
    .insertInto('runs')
    .values(
      runIds.map((id, r) => ({
        id,
        user_id: userId,
        project_id: projectId,
        pipeline_id: created.body.id,
        pipeline_version: 1,
        status: 'succeeded' as const,
        inputs: JSON.stringify({ topic: `${TOPICS[r % TOPICS.length]} number ${r}` }),
        created_at: new Date(now - r * 60_000),
      })),
    )
    .execute();
  const blob = await stack.services.blobs.put(`users/${userId}/media/bench/sample.txt`, 'Once upon a time, three thousand stories.', {
    contentType: 'text/plain; charset=utf-8',
  });
  for (let start = 0; start < ITEMS; start += 500) {
    await db
      .insertInto('media')
      .values(
        Array.from({ length: 500 }, (_, k) => {
          const i = start + k;
          return {
            id: crypto.randomUUID(),
            user_id: userId,
            project_id: projectId,
            run_id: runIds[Math.floor(i / (ITEMS / RUNS))],
            node_id: 'publish',
            item_index: i % (ITEMS / RUNS),
            storage_key: blob.key,
            mime_type: 'text/plain',
            kind: 'text',
            size: blob.size,
            sha256: blob.sha256,
            created_at: new Date(now - i * 1000),
          };
        }),
      )
      .execute();
  }

  // --- the API ------------------------------------------------------------------------------------------------
  const pageThrough = async (query: string) => {
    const times: number[] = [];
    let after = '';
    let count = 0;
    for (;;) {
      const t = performance.now();
      const res = await client.get(`/api/media?limit=${PAGE}${query}${after}`);
      times.push(performance.now() - t);
      count += res.body.media.length;
      if (res.body.media.length < PAGE) break;
      after = `&after=${res.body.media.at(-1).id}`;
    }
    return { times, count };
  };
  await pageThrough(''); // warm up
  for (const [label, query] of [
    ['all', ''],
    ['q=herons', '&q=herons'],
    ['q=number 1 (wide)', '&q=number%201'],
    ['kind=text', '&kind=text'],
    ['pipelineId', `&pipelineId=${created.body.id}`],
  ]) {
    const { times, count } = await pageThrough(query);
    console.log(
      `api ${label.padEnd(18)} ${String(count).padStart(4)} items in ${times.length} pages: total ${ms(times.reduce((a, b) => a + b, 0))}, per page ${stats(times)}`,
    );
  }

  // --- the studio ---------------------------------------------------------------------------------------------
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${stack.baseUrl}/login`);
  await page.evaluate(
    ([t]) => {
      localStorage.setItem('cf.token', t);
    },
    [token],
  );
  const pageLoads: number[] = [];
  const started = new Map<string, number>();
  page.on('request', (r) => {
    if (/\/api\/media\?/.test(r.url())) started.set(r.url(), performance.now());
  });
  page.on('requestfinished', (r) => {
    const t = started.get(r.url());
    if (t !== undefined) pageLoads.push(performance.now() - t);
  });
  const t0 = performance.now();
  await page.goto(`${stack.baseUrl}/media`);
  await page.locator('.media-tile').first().waitFor();
  const firstCards = performance.now() - t0;
  const steps: number[] = [];
  let maxTiles = 0;
  const s0 = performance.now();
  for (let i = 0; i < 1000; i++) {
    const t = performance.now();
    const { tiles, end } = await page.evaluate(() => {
      const el = document.querySelector('.media-scroller')!;
      el.scrollTop += 900;
      return new Promise<{ tiles: number; end: boolean }>((r) =>
        requestAnimationFrame(() =>
          r({ tiles: document.querySelectorAll('.media-tile').length, end: el.scrollTop + el.clientHeight >= el.scrollHeight - 2 }),
        ),
      );
    });
    steps.push(performance.now() - t);
    maxTiles = Math.max(maxTiles, tiles);
    if (end && (await page.locator('.media-scroller').getAttribute('data-count')) === String(ITEMS)) break;
    if (end) await page.waitForTimeout(50); // the next page is on its way
  }
  const scrolled = performance.now() - s0;
  const count = await page.locator('.media-scroller').getAttribute('data-count');
  console.log(
    `studio first cards after ${ms(firstCards)}; ${count}/${ITEMS} items scrolled end to end in ${ms(scrolled)} (${steps.length} steps of 900 px)`,
  );
  console.log(`studio page loads  ${pageLoads.length} × ${PAGE} items: ${stats(pageLoads)}`);
  console.log(`studio scroll step ${stats(steps)}; at most ${maxTiles} cards in the DOM`);

  const search = performance.now();
  await page.getByLabel('Search media').fill('herons number 271');
  await page.waitForFunction(() => document.querySelector('.media-scroller')?.getAttribute('data-count') === '10');
  console.log(`studio search      typed → 10 cards shown in ${ms(performance.now() - search)} (includes the 250 ms typing pause)`);

  await page.locator('.media-open').first().click();
  await page.locator('.viewer pre.viewer-text').waitFor();
  const arrows: number[] = [];
  for (let i = 0; i < 9; i++) {
    const before = await page.locator('.viewer').getAttribute('data-id');
    const t = performance.now();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((id) => document.querySelector('.viewer')?.getAttribute('data-id') !== id, before);
    await page.locator('.viewer pre.viewer-text').waitFor();
    arrows.push(performance.now() - t);
  }
  console.log(`studio viewer      ArrowRight to the next item's text shown: ${stats(arrows)}`);
} finally {
  await browser.close();
  await stack.stop();
}
