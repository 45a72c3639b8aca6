import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunRepository } from '../api/repositories/runs';
import { edge } from './support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from './support/stack';

type User = Awaited<ReturnType<typeof registerUser>>;
type Listed = {
  id: string;
  status: string;
  pipelineId: string;
  pipelineName: string;
  trigger: { kind: string };
  inputs: Record<string, unknown>;
  thumbnail: string | null;
  thumbnailSignedUrl: string | null;
  costUsd: number | null;
};

/** topic → illustration → upload: publishes one picture (the offline sketch). */
const pictureGraph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'art', type: 'illustration', params: { size: '256x256', seed: 1 } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'art', 'prompt'), edge('art', 'image', 'publish', 'file')],
};
/** text → upload: publishes text only, so no thumbnail. */
const noteGraph = {
  nodes: [
    { id: 'text', type: 'input', params: { name: 'text' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('text', 'value', 'publish', 'file')],
};

describe.each([
  { backends: 'embedded' as const, label: 'PGlite + local files' },
  { backends: 'servers' as const, label: 'PostgreSQL + S3 (moto)' },
])('Finding runs on $label', ({ backends }) => {
  let stack: Stack;
  let owner: User;
  let stranger: User;
  let pictures: string;
  let notes: string;
  const run = {} as Record<'fox' | 'whale' | 'note' | 'failed' | 'scheduled' | 'old', string>;

  const ids = (res: { body: { runs: Listed[] } }) => res.body.runs.map((r) => r.id);
  const listed = async (user: User, query: string) => {
    const res = await user.client.get(`/api/runs?${query}`);
    expect(res.status, res.text).toBe(200);
    return res as { body: { runs: Listed[] } };
  };
  const start = async (user: User, pipelineId: string, inputs: Record<string, unknown>) => {
    const res = await user.client.post(`/api/pipelines/${pipelineId}/runs`, { inputs });
    expect(res.status, res.text).toBe(201);
    const done = await waitForRun(user.client, res.body.id);
    expect(done.status, JSON.stringify(done.nodes)).toBe('succeeded');
    return done.id as string;
  };

  beforeAll(async () => {
    stack = await startStack({ backends });
    owner = await registerUser(stack.baseUrl);
    stranger = await registerUser(stack.baseUrl);
    pictures = (await owner.client.post('/api/pipelines', { name: 'Pictures', graph: pictureGraph })).body.id;
    notes = (await owner.client.post('/api/pipelines', { name: 'Notes', graph: noteGraph })).body.id;
    run.fox = await start(owner, pictures, { topic: 'A Red Fox in the snow' });
    run.whale = await start(owner, pictures, { topic: 'a blue whale' });
    run.note = await start(owner, notes, { text: 'apples 50% off_today' });

    // Runs the studio cannot make on demand, recorded the way the API records them.
    const repo = createRunRepository(stack.services.db);
    const { projectId } = (await owner.client.get(`/api/pipelines/${notes}`)).body;
    const record = async (trigger: { kind: 'schedule'; scheduleId: string } | { kind: 'api' }, text: string) => {
      const id = randomUUID();
      await repo.create({ id, userId: owner.userId, projectId, pipelineId: notes, version: 1, inputs: { text }, trigger, nodeIds: [] });
      return id;
    };
    run.failed = await record({ kind: 'api' }, 'this one broke');
    await repo.markFailed(run.failed, 'the model was away');
    run.scheduled = await record({ kind: 'schedule', scheduleId: 'nightly' }, 'nightly digest');
    await stack.services.db.updateTable('runs').set({ status: 'succeeded' }).where('id', '=', run.scheduled).execute();
    run.old = await record({ kind: 'api' }, 'from last year');
    await stack.services.db
      .updateTable('runs')
      .set({ status: 'succeeded', created_at: new Date('2025-06-15T12:00:00Z') })
      .where('id', '=', run.old)
      .execute();
    await stack.services.db
      .insertInto('generations')
      .values([
        {
          user_id: owner.userId,
          project_id: projectId,
          run_id: run.whale,
          node_id: 'art',
          item_index: 5,
          type: 'image',
          ai_service: 'openai',
          status: 'completed',
          cost_usd: '0.04',
        },
        {
          user_id: owner.userId,
          project_id: projectId,
          run_id: run.whale,
          node_id: 'art',
          item_index: 6,
          type: 'image',
          ai_service: 'openai',
          status: 'completed',
          cost_usd: '0.0025',
        },
      ])
      .execute();

    const theirs = (await stranger.client.post('/api/pipelines', { name: 'Theirs', graph: pictureGraph })).body.id;
    await start(stranger, theirs, { topic: 'a red fox as well' });
  }, 240_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("lists each run with its pipeline, inputs, a thumbnail of its first picture and its cost, and never another user's runs", async () => {
    const res = await listed(owner, '');
    expect(ids(res)).toEqual([run.scheduled, run.failed, run.note, run.whale, run.fox, run.old]);
    const byId = Object.fromEntries(res.body.runs.map((r) => [r.id, r]));
    expect(byId[run.fox]).toMatchObject({ pipelineId: pictures, pipelineName: 'Pictures', inputs: { topic: 'A Red Fox in the snow' } });
    expect(byId[run.note]).toMatchObject({
      pipelineName: 'Notes',
      inputs: { text: 'apples 50% off_today' },
      thumbnail: null,
      thumbnailSignedUrl: null,
    });

    const fox = (await owner.client.get(`/api/runs/${run.fox}`)).body;
    expect(byId[run.fox].thumbnail).toBe(fox.nodes.publish.output.media.url);
    // The signed link opens the picture without the Authorization header, as an <img> asks for it.
    const picture = await fetch(stack.baseUrl + byId[run.fox].thumbnailSignedUrl);
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toMatch(/^image\//);

    expect(byId[run.whale].costUsd).toBeCloseTo(0.0425, 6);
    expect(byId[run.note].costUsd).toBeNull();

    const stranger_ = await listed(stranger, '');
    expect(stranger_.body.runs).toHaveLength(1);
    expect(stranger_.body.runs[0].inputs).toEqual({ topic: 'a red fox as well' });
    expect((await listed(stranger, `pipelineId=${pictures}`)).body.runs).toEqual([]);
  });

  it('finds runs by the text of their input values, in any case, with % and _ as plain characters', async () => {
    expect(ids(await listed(owner, 'q=red%20FOX'))).toEqual([run.fox]);
    expect(ids(await listed(owner, 'q=whale'))).toEqual([run.whale]);
    expect(ids(await listed(owner, 'q=%20%20whale%20'))).toEqual([run.whale]); // trimmed
    expect(ids(await listed(owner, 'q=50%25'))).toEqual([run.note]);
    expect(ids(await listed(owner, 'q=5%25%25'))).toEqual([]); // "5%%": % is no wildcard
    expect(ids(await listed(owner, 'q=off_t'))).toEqual([run.note]);
    expect(ids(await listed(owner, 'q=off_x'))).toEqual([]); // _ is no wildcard either
    expect(ids(await listed(owner, 'q=topic'))).toEqual([]); // the input's name is not its text
    expect(ids(await listed(owner, 'q=nothing%20like%20this'))).toEqual([]);
  });

  it('filters by pipeline, status, trigger and date, together and with paging', async () => {
    expect(ids(await listed(owner, `pipelineId=${pictures}`))).toEqual([run.whale, run.fox]);
    expect(ids(await listed(owner, 'status=failed'))).toEqual([run.failed]);
    expect(ids(await listed(owner, 'trigger=schedule'))).toEqual([run.scheduled]);
    expect(ids(await listed(owner, `status=succeeded&pipelineId=${notes}`))).toEqual([run.scheduled, run.note, run.old]);
    expect(ids(await listed(owner, 'before=2026-01-01T00:00:00Z'))).toEqual([run.old]);
    expect(ids(await listed(owner, 'from=2025-06-15T12:00:00Z&before=2025-06-15T12:00:01Z'))).toEqual([run.old]);
    expect(ids(await listed(owner, 'from=2025-06-15T12:00:00.001Z&before=2026-01-01T00:00:00Z'))).toEqual([]);
    expect(ids(await listed(owner, `from=${new Date(Date.now() - 3_600_000).toISOString()}`))).not.toContain(run.old);

    const first = await listed(owner, `pipelineId=${pictures}&q=a&limit=1`);
    expect(ids(first)).toEqual([run.whale]);
    expect(ids(await listed(owner, `pipelineId=${pictures}&q=a&limit=1&after=${run.whale}`))).toEqual([run.fox]);
  });

  it("filters a pipeline's own run list the same way", async () => {
    const own = async (query: string) => {
      const res = await owner.client.get(`/api/pipelines/${pictures}/runs?${query}`);
      expect(res.status, res.text).toBe(200);
      return ids(res);
    };
    expect(await own('')).toEqual([run.whale, run.fox]);
    expect(await own('q=FOX')).toEqual([run.fox]);
    expect(await own('status=failed')).toEqual([]);
    const res = await owner.client.get(`/api/pipelines/${pictures}/runs?q=fox`);
    expect(res.body.runs[0].thumbnailSignedUrl).toMatch(/^\/api\/media\/[0-9a-f-]{36}\/content\?uid=/);
    expect((await stranger.client.get(`/api/pipelines/${pictures}/runs?q=fox`)).status).toBe(404);
  });

  it("tells each node's cost on the run, and none for nodes that called no model", async () => {
    expect((await owner.client.get(`/api/runs/${run.whale}`)).body.costs).toEqual({ art: 0.0425 });
    expect((await owner.client.get(`/api/runs/${run.note}`)).body.costs).toEqual({});
  });

  it('refuses bad filter values with 400, naming the field', async () => {
    for (const [query, field] of [
      ['status=done', 'status'],
      ['status=', 'status'],
      ['pipelineId=nope', 'pipelineId'],
      ['from=yesterday', 'from'],
      ['from=1969-12-31T23:59:59Z', 'from'],
      [`q=${'x'.repeat(201)}`, 'q'],
      ['q=a&q=b', 'q'],
    ]) {
      for (const path of ['/api/runs', `/api/pipelines/${pictures}/runs`]) {
        if (field === 'pipelineId' && path !== '/api/runs') continue;
        const res = await owner.client.get(`${path}?${query}`);
        expect(res.status, `${path}?${query}`).toBe(400);
        expect(res.body.message, query).toContain(`${field}:`);
      }
    }
  });
});
