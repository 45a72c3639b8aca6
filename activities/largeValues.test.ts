import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityTestEnv, type ActivityTestEnv } from '../test/support/activityEnv';
import type { ArtifactRef } from '../workflows/pipeline';
import type { ActivityResult, InlineStepInput } from './contract';

describe('large values around node steps', () => {
  let env: ActivityTestEnv;
  beforeAll(async () => {
    env = await createActivityTestEnv();
  });
  afterAll(() => env?.close());

  const inlineStep = (
    nodeId: string,
    nodeType: string,
    params: Record<string, unknown>,
    inputs: Record<string, unknown>,
    extra: Partial<InlineStepInput> = {},
  ): InlineStepInput => ({
    ...env.input(nodeId, inputs, params),
    nodeType,
    pipelineInputs: {},
    ...extra,
  });

  async function storedText(text: string, name: string): Promise<ArtifactRef> {
    const key = `runs/${env.ids.run}/${name}/0.text.txt`;
    const { size } = await env.blobs.put(key, text, { contentType: 'text/plain; charset=utf-8' });
    return { artifact: true, key, mimeType: 'text/plain', size };
  }

  it('stores an oversized output once, under a key of its run, node, item and handle, however often the step is retried', async () => {
    const input = inlineStep('double', 'template', { template: '{{a}}{{a}}' }, { a: 'é'.repeat(40_000) });
    const first: ActivityResult = await new MockActivityEnvironment({ attempt: 1 }).run(env.activities.runInlineStep, input);
    const retried: ActivityResult = await new MockActivityEnvironment({ attempt: 2 }).run(env.activities.runInlineStep, input);
    const key = `runs/${env.ids.run}/double/0.text.txt`;
    expect(first.output).toEqual({ text: { artifact: true, key, mimeType: 'text/plain', size: 160_000 } });
    expect(retried.output).toEqual(first.output);
    const blob = await env.blobs.get(key);
    expect(blob!.body.toString('utf8')).toBe('é'.repeat(80_000));
    expect(blob!.contentType).toBe('text/plain; charset=utf-8');
  });

  it('keeps small outputs inline and honours a smaller limit for the items of a fanned-out node', async () => {
    const small: ActivityResult = await new MockActivityEnvironment().run(
      env.activities.runInlineStep,
      inlineStep('small', 'template', { template: '<{{a}}>' }, { a: 'x'.repeat(2000) }),
    );
    expect(small.output).toEqual({ text: `<${'x'.repeat(2000)}>` });
    const item: ActivityResult = await new MockActivityEnvironment().run(
      env.activities.runInlineStep,
      inlineStep('caption', 'template', { template: '<{{a}}>' }, { a: 'x'.repeat(2000) }, { itemIndex: 3, outputLimitBytes: 1024 }),
    );
    expect(item.output.text).toMatchObject({ artifact: true, key: `runs/${env.ids.run}/caption/3.text.txt`, size: 2002 });
  });

  it('reads value refs back for inline steps and for text ports, and passes refs on through any ports', async () => {
    const text = `${'a long scene. '.repeat(8000)}`;
    const ref = await storedText(text, 'story');
    const split: ActivityResult = await new MockActivityEnvironment().run(
      env.activities.runInlineStep,
      inlineStep('scenes', 'split', { by: 'sentences', maxItems: 3 }, { text: ref }),
    );
    expect(split.output.items).toEqual([
      'a long scene.',
      'a long scene.',
      expect.objectContaining({ artifact: true, key: `runs/${env.ids.run}/scenes/0.items.2.txt` }),
    ]);

    const picture: ActivityResult = await new MockActivityEnvironment().run(
      env.activities.illustration,
      env.input('cover', { prompt: ref }, { size: '256x256' }),
    );
    expect(picture.output.image).toMatchObject({ artifact: true, mimeType: 'image/png' });
    const generation = await env.database.db
      .selectFrom('generations')
      .select('prompt')
      .where('run_id', '=', env.ids.run)
      .where('node_id', '=', 'cover')
      .executeTakeFirstOrThrow();
    expect(generation.prompt).toBe(text);

    const waited: ActivityResult = await new MockActivityEnvironment().run(env.activities.delay, env.input('wait', { in: ref }, { ms: 0 }));
    expect(waited.output).toEqual({ out: ref });
  });

  it('reads back a JSON value stored as an artifact and stores an oversized JSON output as JSON', async () => {
    const input = inlineStep(
      'data',
      'input',
      { name: 'data', kind: 'json', required: true },
      {},
      { pipelineInputs: { data: { rows: Array.from({ length: 20_000 }, (_, i) => i) } } },
    );
    const stored: ActivityResult = await new MockActivityEnvironment().run(env.activities.runInlineStep, input);
    expect(stored.output.value).toMatchObject({
      artifact: true,
      key: `runs/${env.ids.run}/data/0.value.json`,
      mimeType: 'application/json',
    });
    const filled: ActivityResult = await new MockActivityEnvironment().run(
      env.activities.runInlineStep,
      inlineStep('count', 'template', { template: '{{d}}' }, { d: stored.output.value }, { outputLimitBytes: 200_000 }),
    );
    expect(JSON.parse(filled.output.text as string)).toEqual({ rows: Array.from({ length: 20_000 }, (_, i) => i) });
  });

  it('refuses a missing artifact and a list too long to pass on even as refs, without retrying', async () => {
    const missing = { artifact: true, key: `runs/${env.ids.run}/gone/0.text.txt`, mimeType: 'text/plain', size: 10 };
    await expect(
      new MockActivityEnvironment().run(env.activities.runInlineStep, inlineStep('t', 'template', { template: '{{a}}' }, { a: missing })),
    ).rejects.toMatchObject({
      nonRetryable: true,
      type: 'InvalidInput',
      message: expect.stringContaining(`Input 'a' refers to artifact 'runs/${env.ids.run}/gone/0.text.txt', which is missing`),
    });
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(50)}`).join('\n');
    await expect(
      new MockActivityEnvironment().run(
        env.activities.runInlineStep,
        inlineStep('lines', 'split', { by: 'lines', maxItems: 100 }, { text: lines }, { outputLimitBytes: 2048 }),
      ),
    ).rejects.toMatchObject({
      nonRetryable: true,
      type: 'OutputTooLarge',
      message: expect.stringContaining("Output 'items' of node 'lines' has too many items"),
    });
  });
});
