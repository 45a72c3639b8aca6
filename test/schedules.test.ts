import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalScheduleId } from '../infra/scheduleIds';
import { startFakeVendors, type FakeVendors } from './support/fakeVendors';
import { edge } from './support/graphs';
import { readEvents, registerUser, startStack, waitForRun, type Stack } from './support/stack';

/**
 * Schedules, on the real Temporal dev server (the time-skipping test server has no schedules), PostgreSQL and
 * Redis: they fire on their own, their runs are ordinary runs, and the schedule outlives the API and the worker.
 */
type Client = Awaited<ReturnType<typeof registerUser>>['client'];

const noteGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'note', type: 'template', params: { template: 'A note about {{topic}}.' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'note', 'topic'), edge('note', 'text', 'publish', 'file')],
};

const slowGraph = (ms: number) => ({
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'wait', type: 'delay', params: { ms } },
  ],
  edges: [edge('topic', 'value', 'wait', 'in')],
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** runs.trigger is text holding JSON until it becomes jsonb: either way, the object. */
const triggerOf = (trigger: unknown) => (typeof trigger === 'string' && trigger.startsWith('{') ? JSON.parse(trigger) : trigger);

async function runsOf(client: Client, pipelineId: string): Promise<any[]> {
  const res = await client.get(`/api/pipelines/${pipelineId}/runs?limit=200`);
  expect(res.status).toBe(200);
  return res.body.runs;
}

async function pipelineOf(client: Client, graph: unknown = noteGraph): Promise<string> {
  const res = await client.post('/api/pipelines', { name: 'Scheduled notes', graph });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function scheduleOf(client: Client, body: Record<string, unknown>) {
  const res = await client.post('/api/schedules', body);
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** Waits for firings in flight to settle, then checks that no new run appears for a while. */
async function expectNoMoreRuns(client: Client, pipelineId: string, quietMs = 5_000) {
  await until('runs in flight to finish', async () =>
    (await runsOf(client, pipelineId)).every((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status)),
  );
  await sleep(2_500);
  const before = (await runsOf(client, pipelineId)).length;
  await sleep(quietMs);
  expect((await runsOf(client, pipelineId)).length).toBe(before);
}

describe('schedules', () => {
  let stack: Stack;
  let vendors: FakeVendors;
  beforeAll(async () => {
    vendors = await startFakeVendors();
    process.env.PROVIDER_ALLOWED_HOSTS = '127.0.0.1'; // the fake cloud vendor listens on loopback
    stack = await startStack({ backends: 'servers' });
  });
  afterAll(async () => {
    delete process.env.PROVIDER_ALLOWED_HOSTS;
    await stack?.stop();
    await vendors?.stop();
  });

  it('fires every 2 s: each firing is an ordinary run (in history, with its trigger, its events, once) that the schedule lists', async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client);
    const schedule = await scheduleOf(client, { pipelineId, every: '2s', inputs: { topic: 'tides' } });
    expect(schedule).toMatchObject({
      pipelineId,
      spec: { every: '2s', timezone: 'UTC' },
      summary: 'Every 2 seconds',
      overlap: 'skip',
      paused: false,
      version: 'latest',
    });
    expect(schedule.nextRuns).toHaveLength(5);
    for (const at of schedule.nextRuns) expect(Date.parse(at) % 2000).toBe(0);

    const done = await until('two scheduled runs to succeed', async () => {
      const runs = await runsOf(client, pipelineId);
      const succeeded = runs.filter((r) => r.status === 'succeeded');
      return succeeded.length >= 2 && succeeded;
    });
    await client.post(`/api/schedules/${schedule.id}/pause`, {});

    for (const summary of done) expect(triggerOf(summary.trigger)).toEqual({ kind: 'schedule', scheduleId: schedule.id });
    const run = await waitForRun(client, done[0].id);
    expect(run.outputs.publish.media.mimeType).toMatch(/^text\/plain/);
    expect(run.inputs).toEqual({ topic: 'tides' });
    const events = await readEvents(stack.baseUrl, token, run.id);
    expect(events.at(-1)!.data).toMatchObject({ type: 'run.status', status: 'succeeded' });

    const listed = (await client.get(`/api/schedules/${schedule.id}`)).body;
    const recent = new Map(listed.recentRuns.map((r: any) => [r.runId, r]));
    for (const summary of done) expect(recent.get(summary.id)).toMatchObject({ status: 'succeeded', scheduledAt: expect.any(String) });
    // Each firing recorded its run once: one row per workflow the schedule started.
    const rows = await stack.services.db.selectFrom('runs').select('id').where('pipeline_id', '=', pipelineId).execute();
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const media = await stack.services.db.selectFrom('media').select('run_id').where('run_id', '=', run.id).execute();
    expect(media).toHaveLength(1);
    expect((await client.get('/api/schedules')).body.schedules.map((s: any) => s.id)).toContain(schedule.id);
  });

  it("counts a scheduled run's generations against the schedule's owner", async () => {
    const { client } = await registerUser(stack.baseUrl);
    expect((await client.put('/api/settings/providers/openai', { apiKey: 'good', baseUrl: `${vendors.baseUrl}/v1` })).status).toBe(200);
    const story = {
      nodes: [
        { id: 'topic', type: 'input', params: { name: 'topic' } },
        { id: 'story', type: 'story', params: { provider: 'openai', words: 40 } },
      ],
      edges: [edge('topic', 'value', 'story', 'prompt')],
    };
    const pipelineId = await pipelineOf(client, story);
    const schedule = await scheduleOf(client, { pipelineId, cron: '0 0 1 1 *', paused: true, inputs: { topic: 'Ada' } });
    await client.post(`/api/schedules/${schedule.id}/trigger`, {});
    const [run] = await until('the scheduled story run', async () => {
      const runs = await runsOf(client, pipelineId);
      return runs.length > 0 && runs;
    });
    expect((await waitForRun(client, run.id, 60_000)).status).toBe('succeeded');
    const me = (await client.get('/api/auth/me')).body.user;
    expect(me).toMatchObject({ totalGenerations: 1, monthlyGenerations: 1 });
    const [generation] = (await client.get('/api/settings/generations')).body.generations;
    expect(generation).toMatchObject({ runId: run.id, aiService: 'openai' });
  });

  it('stops firing while paused (with its note, and no next times), and fires again once resumed', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client);
    const schedule = await scheduleOf(client, { pipelineId, every: '2s', inputs: { topic: 'pause' } });
    await until('a first run', async () => (await runsOf(client, pipelineId)).length > 0);

    const paused = await client.post(`/api/schedules/${schedule.id}/pause`, { note: 'Gone fishing' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, note: 'Gone fishing', nextRuns: [] });
    await expectNoMoreRuns(client, pipelineId);

    const count = (await runsOf(client, pipelineId)).length;
    const resumed = await client.post(`/api/schedules/${schedule.id}/resume`, {});
    expect(resumed.body).toMatchObject({ paused: false });
    expect(resumed.body.nextRuns).toHaveLength(5);
    await until('a run after resuming', async () => (await runsOf(client, pipelineId)).length > count);
    await client.post(`/api/schedules/${schedule.id}/pause`, {});
  });

  it('runs once when triggered now, even while paused', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client);
    const schedule = await scheduleOf(client, {
      pipelineId,
      cron: '0 0 1 1 *',
      inputs: { topic: 'now' },
      paused: true,
      note: 'by hand only',
    });
    expect(schedule).toMatchObject({ paused: true, note: 'by hand only', summary: 'On the 1st of January at 00:00, UTC' });

    const triggered = await client.post(`/api/schedules/${schedule.id}/trigger`, {});
    expect(triggered.status).toBe(202);
    const [run] = await until('the triggered run', async () => {
      const runs = await runsOf(client, pipelineId);
      return runs.length > 0 && runs;
    });
    expect((await waitForRun(client, run.id)).status).toBe('succeeded');
    await sleep(3_000);
    expect(await runsOf(client, pipelineId)).toHaveLength(1);
    const { recentRuns } = (await client.get(`/api/schedules/${schedule.id}`)).body;
    expect(recentRuns).toEqual([{ runId: run.id, scheduledAt: expect.any(String), status: 'succeeded' }]);
  });

  it("skips firings while a slow run is still going (overlap 'skip'), a trigger now included", async () => {
    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client, slowGraph(5_000));
    const schedule = await scheduleOf(client, { pipelineId, every: '2s', overlap: 'skip', inputs: { topic: 'slow' } });
    const [first] = await until('a running run', async () => {
      const runs = (await runsOf(client, pipelineId)).filter((r) => r.status === 'running');
      return runs.length > 0 && runs;
    });
    // The SDK's trigger() alone would start this one under ALLOW_ALL, next to the running one.
    expect((await client.post(`/api/schedules/${schedule.id}/trigger`, {})).status).toBe(202);
    await until('the first run to finish', async () => (await client.get(`/api/runs/${first.id}`)).body.status === 'succeeded', 20_000);
    await sleep(3_000);
    await client.post(`/api/schedules/${schedule.id}/pause`, {});
    await until('runs in flight to finish', async () => (await runsOf(client, pipelineId)).every((r) => r.status === 'succeeded'), 20_000);

    const runs = (await runsOf(client, pipelineId))
      .map((r) => ({ start: Date.parse(r.startedAt), end: Date.parse(r.finishedAt) }))
      .sort((a, b) => a.start - b.start);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < runs.length; i++) expect(runs[i].start).toBeGreaterThanOrEqual(runs[i - 1].end);
    const described = await stack.services.temporal.schedule.getHandle(temporalScheduleId(schedule.id)).describe();
    expect(described.info.numActionsSkippedOverlap).toBeGreaterThan(0);
  });

  it('stops firing once deleted (204, then 404), and leaves nothing in Temporal', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client);
    const schedule = await scheduleOf(client, { pipelineId, every: '2s', inputs: { topic: 'bye' } });
    await until('a first run', async () => (await runsOf(client, pipelineId)).length > 0);

    const deleted = await client.request('DELETE', `/api/schedules/${schedule.id}`);
    expect(deleted.status).toBe(204);
    expect((await client.get(`/api/schedules/${schedule.id}`)).status).toBe(404);
    expect((await client.request('DELETE', `/api/schedules/${schedule.id}`)).status).toBe(404);
    await expectNoMoreRuns(client, pipelineId);
    await expect(stack.services.temporal.schedule.getHandle(temporalScheduleId(schedule.id)).describe()).rejects.toThrow(/not found/i);
  });

  it('keeps firing after the API and the worker stop and start again', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client);
    const schedule = await scheduleOf(client, { pipelineId, every: '2s', inputs: { topic: 'restarts' } });
    await until('a first run', async () => (await runsOf(client, pipelineId)).some((r) => r.status === 'succeeded'));

    let restartedAt = 0;
    await stack.restart(async () => {
      await sleep(3_000); // firings come due while nothing of ours is running
      restartedAt = Date.now();
    });
    const later = await until(
      'a run recorded after the restart',
      async () => (await runsOf(client, pipelineId)).find((r) => Date.parse(r.createdAt) > restartedAt && r.status === 'succeeded'),
      60_000,
    );
    expect(triggerOf(later.trigger)).toEqual({ kind: 'schedule', scheduleId: schedule.id });
    expect((await client.get(`/api/schedules/${schedule.id}`)).body.paused).toBe(false);
    await client.request('DELETE', `/api/schedules/${schedule.id}`);
  });

  it('lists the next fire times of a Europe/Paris cron across the last Sunday of March at the right instants', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client);
    const year = new Date().getUTCFullYear() + 1;
    const lastSunday = 31 - new Date(Date.UTC(year, 2, 31)).getUTCDay(); // clocks go from 02:00 to 03:00 that night
    const at = (day: number, hourUtc: number, minute = 0) => new Date(Date.UTC(year, 2, day, hourUtc, minute)).toISOString();

    // 09:00 in Paris is 08:00 UTC before the change (CET) and 07:00 UTC from that Sunday on (CEST).
    const from = lastSunday - 3;
    const to = Math.min(lastSunday + 1, 31);
    const nine = await scheduleOf(client, {
      pipelineId,
      cron: `0 9 ${from}-${to} 3 * ${year}`,
      timezone: 'Europe/Paris',
      inputs: { topic: 'dst' },
    });
    const expected = [];
    for (let day = from; day <= to; day++) expected.push(at(day, day < lastSunday ? 8 : 7));
    expect(nine.nextRuns).toEqual(expected);
    expect(nine.summary).toBe(`On days ${from} to ${to} of March at 09:00 in ${year}, Europe/Paris`);

    // 02:30 does not exist on that Sunday in Paris: no firing then (Temporal does no DST shifting).
    const early = await scheduleOf(client, {
      pipelineId,
      cron: `30 2 ${lastSunday - 1}-${to} 3 * ${year}`,
      timezone: 'Europe/Paris',
      inputs: { topic: 'dst' },
    });
    const expectedEarly = [at(lastSunday - 1, 1, 30), ...(to > lastSunday ? [at(lastSunday + 1, 0, 30)] : [])];
    expect(early.nextRuns).toEqual(expectedEarly);
  });

  it('replaces the whole spec on an edit (never stacks a second one) and keeps the state', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client);
    const schedule = await scheduleOf(client, { pipelineId, every: '2s', inputs: { topic: 'edits' }, paused: true, note: 'Drafting' });
    const handle = stack.services.temporal.schedule.getHandle(temporalScheduleId(schedule.id));

    const edited = await client.patch(`/api/schedules/${schedule.id}`, {
      cron: '0 9 * * MON',
      timezone: 'Europe/Paris',
      overlap: 'buffer_one',
      catchupWindow: '10m',
    });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({
      spec: { cron: '0 9 * * MON', timezone: 'Europe/Paris' },
      summary: 'Every Monday at 09:00, Europe/Paris',
      overlap: 'buffer_one',
      catchupWindow: '10m',
      paused: true,
      note: 'Drafting',
      inputs: { topic: 'edits' },
    });
    let spec = (await handle.describe()).spec;
    expect(spec.intervals).toEqual([]);
    expect(spec.calendars).toHaveLength(1);

    const resumed = (await client.post(`/api/schedules/${schedule.id}/resume`, {})).body;
    const paris = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'long', hour: '2-digit', minute: '2-digit' });
    expect(resumed.nextRuns).toHaveLength(5);
    for (const next of resumed.nextRuns) expect(paris.format(new Date(next))).toBe('Monday 09:00');
    expect(new Set(resumed.nextRuns.map((n: string) => new Date(n).getUTCDay()))).toEqual(new Set([1]));

    const back = await client.patch(`/api/schedules/${schedule.id}`, { every: '1h', inputs: { topic: 'hourly' } });
    expect(back.body).toMatchObject({
      spec: { every: '1h', timezone: 'Europe/Paris' },
      summary: 'Every hour',
      inputs: { topic: 'hourly' },
      overlap: 'buffer_one',
    });
    spec = (await handle.describe()).spec;
    expect(spec.calendars).toEqual([]);
    expect(spec.intervals).toEqual([{ every: 3_600_000 }]);
    await client.request('DELETE', `/api/schedules/${schedule.id}`);
  });

  it('refuses a bad cron, an unknown zone and other bad fields with 400 naming the field, creating nothing', async () => {
    const { client, userId } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ cron: '61 * * * *' }, /cron: .*minute/i],
      [{ cron: 'every monday' }, /cron: /],
      [{ cron: '0 9 * * MON', timezone: 'Mars/Olympus' }, /timezone: /],
      [{ cron: '0 9 * * MON', timezone: 'europe/paris' }, /timezone: .*Europe\/Paris/],
      [{ cron: '0 9 * * MON', timezone: '+01:00' }, /timezone: /],
      [{ cron: 'CRON_TZ=Asia/Tokyo 0 9 * * *' }, /cron: .*timezone/],
      [{ cron: '0 9 * * MON', every: '1h' }, /every: .*either/],
      [{}, /cron: .*required/],
      [{ every: '0s' }, /every: /],
      [{ every: '15 minutes' }, /every: /],
      [{ every: '15m', overlap: 'sometimes' }, /overlap: /],
      [{ every: '15m', catchupWindow: '1s' }, /catchupWindow: /],
      [{ every: '15m', version: 99 }, /version: .*no version 99/],
      [{ every: '15m', version: 'newest' }, /version: /],
    ];
    for (const [fields, names] of cases) {
      const res = await client.post('/api/schedules', { pipelineId, inputs: { topic: 'x' }, ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.body.message, JSON.stringify(fields)).toMatch(names);
    }
    const badInputs = await client.post('/api/schedules', { pipelineId, every: '15m', inputs: { topci: 'typo' } });
    expect(badInputs.status).toBe(400);
    expect(badInputs.body.error).toBe('invalid_inputs');

    expect((await client.get('/api/schedules')).body.schedules).toEqual([]);
    const rows = await stack.services.db.selectFrom('schedules').select('id').where('user_id', '=', userId).execute();
    expect(rows).toEqual([]);
  });

  it("answers 404 for another user's schedule, whatever is asked, and for a schedule on another user's pipeline", async () => {
    const owner = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(owner.client);
    const schedule = await scheduleOf(owner.client, { pipelineId, cron: '0 9 * * MON', paused: true, inputs: { topic: 'mine' } });
    const other = (await registerUser(stack.baseUrl)).client;

    const attempts = [
      other.get(`/api/schedules/${schedule.id}`),
      other.patch(`/api/schedules/${schedule.id}`, { every: '2s' }),
      other.post(`/api/schedules/${schedule.id}/pause`, {}),
      other.post(`/api/schedules/${schedule.id}/resume`, {}),
      other.post(`/api/schedules/${schedule.id}/trigger`, {}),
      other.request('DELETE', `/api/schedules/${schedule.id}`),
      other.post('/api/schedules', { pipelineId, every: '2s', inputs: { topic: 'theirs' } }),
    ];
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(404);
    expect((await other.get('/api/schedules')).body.schedules).toEqual([]);
    const still = (await owner.client.get(`/api/schedules/${schedule.id}`)).body;
    expect(still).toMatchObject({ paused: true, spec: { cron: '0 9 * * MON' }, recentRuns: [] });
  });

  it('records a failed run saying why when the latest version no longer takes the schedule’s inputs', async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client);
    const schedule = await scheduleOf(client, { pipelineId, cron: '0 0 1 1 *', paused: true, inputs: { topic: 'old' } });
    const renamed = { ...noteGraph, nodes: noteGraph.nodes.map((n) => (n.id === 'topic' ? { ...n, params: { name: 'subject' } } : n)) };
    expect((await client.put(`/api/pipelines/${pipelineId}`, { graph: renamed })).status).toBe(200);

    await client.post(`/api/schedules/${schedule.id}/trigger`, {});
    const [run] = await until('the refused run', async () => {
      const runs = await runsOf(client, pipelineId);
      return runs.length > 0 && runs;
    });
    const detail = await waitForRun(client, run.id);
    expect(detail).toMatchObject({ status: 'failed', pipelineVersion: 2 });
    expect(detail.error).toMatch(/inputs do not fit version 2.*inputs\.topic: unknown pipeline input.*inputs\.subject/);
    const events = await readEvents(stack.baseUrl, token, run.id);
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ type: 'run.status', status: 'failed', error: detail.error })]);
  });

  it("removes a pipeline's schedules from Temporal with the pipeline, and a schedule whose record is gone removes itself", async () => {
    const { client } = await registerUser(stack.baseUrl);
    const pipelineId = await pipelineOf(client);
    const schedule = await scheduleOf(client, { pipelineId, cron: '0 9 * * MON', paused: true, inputs: { topic: 'gone' } });
    expect((await client.request('DELETE', `/api/pipelines/${pipelineId}`)).status).toBe(204);
    await expect(stack.services.temporal.schedule.getHandle(temporalScheduleId(schedule.id)).describe()).rejects.toThrow(/not found/i);

    const keptPipeline = await pipelineOf(client);
    const orphan = await scheduleOf(client, { pipelineId: keptPipeline, cron: '0 9 * * MON', paused: true, inputs: { topic: 'orphan' } });
    await stack.services.db.deleteFrom('schedules').where('id', '=', orphan.id).execute();
    const handle = stack.services.temporal.schedule.getHandle(temporalScheduleId(orphan.id));
    await handle.trigger('ALLOW_ALL');
    await until('the orphaned schedule to remove itself', () =>
      handle.describe().then(
        () => false,
        () => true,
      ),
    );
    expect(await runsOf(client, keptPipeline)).toEqual([]);
  });
});
