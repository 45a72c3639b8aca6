import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityTestEnv, type ActivityTestEnv } from '../test/support/activityEnv';
import type { ActivityResult } from './contract';
import { createActivities } from './index';
import type { TextProvider, TextRequest } from './providers/types';
import { limitsOf } from '../infra/plans';
import { storyNode } from '../workflows/pipeline/catalog';
import { storyPrompt, TOKENS_PER_WORD } from './storyWriting';

describe('AI activities (generation records, text, speech, image steps)', () => {
  let env: ActivityTestEnv;
  beforeAll(async () => {
    env = await createActivityTestEnv();
  });
  afterAll(() => env?.close());

  const local = { provider: 'local', size: '256x256', steps: 10 };

  it('records a generation once and counts it once, however often the step is retried', async () => {
    const { activities, input, ids, database } = env;
    const art = input('art', { prompt: 'a red fox under the moon' }, local);
    const first: ActivityResult = await new MockActivityEnvironment({ attempt: 1 }).run(activities.illustration, art);
    const retried: ActivityResult = await new MockActivityEnvironment({ attempt: 2 }).run(activities.illustration, art);
    expect(retried.output).toEqual(first.output);
    expect(first.output.image).toMatchObject({
      artifact: true,
      mimeType: 'image/png',
      width: 256,
      height: 256,
      key: `runs/${ids.run}/art/0.png`,
    });

    const rows = await database.db.selectFrom('generations').selectAll().where('run_id', '=', ids.run).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'image',
      ai_service: 'local-sketch',
      model: 'procedural-sketch-v1',
      status: 'completed',
      prompt: 'a red fox under the moon',
    });
    expect(Number(rows[0].cost_usd)).toBe(0);
    const user = await database.db
      .selectFrom('users')
      .select(['total_generations', 'monthly_generations', 'monthly_period'])
      .where('id', '=', ids.user)
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ total_generations: 1, monthly_generations: 1, monthly_period: new Date().toISOString().slice(0, 7) });
  });

  it('refuses empty text without retrying', async () => {
    await expect(
      new MockActivityEnvironment().run(env.activities.narration, env.input('voice', { text: '  ' }, { provider: 'local' })),
    ).rejects.toMatchObject({
      nonRetryable: true,
      type: 'InvalidInput',
    });
  });

  it("hands the text provider the catalog's defaults for the params a node leaves unset", async () => {
    const requests: TextRequest[] = [];
    const recording: TextProvider = {
      id: 'recording',
      async generate(request) {
        requests.push(request);
        return { text: 'A fox by a frozen river.', model: 'recorded', promptTokens: 3, completionTokens: 5 };
      },
    };
    const activities = createActivities({
      ...env.deps,
      providers: { ...env.deps.providers, text: async () => recording, prepareText: async () => undefined },
    });
    await new MockActivityEnvironment().run(activities.llm, env.input('caption', { text: 'The fox crossed the ice.' }));
    await new MockActivityEnvironment().run(activities.story, env.input('saga', { prompt: 'a fox in winter' }));
    const story = storyPrompt({ subject: 'a fox in winter', words: 150, instructions: storyNode.params.parse({}).instructions });
    // The story's first request; the short recorded answer makes it ask for continuations after it.
    expect(requests.slice(0, 2)).toEqual([
      {
        system: undefined,
        prompt: 'Write a one-sentence image prompt describing the main scene of this text:\n\nThe fox crossed the ice.',
        maxTokens: 200,
        temperature: 0.3,
        seed: undefined,
        model: undefined,
      },
      {
        system:
          'You are a warm, vivid storyteller. Write a complete short story with a beginning, middle and end. Plain prose, no preamble.',
        prompt: story.prompt,
        maxTokens: Math.ceil(150 * TOKENS_PER_WORD) + 24,
        temperature: 0.8,
        seed: undefined,
        model: undefined,
      },
    ]);
  });

  it('refuses params its node type does not accept, naming the param, without retrying', async () => {
    await expect(
      new MockActivityEnvironment().run(env.activities.llm, env.input('hot', { text: 'a fox' }, { temperature: 5 })),
    ).rejects.toMatchObject({ nonRetryable: true, type: 'InvalidInput', message: expect.stringContaining('temperature') });
  });

  it('runs a local text model named by its GGUF file, and refuses a missing or path-like one', async () => {
    const tale = (model: string) =>
      env.input('tale-' + model.length, { prompt: 'a fox in the snow' }, { provider: 'local', words: 20, temperature: 0, model });
    const named: ActivityResult = await new MockActivityEnvironment().run(env.activities.story, tale('SmolLM2-135M-Instruct.Q4_1.gguf'));
    expect(String(named.output.text).length).toBeGreaterThan(20);
    await expect(new MockActivityEnvironment().run(env.activities.story, tale('missing.gguf'))).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining("No model file 'missing.gguf'"),
    });
    await expect(new MockActivityEnvironment().run(env.activities.story, tale('../../etc/x.gguf'))).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('file name only'),
    });
  });

  it('fails without retrying when a cloud provider has no key', async () => {
    await expect(
      new MockActivityEnvironment().run(env.activities.story, env.input('tale', { prompt: 'a fox' }, { provider: 'openai', words: 30 })),
    ).rejects.toMatchObject({
      nonRetryable: true,
      type: 'ProviderRejected',
      message: expect.stringContaining('No credentials for openai'),
    });
  });

  it('records a failed call without counting it, and a later success replaces it and counts once', async () => {
    const { database, ids, activities, input } = env;
    const countOf = async () =>
      (await database.db.selectFrom('users').select('total_generations').where('id', '=', ids.user).executeTakeFirstOrThrow())
        .total_generations;
    const monthlyOf = async () =>
      (await database.db.selectFrom('users').select('monthly_generations').where('id', '=', ids.user).executeTakeFirstOrThrow())
        .monthly_generations;
    const before = await countOf();
    const monthlyBefore = await monthlyOf();
    const verse = (provider: string) => input('verse', { prompt: 'a heron at dawn' }, { provider, words: 20, temperature: 0 });
    await expect(new MockActivityEnvironment().run(activities.story, verse('openai'))).rejects.toMatchObject({ type: 'ProviderRejected' });
    const failed = await database.db
      .selectFrom('generations')
      .selectAll()
      .where('run_id', '=', ids.run)
      .where('node_id', '=', 'verse')
      .execute();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      status: 'failed',
      ai_service: 'openai',
      result: null,
      error: expect.stringContaining('No credentials'),
    });
    expect(await countOf()).toBe(before);
    expect(await monthlyOf()).toBe(monthlyBefore); // its reserved unit was given back

    await new MockActivityEnvironment({ attempt: 2 }).run(activities.story, verse('local'));
    await new MockActivityEnvironment({ attempt: 3 }).run(activities.story, verse('local'));
    const done = await database.db
      .selectFrom('generations')
      .selectAll()
      .where('run_id', '=', ids.run)
      .where('node_id', '=', 'verse')
      .execute();
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ status: 'completed', ai_service: 'local', error: null });
    expect(await countOf()).toBe(before + 1);
    expect(await monthlyOf()).toBe(monthlyBefore + 1);
  });

  it("refuses a generation past the plan's monthly limit before calling the provider, without retrying", async () => {
    const { database, ids, input } = env;
    let calls = 0;
    const counting: TextProvider = {
      id: 'counting',
      async generate() {
        calls++;
        // Long enough for the story's asked length: one provider call per story (no continuation).
        return { text: 'A heron stood in the reeds. '.repeat(30), model: 'counted', promptTokens: 2, completionTokens: 180 };
      },
    };
    const activities = createActivities({ ...env.deps, providers: { ...env.deps.providers, text: async () => counting } });
    const period = new Date().toISOString().slice(0, 7);
    const saved = await database.db
      .selectFrom('users')
      .select(['monthly_generations', 'monthly_period'])
      .where('id', '=', ids.user)
      .executeTakeFirstOrThrow();
    const { monthlyGenerations: limit } = limitsOf('free');
    await database.db.updateTable('users').set({ monthly_generations: limit, monthly_period: period }).where('id', '=', ids.user).execute();
    try {
      await expect(new MockActivityEnvironment().run(activities.story, input('over', { prompt: 'a heron' }))).rejects.toMatchObject({
        nonRetryable: true,
        type: 'QuotaExceeded',
        message: expect.stringMatching(
          new RegExp(`^quota_exceeded: monthly generations ${limit}/${limit} on the free plan, resets \\d{4}-\\d{2}-01$`),
        ),
      });
      expect(calls).toBe(0);
      expect(
        await database.db.selectFrom('generations').select('id').where('run_id', '=', ids.run).where('node_id', '=', 'over').execute(),
      ).toEqual([]);

      // A unit freed (here: by hand) lets the same step through, counted once however often it is retried.
      await database.db
        .updateTable('users')
        .set({ monthly_generations: limit - 1 })
        .where('id', '=', ids.user)
        .execute();
      await new MockActivityEnvironment({ attempt: 2 }).run(activities.story, input('over', { prompt: 'a heron' }));
      await new MockActivityEnvironment({ attempt: 3 }).run(activities.story, input('over', { prompt: 'a heron' }));
      expect(calls).toBe(1);
      const user = await database.db.selectFrom('users').select('monthly_generations').where('id', '=', ids.user).executeTakeFirstOrThrow();
      expect(user.monthly_generations).toBe(limit);
    } finally {
      await database.db.updateTable('users').set(saved).where('id', '=', ids.user).execute();
    }
  });

  it('a retry after a crash mid-call finds its unit reserved and takes no second one', async () => {
    const { database, ids, activities, input, deps } = env;
    const step = input('crashy', { prompt: 'an owl' }, { provider: 'local', size: '256x256', steps: 4 });
    // What a worker that died during the provider call leaves behind: the reserved row, its unit taken.
    expect(
      await deps.store.reserveGeneration(
        {
          ...step,
          type: 'image',
          aiService: 'local',
          model: 'local',
          prompt: 'an owl',
          result: null,
          mediaId: null,
          parameters: {},
          processingMs: 0,
          tokensUsed: null,
          costUsd: 0,
        },
        0,
      ),
    ).toBeUndefined();
    const monthlyOf = async () =>
      (await database.db.selectFrom('users').select('monthly_generations').where('id', '=', ids.user).executeTakeFirstOrThrow())
        .monthly_generations;
    const taken = await monthlyOf();
    await new MockActivityEnvironment({ attempt: 2 }).run(activities.illustration, step);
    expect(await monthlyOf()).toBe(taken);
    const rows = await database.db
      .selectFrom('generations')
      .select('status')
      .where('run_id', '=', ids.run)
      .where('node_id', '=', 'crashy')
      .execute();
    expect(rows).toEqual([{ status: 'completed' }]);
  });

  it("reserves a priced call's estimate against the run's budget once: a retry of the same call is not refused by its own reservation", async () => {
    const { ids, database, input } = env;
    await database.db
      .updateTable('runs')
      .set({ trigger: JSON.stringify({ kind: 'api', budgetUsd: 0.05 }) })
      .where('id', '=', ids.run)
      .execute();
    try {
      const call = (nodeId: string) => ({
        ...input(nodeId, {}, {}),
        type: 'image' as const,
        aiService: 'openai',
        model: 'dall-e-3',
        prompt: 'an owl',
        result: null,
        mediaId: null,
        parameters: {},
        processingMs: 0,
        tokensUsed: null,
        costUsd: 0,
      });
      expect(await env.deps.store.reserveGeneration(call('priced'), 0.04)).toBeUndefined();
      // The worker died during the call; the retry finds its reservation and takes nothing more.
      expect(await env.deps.store.reserveGeneration(call('priced'), 0.04)).toBeUndefined();
      // Another call of the same price would cross $0.05: refused, and nothing is recorded for it.
      expect(await env.deps.store.reserveGeneration(call('another'), 0.04)).toMatchObject({
        budget: 'run',
        limit: 0.05,
        spent: 0.04,
        message: expect.stringMatching(/^budget_exceeded: the next call \(estimated \$0\.04\) would cross this run's budget of \$0\.05/),
      });
      const rows = await database.db
        .selectFrom('generations')
        .select('node_id')
        .where('run_id', '=', ids.run)
        .where('node_id', 'in', ['priced', 'another'])
        .execute();
      expect(rows).toEqual([{ node_id: 'priced' }]);
    } finally {
      await database.db
        .updateTable('runs')
        .set({ trigger: JSON.stringify({ kind: 'api' }) })
        .where('id', '=', ids.run)
        .execute();
    }
  });
});
