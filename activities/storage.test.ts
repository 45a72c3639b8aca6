import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityTestEnv, type ActivityTestEnv } from '../test/support/activityEnv';
import type { ActivityResult } from './contract';

describe('upload activity', () => {
  let env: ActivityTestEnv;
  beforeAll(async () => {
    env = await createActivityTestEnv();
  });
  afterAll(() => env?.close());

  const key = { key: '{{project}}/{{run}}/{{node}}{{ext}}' };

  it('stores a text once however often it is retried', async () => {
    const { activities, input, ids, database, blobs } = env;
    const first: ActivityResult = await new MockActivityEnvironment({ attempt: 1 }).run(activities.upload, input('publish', { file: 'hello world' }, key));
    const retried: ActivityResult = await new MockActivityEnvironment({ attempt: 2 }).run(activities.upload, input('publish', { file: 'hello world' }, key));
    expect(retried.output).toEqual(first.output);
    expect(retried.attempt).toBe(2);
    const rows = await database.db.selectFrom('media').selectAll().where('run_id', '=', ids.run).where('node_id', '=', 'publish').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ mime_type: 'text/plain', size: 11, kind: 'text', storage_key: `${ids.project}/${ids.run}/publish.txt` });
    expect((await blobs.get(rows[0].storage_key))!.body.toString()).toBe('hello world');
  });

  it('publishes a stored artifact with its own content type', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const artifactKey = `runs/${env.ids.run}/draw/image.png`;
    const stored = await env.blobs.put(artifactKey, png, { contentType: 'image/png' });
    const result: ActivityResult = await new MockActivityEnvironment().run(
      env.activities.upload,
      env.input('publish-image', { file: { artifact: true, key: artifactKey, mimeType: 'image/png', size: stored.size } }, key),
    );
    expect(result.output.media).toMatchObject({ mimeType: 'image/png', size: 8 });
  });

  it('refuses an empty input without retrying', async () => {
    await expect(new MockActivityEnvironment().run(env.activities.upload, env.input('nothing', { file: undefined }, key))).rejects.toMatchObject({
      nonRetryable: true,
      type: 'InvalidInput',
    });
  });
});
