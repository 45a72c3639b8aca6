import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities, createRunStore, type ActivityDeps } from '../../activities';
import type { Activities, ActivityInput } from '../../activities/contract';
import { createProviders } from '../../activities/providers';
import { createBlobStore, type BlobStore } from '../../infra/blobs';
import { createEventBus } from '../../infra/bus';
import { loadConfig } from '../../infra/config';
import { createDatabase, type DatabaseHandle } from '../../infra/db';
import { providerSettingsFromEnv } from '../../infra/providerSettings';
import { createTestDatabase } from './stack';

export interface ActivityTestEnv {
  activities: Activities;
  /** What `activities` were built from, for tests that build them again around a changed part. */
  deps: ActivityDeps;
  database: DatabaseHandle;
  blobs: BlobStore;
  ids: { user: string; project: string; pipeline: string; run: string };
  /** An activity input for a node of the seeded run. */
  input(nodeId: string, inputs: Record<string, unknown>, params?: Record<string, unknown>, itemIndex?: number): ActivityInput;
  close(): Promise<void>;
}

/**
 * The real activities over a fresh PostgreSQL database holding one user, project, pipeline and running
 * run, local blob storage, the in-process bus and the local providers (no cloud keys).
 */
export async function createActivityTestEnv(): Promise<ActivityTestEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cf-activities-'));
  const ids = { user: randomUUID(), project: randomUUID(), pipeline: randomUUID(), run: randomUUID() };
  const pgdb = await createTestDatabase();
  const database = await createDatabase({ databaseUrl: pgdb.url, dataDir });
  const blobs = await createBlobStore({ dataDir });
  const bus = await createEventBus({});
  // Only the test model choice (vitest.config.ts) comes from the environment; no cloud keys.
  const providers = createProviders(providerSettingsFromEnv(loadConfig().rootDir, { LOCAL_TEXT_MODEL: process.env.LOCAL_TEXT_MODEL }));
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
  await db.insertInto('pipeline_versions').values({ pipeline_id: ids.pipeline, version: 1, graph: '{}' }).execute();
  await db
    .insertInto('runs')
    .values({
      id: ids.run,
      user_id: ids.user,
      project_id: ids.project,
      pipeline_id: ids.pipeline,
      pipeline_version: 1,
      status: 'running',
      inputs: '{}',
    })
    .execute();

  const deps: ActivityDeps = { store: createRunStore(db), blobs, bus, providers };
  return {
    activities: createActivities(deps),
    deps,
    database,
    blobs,
    ids,
    input: (nodeId, inputs, params = {}, itemIndex = 0) => ({
      runId: ids.run,
      nodeId,
      userId: ids.user,
      projectId: ids.project,
      pipelineId: ids.pipeline,
      itemIndex,
      params,
      inputs,
    }),
    async close() {
      await providers.close();
      await bus.close();
      await database.close();
      await pgdb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
