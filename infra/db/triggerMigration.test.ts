import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './index';
import { migrations } from './migrations';
import { PGliteDialect } from './pglite-dialect';

/**
 * Migration 0003 on a database that has runs from before it (and, as an install that took the later migrations
 * first has, 0004 and 0005 already applied): their text trigger becomes an object.
 */
describe('migration 0003 (run triggers as objects)', () => {
  let db: Kysely<any>;

  beforeAll(async () => {
    db = new Kysely<any>({ dialect: new PGliteDialect({ pglite: new PGlite() }) });
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => !name.startsWith('0003_')));
    await migrate(db, { getMigrations: async () => before });
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it("turns every stored trigger into an object: 'api' → {kind: 'api'}, JSON text → its object, an unknown word → api; new runs default to api", async () => {
    const userId = randomUUID();
    const projectId = randomUUID();
    const pipelineId = randomUUID();
    await db
      .insertInto('users')
      .values({ id: userId, email: `${userId}@example.com`, password_hash: 'x' })
      .execute();
    await db.insertInto('projects').values({ id: projectId, user_id: userId, name: 'P' }).execute();
    await db
      .insertInto('pipelines')
      .values({ id: pipelineId, user_id: userId, project_id: projectId, name: 'Pipe', current_version: 1 })
      .execute();
    await db.insertInto('pipeline_versions').values({ pipeline_id: pipelineId, version: 1, graph: '{}' }).execute();
    const run = (trigger?: string) => ({
      id: randomUUID(),
      user_id: userId,
      project_id: projectId,
      pipeline_id: pipelineId,
      pipeline_version: 1,
      status: 'succeeded',
      inputs: '{}',
      ...(trigger === undefined ? {} : { trigger }),
    });
    const old = [run(), run('api'), run('cron-ish')];
    const scheduledEarlier = run(JSON.stringify({ kind: 'schedule', scheduleId: 'sched-1' }));
    await db
      .insertInto('runs')
      .values([...old, scheduledEarlier])
      .execute();

    await migrate(db);
    const after = await db.selectFrom('runs').select(['id', 'trigger']).execute();
    expect(Object.fromEntries(after.map((r) => [r.id, r.trigger]))).toEqual({
      ...Object.fromEntries(old.map((r) => [r.id, { kind: 'api' }])),
      [scheduledEarlier.id]: { kind: 'schedule', scheduleId: 'sched-1' },
    });
    const fresh = run();
    await db.insertInto('runs').values(fresh).execute();
    expect((await db.selectFrom('runs').select('trigger').where('id', '=', fresh.id).executeTakeFirstOrThrow()).trigger).toEqual({
      kind: 'api',
    });
    await db
      .insertInto('runs')
      .values({ ...run(), trigger: JSON.stringify({ kind: 'schedule', scheduleId: 's1' }) })
      .execute();
    const scheduled = await db
      .selectFrom('runs')
      .select('id')
      .where(sql`trigger->>'scheduleId'`, '=', 's1')
      .execute();
    expect(scheduled).toHaveLength(1);
  });
});
