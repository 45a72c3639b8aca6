import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlobStore, type BlobStore } from '../infra/blobs';
import { createEventBus, type EventBus } from '../infra/bus';
import { createDatabase, type DatabaseHandle } from '../infra/db';
import { createTestDatabase } from '../test/support/stack';
import type { ActivityInput, ActivityResult } from './contract';
import { createActivities, createRunStore } from './index';
import { createProviders, providerSettingsFromEnv } from './providers';
import { loadConfig } from '../infra/config';

const providers = createProviders(providerSettingsFromEnv(loadConfig().rootDir, {}));

describe('upload activity', () => {
  let database: DatabaseHandle;
  let dropDatabase: () => Promise<void>;
  let blobs: BlobStore;
  let bus: EventBus;
  const dataDir = mkdtempSync(join(tmpdir(), 'cf-upload-'));
  const ids = { user: randomUUID(), project: randomUUID(), pipeline: randomUUID(), run: randomUUID() };

  beforeAll(async () => {
    const pgdb = await createTestDatabase();
    dropDatabase = pgdb.drop;
    database = await createDatabase({ databaseUrl: pgdb.url, dataDir });
    blobs = await createBlobStore({ dataDir });
    bus = await createEventBus({});
    const { db } = database;
    await db.insertInto('users').values({ id: ids.user, email: `${ids.user}@x.org`, password_hash: 'x' }).execute();
    await db.insertInto('projects').values({ id: ids.project, user_id: ids.user, name: 'p' }).execute();
    await db.insertInto('pipelines').values({ id: ids.pipeline, user_id: ids.user, project_id: ids.project, name: 'p', current_version: 1 }).execute();
    await db.insertInto('pipeline_versions').values({ pipeline_id: ids.pipeline, version: 1, graph: '{}' }).execute();
    await db
      .insertInto('runs')
      .values({ id: ids.run, user_id: ids.user, project_id: ids.project, pipeline_id: ids.pipeline, pipeline_version: 1, status: 'running', inputs: '{}' })
      .execute();
  });
  afterAll(async () => {
    await bus?.close();
    await database?.close();
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const input = (nodeId: string, file: unknown): ActivityInput => ({
    runId: ids.run,
    nodeId,
    userId: ids.user,
    projectId: ids.project,
    pipelineId: ids.pipeline,
    itemIndex: 0,
    params: { key: '{{project}}/{{run}}/{{node}}{{ext}}' },
    inputs: { file },
  });

  it('stores a text once however often it is retried', async () => {
    const activities = createActivities({ store: createRunStore(database.db), blobs, bus, providers });
    const env = new MockActivityEnvironment({ attempt: 1 });
    const first: ActivityResult = await env.run(activities.upload, input('publish', 'hello world'));
    const retried: ActivityResult = await new MockActivityEnvironment({ attempt: 2 }).run(activities.upload, input('publish', 'hello world'));
    expect(retried.output).toEqual(first.output);
    expect(retried.attempt).toBe(2);
    const rows = await database.db.selectFrom('media').selectAll().where('run_id', '=', ids.run).where('node_id', '=', 'publish').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ mime_type: 'text/plain', size: 11, kind: 'text', storage_key: `${ids.project}/${ids.run}/publish.txt` });
    expect((await blobs.get(rows[0].storage_key))!.body.toString()).toBe('hello world');
  });

  it('publishes a stored artifact with its own content type', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const key = `runs/${ids.run}/draw/image.png`;
    const stored = await blobs.put(key, png, { contentType: 'image/png' });
    const activities = createActivities({ store: createRunStore(database.db), blobs, bus, providers });
    const result: ActivityResult = await new MockActivityEnvironment().run(
      activities.upload,
      input('publish-image', { artifact: true, key, mimeType: 'image/png', size: stored.size }),
    );
    expect(result.output.media).toMatchObject({ mimeType: 'image/png', size: 8 });
  });

  it('refuses an empty input without retrying', async () => {
    const activities = createActivities({ store: createRunStore(database.db), blobs, bus, providers });
    await expect(new MockActivityEnvironment().run(activities.upload, input('nothing', undefined))).rejects.toMatchObject({
      nonRetryable: true,
      type: 'InvalidInput',
    });
  });
});
