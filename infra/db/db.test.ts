import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAbortedTransactionError, sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, migrate, ping, type DatabaseHandle } from './index';
import { migrations } from './migrations';
import type { Database } from './schema';

/** Admin connection used to create and drop a throwaway database per run. */
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

// CI and dev machines have PostgreSQL on 127.0.0.1: there a missing server is a failure, never a skip.
const hasPostgres = await postgresReachable();
if (!hasPostgres && process.env.CI) throw new Error(`PostgreSQL not reachable at ${ADMIN_URL}`);
if (!hasPostgres) console.warn(`[infra/db] PostgreSQL not reachable at ${ADMIN_URL}: skipping the PostgreSQL suite`);

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cf_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await admin((c) => c.query(`create database "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => {}),
  };
}

interface Target {
  /** Opens the database under test (again): same data every time. */
  open(): Promise<DatabaseHandle>;
  cleanup(): Promise<void>;
}

/** A user with a project, a pipeline (version 1) and a run: the parents most rows need. */
async function seed(db: Kysely<Database>) {
  const userId = randomUUID();
  const projectId = randomUUID();
  const pipelineId = randomUUID();
  const runId = randomUUID();
  await db
    .insertInto('users')
    .values({ id: userId, email: `${userId}@Example.com`, password_hash: 'x' })
    .execute();
  await db.insertInto('projects').values({ id: projectId, user_id: userId, name: 'P' }).execute();
  await db
    .insertInto('pipelines')
    .values({ id: pipelineId, user_id: userId, project_id: projectId, name: 'Pipe', current_version: 1 })
    .execute();
  await db
    .insertInto('pipeline_versions')
    .values({ pipeline_id: pipelineId, version: 1, graph: JSON.stringify({ nodes: [{ id: 'a' }], edges: [] }) })
    .execute();
  await db
    .insertInto('runs')
    .values({
      id: runId,
      user_id: userId,
      project_id: projectId,
      pipeline_id: pipelineId,
      pipeline_version: 1,
      status: 'queued',
      inputs: JSON.stringify({ prompt: 'hi' }),
    })
    .execute();
  return { userId, projectId, pipelineId, runId };
}

function mediaRow(ids: { userId: string; projectId: string; runId: string }, itemIndex = 0) {
  return {
    id: randomUUID(),
    user_id: ids.userId,
    project_id: ids.projectId,
    run_id: ids.runId,
    node_id: 'node-1',
    item_index: itemIndex,
    storage_key: `media/${randomUUID()}`,
    mime_type: 'image/png',
    size: 5_000_000_000, // > 2^32: bigint column, read back as a JS number
    sha256: 'abc',
    kind: 'image',
  };
}

function pgErrorCode(err: unknown): string | undefined {
  return (err as { code?: string } | undefined)?.code;
}

function behaviourSuite(kind: 'postgres' | 'pglite', makeTarget: () => Promise<Target>) {
  let target: Target;
  let handle: DatabaseHandle;
  let db: Kysely<Database>;

  beforeAll(async () => {
    target = await makeTarget();
    handle = await target.open();
    db = handle.db;
  });

  afterAll(async () => {
    await handle?.close();
    await target?.cleanup();
  });

  it('applies the migrations and reports its kind', async () => {
    expect(handle.kind).toBe(kind);
    await ping(db);
    const applied = await db
      .selectFrom('kysely_migration' as never)
      .select(sql<string>`name`.as('name'))
      .execute();
    expect(applied.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
    const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual(
      [
        'api_keys',
        'batch_runs',
        'batches',
        'cache_entries',
        'generations',
        'idempotency_keys',
        'media',
        'pipeline_versions',
        'pipelines',
        'projects',
        'provider_credentials',
        'refresh_tokens',
        'run_events',
        'run_nodes',
        'runs',
        'schedules',
        'shares',
        'users',
        'webhook_deliveries',
        'webhooks',
      ].sort(),
    );
  });

  it('maps column types: Date timestamps, parsed jsonb, bigint as number, numeric as string', async () => {
    const ids = await seed(db);
    const user = await db.selectFrom('users').selectAll().where('id', '=', ids.userId).executeTakeFirstOrThrow();
    expect(user.created_at).toBeInstanceOf(Date);
    expect(user.plan).toBe('free');
    expect(user.total_generations).toBe(0);

    const version = await db
      .selectFrom('pipeline_versions')
      .select('graph')
      .where('pipeline_id', '=', ids.pipelineId)
      .executeTakeFirstOrThrow();
    expect(version.graph).toEqual({ nodes: [{ id: 'a' }], edges: [] });

    const media = mediaRow(ids);
    await db.insertInto('media').values(media).execute();
    const stored = await db.selectFrom('media').select(['size', 'kind']).where('id', '=', media.id).executeTakeFirstOrThrow();
    expect(stored.size).toBe(5_000_000_000);

    const at = new Date('2026-11-01T12:34:56.789Z');
    await db
      .insertInto('generations')
      .values({
        user_id: ids.userId,
        run_id: ids.runId,
        type: 'image',
        ai_service: 'openai',
        status: 'succeeded',
        cost_usd: '0.125',
        created_at: at,
      })
      .execute();
    await db
      .insertInto('generations')
      .values({ user_id: ids.userId, type: 'text', ai_service: 'openai', status: 'succeeded', parameters: JSON.stringify([1, 2]) })
      .execute();
    const gens = await db
      .selectFrom('generations')
      .select(['cost_usd', 'parameters', 'created_at', 'id'])
      .where('user_id', '=', ids.userId)
      .orderBy('created_at', 'asc')
      .execute();
    expect(gens.map((g) => g.cost_usd)).toEqual(['0.125000', '0.000000']);
    expect(gens.map((g) => g.parameters)).toEqual([{}, [1, 2]]);
    expect(gens[0].created_at.toISOString()).toBe(at.toISOString());
    expect(typeof gens[0].id).toBe('string'); // gen_random_uuid() default

    const { count } = await db
      .selectFrom('generations')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('user_id', '=', ids.userId)
      .executeTakeFirstOrThrow();
    expect(count).toBe(2); // count(*) is int8

    const updated = await db.updateTable('users').set({ plan: 'pro' }).where('id', '=', ids.userId).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
    const deleted = await db.deleteFrom('generations').where('user_id', '=', ids.userId).executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(2n);
  });

  it('rolls back a transaction that throws', async () => {
    const ids = await seed(db);
    const boom = new Error('boom');
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable('users').set({ plan: 'pro' }).where('id', '=', ids.userId).execute();
        await trx.insertInto('projects').values({ user_id: ids.userId, name: 'doomed' }).execute();
        throw boom;
      }),
    ).rejects.toBe(boom);
    const user = await db.selectFrom('users').select('plan').where('id', '=', ids.userId).executeTakeFirstOrThrow();
    expect(user.plan).toBe('free');
    const doomed = await db.selectFrom('projects').select('id').where('name', '=', 'doomed').where('user_id', '=', ids.userId).execute();
    expect(doomed).toEqual([]);

    // The connection is usable afterwards and a committed transaction sticks.
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ plan: 'team' }).where('id', '=', ids.userId).execute();
    });
    expect((await db.selectFrom('users').select('plan').where('id', '=', ids.userId).executeTakeFirstOrThrow()).plan).toBe('team');
  });

  it('refuses to commit a transaction a failed statement aborted', async () => {
    const ids = await seed(db);
    const attempt = db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ plan: 'pro' }).where('id', '=', ids.userId).execute();
      await trx
        .insertInto('runs')
        .values({
          user_id: ids.userId,
          project_id: ids.projectId,
          pipeline_id: ids.pipelineId,
          pipeline_version: 1,
          status: 'bogus' as never,
          inputs: '{}',
        })
        .execute()
        .catch(() => {}); // swallowed: the transaction is still aborted
    });
    const err = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAbortedTransactionError(err)).toBe(true);
    expect((await db.selectFrom('users').select('plan').where('id', '=', ids.userId).executeTakeFirstOrThrow()).plan).toBe('free');
  });

  it('supports savepoints in a controlled transaction', async () => {
    const ids = await seed(db);
    const trx = await db.startTransaction().execute();
    await trx.updateTable('users').set({ plan: 'pro' }).where('id', '=', ids.userId).execute();
    const sp = await trx.savepoint('before_username').execute();
    await sp.updateTable('users').set({ username: 'gone' }).where('id', '=', ids.userId).execute();
    await sp.rollbackToSavepoint('before_username').execute();
    await trx.commit().execute();
    const user = await db.selectFrom('users').select(['plan', 'username']).where('id', '=', ids.userId).executeTakeFirstOrThrow();
    expect(user).toEqual({ plan: 'pro', username: null });
  });

  it('runs concurrent transactions and queries without interleaving them', async () => {
    const ids = await seed(db);
    const n = 10;
    await Promise.all([
      ...Array.from({ length: n }, (_, i) =>
        db.transaction().execute(async (trx) => {
          const current = await trx
            .selectFrom('users')
            .select('total_generations')
            .where('id', '=', ids.userId)
            .forUpdate()
            .executeTakeFirstOrThrow();
          await new Promise((r) => setTimeout(r, i % 3));
          await trx
            .updateTable('users')
            .set({ total_generations: current.total_generations + 1 })
            .where('id', '=', ids.userId)
            .execute();
        }),
      ),
      ...Array.from({ length: n }, () => ping(db)),
    ]);
    const user = await db.selectFrom('users').select('total_generations').where('id', '=', ids.userId).executeTakeFirstOrThrow();
    expect(user.total_generations).toBe(n);
  });

  it('rejects a duplicate media (run_id, node_id, item_index); on conflict do nothing keeps the first', async () => {
    const ids = await seed(db);
    const first = mediaRow(ids, 3);
    await db.insertInto('media').values(first).execute();

    const duplicate = { ...mediaRow(ids, 3), storage_key: 'media/other' };
    const err = await db
      .insertInto('media')
      .values(duplicate)
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(pgErrorCode(err)).toBe('23505');

    const inserted = await db
      .insertInto('media')
      .values(duplicate)
      .onConflict((oc) => oc.columns(['run_id', 'node_id', 'item_index']).doNothing())
      .returning('id')
      .execute();
    expect(inserted).toEqual([]);

    const rows = await db
      .selectFrom('media')
      .select(['id', 'storage_key'])
      .where('run_id', '=', ids.runId)
      .where('item_index', '=', 3)
      .execute();
    expect(rows).toEqual([{ id: first.id, storage_key: first.storage_key }]);

    // A different item of the same node is fine.
    await db.insertInto('media').values(mediaRow(ids, 4)).execute();
  });

  it('keeps emails unique case-insensitively', async () => {
    const email = `${randomUUID()}@Example.com`;
    await db.insertInto('users').values({ email, password_hash: 'x' }).execute();
    const err = await db
      .insertInto('users')
      .values({ email: email.toUpperCase(), password_hash: 'y' })
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(pgErrorCode(err)).toBe('23505');
    const skipped = await db
      .insertInto('users')
      .values({ email: email.toLowerCase(), password_hash: 'y' })
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
      .returningAll()
      .executeTakeFirst();
    expect(skipped).toBeUndefined();
  });

  it('enforces the check constraints', async () => {
    const ids = await seed(db);
    const badStatus = await db
      .updateTable('runs')
      .set({ status: 'exploded' as never })
      .where('id', '=', ids.runId)
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(pgErrorCode(badStatus)).toBe('23514');
    const badKind = await db
      .insertInto('media')
      .values({ ...mediaRow(ids), kind: 'video' })
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(pgErrorCode(badKind)).toBe('23514');
  });

  it('cascades deletes from owners, keeping usage records detached', async () => {
    const ids = await seed(db);
    const media = mediaRow(ids);
    await db.insertInto('media').values(media).execute();
    await db.insertInto('run_nodes').values({ run_id: ids.runId, node_id: 'node-1', status: 'queued' }).execute();
    await db
      .insertInto('run_events')
      .values({ run_id: ids.runId, seq: 1, type: 'run.status', data: JSON.stringify({ status: 'running' }) })
      .execute();
    const genId = randomUUID();
    await db
      .insertInto('generations')
      .values({
        id: genId,
        user_id: ids.userId,
        project_id: ids.projectId,
        run_id: ids.runId,
        node_id: 'node-1',
        media_id: media.id,
        type: 'image',
        ai_service: 'x',
        status: 'succeeded',
      })
      .execute();

    await db.deleteFrom('projects').where('id', '=', ids.projectId).execute();
    expect(await db.selectFrom('runs').select('id').where('id', '=', ids.runId).execute()).toEqual([]);
    expect(await db.selectFrom('run_nodes').select('node_id').where('run_id', '=', ids.runId).execute()).toEqual([]);
    expect(await db.selectFrom('media').select('id').where('id', '=', media.id).execute()).toEqual([]);
    const gen = await db
      .selectFrom('generations')
      .select(['project_id', 'run_id', 'media_id'])
      .where('id', '=', genId)
      .executeTakeFirstOrThrow();
    expect(gen).toEqual({ project_id: null, run_id: null, media_id: null });

    await db.deleteFrom('users').where('id', '=', ids.userId).execute();
    expect(await db.selectFrom('generations').select('id').where('id', '=', genId).execute()).toEqual([]);
  });

  it("keeps each user's storage total as media come and go, through a project's and an account's cascade", async () => {
    const ids = await seed(db);
    const total = async () =>
      (await db.selectFrom('users').select('storage_bytes').where('id', '=', ids.userId).executeTakeFirstOrThrow()).storage_bytes;
    const [first, second, third] = [0, 1, 2].map((item) => ({ ...mediaRow(ids, item), size: 1000 * (item + 1) }));
    await db.insertInto('media').values([first, second]).execute();
    await db
      .insertInto('media')
      .values({ ...third, run_id: null, node_id: null })
      .execute();
    expect(await total()).toBe(6000);
    await db.updateTable('media').set({ size: 2500 }).where('id', '=', second.id).execute();
    expect(await total()).toBe(6500);
    await db.deleteFrom('media').where('id', '=', first.id).execute();
    expect(await total()).toBe(5500);
    await db.deleteFrom('runs').where('id', '=', ids.runId).execute(); // its media stay, detached from it
    expect(await total()).toBe(5500);
    await db.deleteFrom('projects').where('id', '=', ids.projectId).execute();
    expect(await total()).toBe(0);

    const other = await seed(db);
    await db.insertInto('media').values(mediaRow(other)).execute();
    await db.deleteFrom('users').where('id', '=', other.userId).execute(); // the account's media go, and the account
    expect(await db.selectFrom('users').select('id').where('id', '=', other.userId).execute()).toEqual([]);
  });

  it('names the migration that failed', async () => {
    const broken = {
      async getMigrations() {
        return {
          ...migrations,
          '9999_broken': { up: async (k: Kysely<any>) => void (await sql`select * from no_such_table`.execute(k)) },
        };
      },
    };
    await expect(migrate(db, broken)).rejects.toThrow(/migration "9999_broken" failed: .*no_such_table/);
    // Nothing was recorded for it.
    const names = await db
      .selectFrom('kysely_migration' as never)
      .select(sql<string>`name`.as('name'))
      .execute();
    expect(names.map((r) => r.name)).not.toContain('9999_broken');
  });

  it('re-opening finds the data and does not re-run migrations', async () => {
    const ids = await seed(db);
    const before = await db
      .selectFrom('kysely_migration' as never)
      .select(sql<string>`timestamp`.as('timestamp'))
      .execute();
    await handle.close();
    await handle.close(); // idempotent

    handle = await target.open();
    db = handle.db;
    const user = await db.selectFrom('users').select('id').where('id', '=', ids.userId).executeTakeFirst();
    expect(user).toEqual({ id: ids.userId });
    const after = await db
      .selectFrom('kysely_migration' as never)
      .select(sql<string>`timestamp`.as('timestamp'))
      .execute();
    expect(after).toEqual(before);
  });
}

describe.skipIf(!hasPostgres)('PostgreSQL', () => {
  behaviourSuite('postgres', async () => {
    const database = await createTestDatabase();
    return {
      open: () => createDatabase({ databaseUrl: database.url, dataDir: '/nonexistent' }),
      cleanup: database.drop,
    };
  });

  it('lets several processes start against a fresh database at once', async () => {
    const database = await createTestDatabase();
    try {
      const handles = await Promise.all(
        Array.from({ length: 4 }, () => createDatabase({ databaseUrl: database.url, dataDir: '/nonexistent' })),
      );
      try {
        const rows = await handles[0].db
          .selectFrom('kysely_migration' as never)
          .select(sql<string>`name`.as('name'))
          .execute();
        expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
        await Promise.all(handles.map((h) => ping(h.db)));
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    } finally {
      await database.drop();
    }
  });

  it('fails loudly when the server cannot be reached', async () => {
    await expect(createDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', dataDir: '/nonexistent' })).rejects.toThrow(
      /Database migrations failed/,
    );
  });
});

describe('PGlite', () => {
  let dataDir: string;

  behaviourSuite('pglite', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cf-db-test-'));
    return {
      open: () => createDatabase({ dataDir }),
      cleanup: () => rm(dataDir, { recursive: true, force: true }),
    };
  });

  it('refuses to open the same directory twice in one process', async () => {
    // The suite's handle is still open on `dataDir`.
    await expect(createDatabase({ dataDir })).rejects.toThrow(/already open in this process/);
  });
});
