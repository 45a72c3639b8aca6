import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../infra/db';
import { scheduledRunId } from '../infra/scheduleIds';
import { createTestDatabase } from '../test/support/stack';
import { createScheduledRunActivities, type ScheduledRunArgs, type ScheduledRunStart } from './scheduledRuns';
import { createScheduledRunStore } from './scheduledRunStore';

/** The first step of a scheduled run, on a real PostgreSQL database: it records its run once, whatever happens. */
const graphV1 = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [{ source: 'topic', sourceHandle: 'value', target: 'publish', targetHandle: 'file' }],
};
const graphV2 = { ...graphV1, nodes: [{ id: 'topic', type: 'input', params: { name: 'subject' } }, graphV1.nodes[1]] };

describe('recordScheduledRun', () => {
  let database: DatabaseHandle;
  let dropDatabase: () => Promise<void>;
  let dataDir: string;
  const ids = { user: randomUUID(), project: randomUUID(), pipeline: randomUUID(), schedule: randomUUID() };
  const args = (inputs: Record<string, unknown> = { topic: 'tides' }): ScheduledRunArgs => ({
    scheduleId: ids.schedule,
    userId: ids.user,
    pipelineId: ids.pipeline,
    inputs,
  });
  const record = (workflowId: string, given: ScheduledRunArgs, attempt = 1): Promise<ScheduledRunStart> =>
    new MockActivityEnvironment({ attempt, workflowExecution: { workflowId, runId: randomUUID() } }).run(
      createScheduledRunActivities(createScheduledRunStore(database.db)).recordScheduledRun,
      given,
    );
  const firing = () => `scheduled-${ids.schedule}-${new Date(Date.now() + Math.random() * 1e9).toISOString()}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cf-scheduled-'));
    const pg = await createTestDatabase();
    dropDatabase = pg.drop;
    database = await createDatabase({ databaseUrl: pg.url, dataDir });
    const { db } = database;
    await db
      .insertInto('users')
      .values({ id: ids.user, email: `${ids.user}@x.org`, password_hash: 'x' })
      .execute();
    await db.insertInto('projects').values({ id: ids.project, user_id: ids.user, name: 'p' }).execute();
    await db
      .insertInto('pipelines')
      .values({ id: ids.pipeline, user_id: ids.user, project_id: ids.project, name: 'p', current_version: 1 })
      .execute();
    await db
      .insertInto('pipeline_versions')
      .values({ pipeline_id: ids.pipeline, version: 1, graph: JSON.stringify(graphV1) })
      .execute();
    await db
      .insertInto('schedules')
      .values({ id: ids.schedule, user_id: ids.user, pipeline_id: ids.pipeline, cron: '0 9 * * MON', every: null })
      .execute();
  });
  afterAll(async () => {
    await database?.close();
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const rowsOf = (runId: string) =>
    Promise.all([
      database.db.selectFrom('runs').selectAll().where('id', '=', runId).execute(),
      database.db.selectFrom('run_nodes').select('node_id').where('run_id', '=', runId).execute(),
      database.db.selectFrom('run_events').select('data').where('run_id', '=', runId).execute(),
    ]);

  it('records the run once, as queued with its trigger, however often it is retried', async () => {
    const workflowId = firing();
    const first = await record(workflowId, args());
    const retried = await record(workflowId, args(), 2);
    const runId = scheduledRunId(workflowId);
    expect(first).toMatchObject({
      kind: 'start',
      run: { runId, userId: ids.user, projectId: ids.project, pipelineId: ids.pipeline, inputs: { topic: 'tides' } },
    });
    expect(retried).toEqual(first);
    const [runs, nodes] = await rowsOf(runId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'queued', pipeline_version: 1, user_id: ids.user });
    const trigger = typeof runs[0].trigger === 'string' ? JSON.parse(runs[0].trigger) : runs[0].trigger;
    expect(trigger).toEqual({ kind: 'schedule', scheduleId: ids.schedule, estimate: { totalUsd: 0, nodes: {} } });
    expect(nodes.map((n) => n.node_id).sort()).toEqual(['publish', 'topic']);
  });

  it("gives the run its project's budget, as a start from the API does", async () => {
    const settings = (value: object) =>
      database.db
        .updateTable('projects')
        .set({ settings: JSON.stringify(value) })
        .where('id', '=', ids.project)
        .execute();
    await settings({ budgetUsd: 0.25 });
    try {
      const workflowId = firing();
      expect((await record(workflowId, args())).kind).toBe('start');
      const [runs] = await rowsOf(scheduledRunId(workflowId));
      const trigger = typeof runs[0].trigger === 'string' ? JSON.parse(runs[0].trigger) : runs[0].trigger;
      expect(trigger).toMatchObject({ kind: 'schedule', budgetUsd: 0.25 });
    } finally {
      await settings({});
    }
  });

  it('keeps the version it first recorded when retried after a newer version is saved', async () => {
    const workflowId = firing();
    await record(workflowId, args());
    await database.db
      .insertInto('pipeline_versions')
      .values({ pipeline_id: ids.pipeline, version: 2, graph: JSON.stringify(graphV2) })
      .execute();
    await database.db.updateTable('pipelines').set({ current_version: 2 }).where('id', '=', ids.pipeline).execute();
    try {
      const retried = await record(workflowId, args(), 2);
      expect(retried).toMatchObject({ kind: 'start', run: { graph: { nodes: [{ params: { name: 'topic' } }, {}] } } });
      expect((await rowsOf(scheduledRunId(workflowId)))[0][0].pipeline_version).toBe(1);

      // A new firing takes the new version, whose inputs the schedule no longer fits: a failed run, saying why, once.
      const later = firing();
      const refused = await record(later, args());
      expect(refused).toMatchObject({
        kind: 'refused',
        error: expect.stringMatching(/inputs do not fit version 2.*inputs\.topic.*inputs\.subject/),
      });
      expect(await record(later, args(), 2)).toMatchObject({ kind: 'refused' });
      const [runs, nodes, events] = await rowsOf(scheduledRunId(later));
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: 'failed', pipeline_version: 2, error: (refused as { error: string }).error });
      expect(nodes).toEqual([]);
      expect(events).toHaveLength(1);
    } finally {
      await database.db.updateTable('pipelines').set({ current_version: 1 }).where('id', '=', ids.pipeline).execute();
    }
  });

  it('never starts a run recorded as already past queued again', async () => {
    const workflowId = firing();
    await record(workflowId, args());
    await database.db.updateTable('runs').set({ status: 'succeeded' }).where('id', '=', scheduledRunId(workflowId)).execute();
    expect(await record(workflowId, args(), 2)).toMatchObject({
      kind: 'refused',
      error: expect.stringContaining('already recorded as succeeded'),
    });
  });

  it('records nothing for a schedule whose record is gone, or that is not the one the arguments name', async () => {
    const stranger = randomUUID();
    for (const given of [
      { ...args(), scheduleId: randomUUID() },
      { ...args(), userId: stranger },
    ]) {
      const workflowId = firing();
      expect(await record(workflowId, given)).toMatchObject({ kind: 'orphaned' });
      expect((await rowsOf(scheduledRunId(workflowId)))[0]).toEqual([]);
    }
  });

  it("records a firing past the owner's plan limits as a failed run saying which limit, and starts nothing", async () => {
    const before = process.env.PLANS_JSON;
    process.env.PLANS_JSON = JSON.stringify({ free: { nodesPerPipeline: 1 } });
    try {
      const workflowId = firing();
      expect(await record(workflowId, args())).toMatchObject({
        kind: 'refused',
        error: expect.stringMatching(/nodes per pipeline|nodesPerPipeline/i),
      });
      const [runs, nodes] = await rowsOf(scheduledRunId(workflowId));
      expect(runs.map((r) => r.status)).toEqual(['failed']);
      expect(nodes).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.PLANS_JSON;
      else process.env.PLANS_JSON = before;
    }
  });
});
