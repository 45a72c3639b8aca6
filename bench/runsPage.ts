/**
 * Run list figures with 5,000 runs of one user (over 5 pipelines; every other run with a picture, every third with a
 * cost), recorded straight into the database: GET /api/runs (first page, a page deep in, filters, and searches on
 * the inputs that match many, few and no runs), then the studio's Runs page in headless Chromium: time until the
 * first rows and their thumbnails show, and until a search narrows the list. Prints figures; asserts nothing.
 *
 *   npx tsx bench/runsPage.ts              (embedded: PGlite + local files)
 *   npx tsx bench/runsPage.ts servers      (PostgreSQL + Redis + S3 (moto))
 */
import { randomUUID } from 'node:crypto';
import { createCanvas } from '@napi-rs/canvas';
import { sql } from 'kysely';
import { chromium } from 'playwright-core';
import { createRunRepository } from '../api/repositories/runs';
import { ensureStudioBuilt } from '../studio/build';
import { edge } from '../test/support/graphs';
import { registerUser, startStack } from '../test/support/stack';

const RUNS = 5000;
const PIPELINES = 5;
const ROUNDS = 20;
const backends = process.argv[2] === 'servers' ? 'servers' : 'embedded';
const SUBJECTS = ['fox', 'whale', 'heron', 'otter', 'lighthouse', 'market', 'comet', 'orchard', 'glacier', 'lantern'];
const PLACES = ['in the snow', 'at dawn', 'under the sea', 'in a city', 'on a hill'];

const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'art', type: 'illustration', params: { size: '256x256' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'art', 'prompt'), edge('art', 'image', 'publish', 'file')],
};

await ensureStudioBuilt({ quiet: true });
const stack = await startStack({ backends, worker: false });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const { client, token, userId } = await registerUser(stack.baseUrl);
  const pipelines: { id: string; projectId: string }[] = [];
  for (let p = 0; p < PIPELINES; p++) {
    const created = await client.post('/api/pipelines', { name: `Bench pipeline ${p + 1}`, graph });
    pipelines.push({ id: created.body.id, projectId: (await client.get(`/api/pipelines/${created.body.id}`)).body.projectId });
  }

  // One small picture for every thumbnail, stored once in the user's namespace.
  const canvas = createCanvas(96, 96);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#5b5bd6';
  ctx.fillRect(0, 0, 96, 96);
  ctx.fillStyle = '#ffd166';
  ctx.beginPath();
  ctx.arc(48, 48, 28, 0, Math.PI * 2);
  ctx.fill();
  const picture = await stack.services.blobs.put(`users/${userId}/media/bench/thumb.png`, canvas.toBuffer('image/png'), {
    contentType: 'image/png',
  });

  const seedStarted = Date.now();
  const now = Date.now();
  for (let start = 0; start < RUNS; start += 500) {
    const batch = Array.from({ length: Math.min(500, RUNS - start) }, (_, k) => start + k);
    const runs = batch.map((i) => {
      const pipeline = pipelines[i % PIPELINES];
      const createdAt = new Date(now - i * 60_000);
      const status = i % 17 === 0 ? 'failed' : i % 29 === 0 ? 'cancelled' : 'succeeded';
      return {
        id: randomUUID(),
        user_id: userId,
        project_id: pipeline.projectId,
        pipeline_id: pipeline.id,
        pipeline_version: 1,
        status: status as 'failed' | 'cancelled' | 'succeeded',
        trigger: JSON.stringify({ kind: i % 7 === 0 ? 'schedule' : i % 3 === 0 ? 'api' : 'studio' }),
        // One run in a hundred is about a "narwhal": the rare search.
        inputs: JSON.stringify({
          topic: `${i % 100 === 0 ? 'a narwhal' : `a ${SUBJECTS[i % SUBJECTS.length]}`} ${PLACES[i % PLACES.length]}, take ${i}`,
        }),
        error: status === 'failed' ? 'the model was away' : null,
        created_at: createdAt,
        started_at: createdAt,
        finished_at: new Date(createdAt.getTime() + 1500 + (i % 9) * 700),
      };
    });
    await stack.services.db.insertInto('runs').values(runs).execute();
    const pictured = runs.filter((_, k) => batch[k] % 2 === 0);
    await stack.services.db
      .insertInto('media')
      .values(
        pictured.map((r) => ({
          user_id: userId,
          project_id: r.project_id,
          run_id: r.id,
          node_id: 'publish',
          storage_key: picture.key,
          mime_type: 'image/png',
          size: picture.size,
          sha256: picture.sha256,
          kind: 'image',
          created_at: r.finished_at,
        })),
      )
      .execute();
    const billed = runs.filter((_, k) => batch[k] % 3 === 0);
    await stack.services.db
      .insertInto('generations')
      .values(
        billed.map((r) => ({
          user_id: userId,
          project_id: r.project_id,
          run_id: r.id,
          node_id: 'art',
          type: 'image',
          ai_service: 'openai',
          status: 'completed',
          cost_usd: '0.04',
        })),
      )
      .execute();
  }
  await sql`analyze`.execute(stack.services.db);
  console.log(
    `seeded          ${RUNS} runs (${RUNS / 2} with a picture, ${Math.ceil(RUNS / 3)} with a cost) in ${Date.now() - seedStarted} ms on ${backends}`,
  );

  const timed = async (label: string, path: string) => {
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      const res = await client.get(path);
      times.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
      count = res.body.runs?.length ?? -1;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `${label.padEnd(16)}median ${median.toFixed(1)} ms, p95 ${times[Math.floor(times.length * 0.95)].toFixed(1)} ms (${count < 0 ? 'not a list' : `${count} runs`}; ${path})`,
    );
  };
  await timed('baseline', '/api/auth/me'); // an authenticated call that reads one row: what every request costs here
  await timed('first page', '/api/runs');
  let after = '';
  for (let i = 0; i < 10; i++) after = (await client.get(`/api/runs?limit=200${after && `&after=${after}`}`)).body.runs.at(-1).id;
  await timed('2,000 deep', `/api/runs?after=${after}`);
  await timed('q= many', '/api/runs?q=WHALE');
  await timed('q= rare', '/api/runs?q=narwhal');
  await timed('q= none', '/api/runs?q=zeppelin');
  await timed('filters', `/api/runs?pipelineId=${pipelines[2].id}&status=failed&trigger=studio`);
  await timed(
    'date range',
    `/api/runs?from=${new Date(now - 2 * 86_400_000).toISOString()}&before=${new Date(now - 86_400_000).toISOString()}`,
  );
  await timed('pipeline list', `/api/pipelines/${pipelines[0].id}/runs?q=fox`);

  // The query alone, without HTTP, auth and rate limiting around it.
  const repo = createRunRepository(stack.services.db);
  for (const [label, opts] of [
    ['query: page 1', {}],
    ['query: q= none', { q: 'zeppelin' }],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await repo.list(userId, { limit: 50, ...opts });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(16)}median ${times[ROUNDS / 2].toFixed(1)} ms, p95 ${times[Math.floor(ROUNDS * 0.95)].toFixed(1)} ms (runs.list)`,
    );
  }

  // --- the studio's Runs page -------------------------------------------------------------------------------
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${stack.baseUrl}/login`);
  await page.evaluate((t) => localStorage.setItem('cf.token', t), token);
  const loads: string[] = [];
  for (const round of ['cold', 'warm', 'warm']) {
    const t0 = Date.now();
    await page.goto(`${stack.baseUrl}/runs`);
    await page.locator('table.runs-table tbody tr').first().waitFor({ timeout: 30_000 });
    const rows = Date.now() - t0;
    await page.waitForFunction(
      () => {
        // Thumbnails load lazily: the ones on screen.
        const imgs = [...document.querySelectorAll<HTMLImageElement>('.run-thumb img')].filter(
          (i) => i.getBoundingClientRect().top < innerHeight,
        );
        return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
      },
      null,
      { timeout: 30_000 },
    );
    loads.push(`${round} ${rows} ms rows, ${Date.now() - t0} ms thumbnails`);
  }
  console.log(`studio /runs    ${loads.join('; ')} (navigation → first 50 rows; → every thumbnail on screen decoded)`);

  const t1 = Date.now();
  await page.getByLabel('Search inputs').fill('narwhal');
  await page.waitForFunction(() => [...document.querySelectorAll('.run-inputs')].every((e) => e.textContent?.includes('narwhal')), null, {
    timeout: 30_000,
  });
  console.log(`studio search   narrowed to "narwhal" ${Date.now() - t1} ms after typing (includes the 250 ms typing pause)`);

  await page.getByLabel('Search inputs').fill('');
  await page.waitForFunction(() => !document.querySelectorAll('.run-inputs')[1]?.textContent?.includes('narwhal'), null, {
    timeout: 30_000,
  });
  await page.locator('table.runs-table tbody tr').nth(49).waitFor();
  const t2 = Date.now();
  await page.evaluate(() => document.querySelector('.content')!.scrollTo(0, 1e9));
  await page.locator('table.runs-table tbody tr').nth(99).waitFor({ timeout: 30_000 });
  console.log(`studio paging   next 50 rows ${Date.now() - t2} ms after scrolling to the end`);
} finally {
  await browser.close();
  await stack.stop();
}
