import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityTestEnv, type ActivityTestEnv } from '../test/support/activityEnv';
import type { ActivityResult } from './contract';
import { createActivities } from './index';
import { fileName } from './storage';

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('upload activity', () => {
  let env: ActivityTestEnv;
  /** A second user with a finished run of their own, in the same database. */
  let other: { user: string; run: string };
  beforeAll(async () => {
    env = await createActivityTestEnv();
    other = { user: randomUUID(), run: randomUUID() };
    const { db } = env.database;
    const project = randomUUID();
    const pipeline = randomUUID();
    await db
      .insertInto('users')
      .values({ id: other.user, email: `${other.user}@x.org`, password_hash: 'x' })
      .execute();
    await db.insertInto('projects').values({ id: project, user_id: other.user, name: 'p' }).execute();
    await db
      .insertInto('pipelines')
      .values({ id: pipeline, user_id: other.user, project_id: project, name: 'p', current_version: 1 })
      .execute();
    await db.insertInto('pipeline_versions').values({ pipeline_id: pipeline, version: 1, graph: '{}' }).execute();
    await db
      .insertInto('runs')
      .values({
        id: other.run,
        user_id: other.user,
        project_id: project,
        pipeline_id: pipeline,
        pipeline_version: 1,
        status: 'succeeded',
        inputs: '{}',
      })
      .execute();
  });
  afterAll(() => env?.close());

  const oldDefault = { key: '{{project}}/{{run}}/{{node}}{{ext}}' };
  const mediaRow = (nodeId: string) =>
    env.database.db.selectFrom('media').selectAll().where('run_id', '=', env.ids.run).where('node_id', '=', nodeId).executeTakeFirst();

  it("stores a text once however often it is retried, in a folder of its own inside the user's namespace", async () => {
    const { activities, input, ids, database, blobs } = env;
    const first: ActivityResult = await new MockActivityEnvironment({ attempt: 1 }).run(
      activities.upload,
      input('publish', { file: 'hello world' }, oldDefault),
    );
    const retried: ActivityResult = await new MockActivityEnvironment({ attempt: 2 }).run(
      activities.upload,
      input('publish', { file: 'hello world' }, oldDefault),
    );
    expect(retried.output).toEqual(first.output);
    expect(retried.attempt).toBe(2);
    const rows = await database.db.selectFrom('media').selectAll().where('run_id', '=', ids.run).where('node_id', '=', 'publish').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      mime_type: 'text/plain',
      size: 11,
      kind: 'text',
      storage_key: `users/${ids.user}/media/${rows[0].id}/${ids.project}-${ids.run}-publish.txt`,
    });
    expect((await blobs.get(rows[0].storage_key))!.body.toString()).toBe('hello world');
  });

  it('keeps a hostile name inside the namespace and never touches the file it names', async () => {
    const victimKey = `runs/${other.run}/draw/0.png`;
    await env.blobs.put(victimKey, png, { contentType: 'image/png' });
    for (const [nodeId, key] of [
      ['clobber-artifact', victimKey],
      ['climb', '../../../runs/{{run}}/x\u0000y/../.hidden{{ext}}'],
      ['absolute', '/etc/passwd'],
    ]) {
      await new MockActivityEnvironment().run(env.activities.upload, env.input(nodeId, { file: 'not yours' }, { key }));
      const row = (await mediaRow(nodeId))!;
      expect(row.storage_key.startsWith(`users/${env.ids.user}/media/${row.id}/`), row.storage_key).toBe(true);
      expect(row.storage_key.split('/')).toHaveLength(5);
    }
    expect((await env.blobs.get(victimKey))!.body.equals(png)).toBe(true);
  });

  it('names files safely: separators flattened, dots and odd characters neutralised, the extension kept', () => {
    expect(fileName('a/b\\c.txt', 'f.txt')).toBe('a-b-c.txt');
    expect(fileName('../..//./.env', 'f.txt')).toBe('env');
    expect(fileName('café menu\r\n.txt', 'f.txt')).toBe('cafe_menu_.txt');
    expect(fileName('x.meta.json', 'f.json')).toBe('x-meta.json');
    expect(fileName('/../', 'node.txt')).toBe('node.txt');
    const long = fileName(`${'n'.repeat(500)}.png`, 'f.png');
    expect(long).toHaveLength(120);
    expect(long.endsWith('n.png')).toBe(true);
  });

  it("publishes a stored artifact with the store's content type, not the one the ref claims", async () => {
    const artifactKey = `runs/${env.ids.run}/draw/image.png`;
    const stored = await env.blobs.put(artifactKey, png, { contentType: 'image/png' });
    const result: ActivityResult = await new MockActivityEnvironment().run(
      env.activities.upload,
      env.input('publish-image', { file: { artifact: true, key: artifactKey, mimeType: 'text/html', size: stored.size } }, oldDefault),
    );
    expect(result.output.media).toMatchObject({ mimeType: 'image/png', size: 8 });
    expect((await mediaRow('publish-image'))!.storage_key).toMatch(/publish-image\.png$/);
  });

  it.each([
    ["another user's run", () => `runs/${other.run}/draw/0.png`],
    ['a run that does not exist', () => `runs/${randomUUID()}/draw/0.png`],
    ["another user's media", () => `users/${other.user}/media/x/secret.txt`],
    ['a climb out of this run', () => `runs/${env.ids.run}/../${other.run}/draw/0.png`],
  ])('refuses a reference into %s without retrying, and publishes nothing', async (_what, key) => {
    await env.blobs.put(`runs/${other.run}/draw/0.png`, png, { contentType: 'image/png' });
    const nodeId = `steal-${randomUUID().slice(0, 8)}`;
    const ref = { artifact: true, key: key(), mimeType: 'image/png', size: 8 };
    await expect(
      new MockActivityEnvironment().run(env.activities.upload, env.input(nodeId, { file: ref }, oldDefault)),
    ).rejects.toMatchObject({
      nonRetryable: true,
      type: 'InvalidInput',
      message: expect.stringMatching(/^Input 'file' /),
    });
    // Nested refs are found as well: every activity gets the same check before its step runs.
    await expect(
      new MockActivityEnvironment().run(env.activities.llm, env.input(`${nodeId}-nested`, { prompt: 'x', extra: { pages: [ref] } })),
    ).rejects.toMatchObject({ nonRetryable: true, type: 'InvalidInput', message: expect.stringMatching(/^Input 'extra\.pages\.0' /) });
    expect(await mediaRow(nodeId)).toBeUndefined();
  });

  it('refuses an empty input without retrying', async () => {
    await expect(
      new MockActivityEnvironment().run(env.activities.upload, env.input('nothing', { file: undefined }, oldDefault)),
    ).rejects.toMatchObject({
      nonRetryable: true,
      type: 'InvalidInput',
    });
  });

  it('keeps a storage failure that merely mentions a key retryable', async () => {
    const s3Error = new Error('The AWS Access Key Id you provided does not exist in our records.');
    const failing = createActivities({
      ...env.deps,
      blobs: Object.assign(Object.create(env.deps.blobs), { put: async () => Promise.reject(s3Error) }),
    });
    const err = await new MockActivityEnvironment()
      .run(failing.upload, env.input('s3-down', { file: 'x' }, oldDefault))
      .catch((e: unknown) => e);
    expect(err).toBe(s3Error);
    expect(err instanceof ApplicationFailure && err.nonRetryable).toBe(false);
  });
});
