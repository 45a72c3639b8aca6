import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChannel } from '../infra/bus/common';
import { createActivityTestEnv, type ActivityTestEnv } from '../test/support/activityEnv';
import type { LiveEvent } from '../workflows/pipeline';
import type { ActivityInput, ActivityResult } from './contract';
import { wavDuration } from './providers/audio/wav';

type Progress = Extract<LiveEvent, { type: 'node.progress' }>;

describe('live progress of long steps, and the storybook step', () => {
  let env: ActivityTestEnv;
  const events: Progress[] = [];
  beforeAll(async () => {
    env = await createActivityTestEnv();
    await env.deps.bus.subscribe(runChannel(env.ids.run), (event) => {
      if ((event as LiveEvent).type === 'node.progress') events.push(event as Progress);
    });
  });
  afterAll(() => env?.close());
  const of = (nodeId: string) => events.filter((e) => e.nodeId === nodeId);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  // Seven sentences over two requests to the voice (a request holds up to 400 characters).
  const TEXT =
    'The lighthouse stood on a rock at the edge of the sea. Every night its keeper climbed the stairs to light the lamp. ' +
    'One evening a whale swam close to the rocks. It sang a long, low song that shook the windows of the tower. ' +
    'The keeper had never heard anything so beautiful in all his years by the sea. He sang back, as well as he could, into the wind and the spray. ' +
    'From that night on, the whale came back every evening at dusk.';

  it('narration says which sentence it is reading, one at a time and in order, then that all are read', { timeout: 120_000 }, async () => {
    await new MockActivityEnvironment().run(env.activities.narration, env.input('reader', { text: TEXT }, { provider: 'local' }));
    await settle();
    const messages = of('reader').map((e) => e.message);
    expect(messages).toEqual([...Array.from({ length: 7 }, (_, i) => `sentence ${i + 1} of 7`), '7 of 7 sentences read']);
    const fractions = of('reader').map((e) => e.fraction!);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
  });

  it('narration keeps the pause asked for between sentences', { timeout: 120_000 }, async () => {
    const text = 'The whale sang. The keeper listened. The sea was calm.';
    const read = async (nodeId: string, pauseMs: number) => {
      const result: ActivityResult = await new MockActivityEnvironment().run(
        env.activities.narration,
        env.input(nodeId, { text }, { provider: 'local', pauseMs }),
      );
      const ref = result.output.audio as { key: string; durationMs: number };
      expect(wavDuration((await env.blobs.get(ref.key))!.body) * 1000).toBeCloseTo(ref.durationMs, -1);
      return ref.durationMs;
    };
    const [tight, slow] = [await read('tight', 0), await read('slow', 1000)];
    // Two pauses between three sentences.
    expect(slow - tight).toBeGreaterThan(1800);
    expect(slow - tight).toBeLessThan(2200);
  });

  it('a step that says nothing for a second is said to be doing its work, with the time it has taken', { timeout: 20_000 }, async () => {
    await new MockActivityEnvironment().run(env.activities.delay, env.input('pause', { in: 'x' }, { ms: 2500 }));
    await settle();
    expect(of('pause').map((e) => e.message)).toEqual(['Waiting · 1 s', 'Waiting · 2 s']);
    // A quick step says nothing extra.
    await new MockActivityEnvironment().run(env.activities.delay, env.input('blink', { in: 'x' }, { ms: 100 }));
    await settle();
    expect(of('blink')).toEqual([]);
  });

  it('storybook: a book and a video from per-scene pictures and narrations, the same keys on a retry', { timeout: 180_000 }, async () => {
    const scenes = ['A keeper lit the lamp.', 'A whale sang by the rocks.'];
    const step = (activity: (input: ActivityInput) => Promise<ActivityResult>, input: ActivityInput): Promise<ActivityResult> =>
      new MockActivityEnvironment().run(activity, input);
    const pictures = await Promise.all(
      scenes.map((prompt, i) => step(env.activities.illustration, env.input('art', { prompt }, { size: '256x256', steps: 4 }, i))),
    );
    const voices = await Promise.all(scenes.map((text, i) => step(env.activities.narration, env.input('voice', { text }, {}, i))));
    const input = env.input(
      'book',
      { title: 'The keeper', scenes, images: pictures.map((p) => p.output.image), narration: voices.map((v) => v.output.audio) },
      { width: 320, height: 240 },
    );
    const first: ActivityResult = await new MockActivityEnvironment().run(env.activities.storybook, input);
    expect(first.output).toMatchObject({
      book: { key: `runs/${env.ids.run}/book/0.html`, mimeType: 'text/html; charset=utf-8' },
      video: { key: `runs/${env.ids.run}/book/0.mp4`, mimeType: 'video/mp4', width: 320, height: 240 },
      subtitles: { key: `runs/${env.ids.run}/book/0.vtt` },
    });
    const narrated = voices.reduce((ms, v) => ms + (v.output.audio as { durationMs: number }).durationMs, 0) + 500;
    expect(Math.abs((first.output.video as { durationMs: number }).durationMs - narrated)).toBeLessThan(50);
    const html = (await env.blobs.get(`runs/${env.ids.run}/book/0.html`))!.body.toString('utf8');
    expect(html).toContain('<h1>The keeper</h1>');
    expect(html.match(/<img src="data:image\/(png|jpeg);base64,/g)).toHaveLength(2);
    expect(html).toContain('<audio id="narration"');

    const retried: ActivityResult = await new MockActivityEnvironment({ attempt: 2 }).run(env.activities.storybook, input);
    expect(retried.output).toEqual(first.output);
    await settle();
    const progress = of('book');
    expect(progress.some((e) => e.message?.startsWith('Encoding the video'))).toBe(true);
    expect(progress.at(-1)).toMatchObject({ fraction: 1, message: 'Book and video ready' });

    const noVideo: ActivityResult = await new MockActivityEnvironment().run(env.activities.storybook, {
      ...input,
      nodeId: 'leaflet',
      params: { video: false },
    });
    expect(Object.keys(noVideo.output)).toEqual(['book']);
  });

  it('storybook refuses a story without text, and narrations that do not match the scenes, without retrying', async () => {
    await expect(new MockActivityEnvironment().run(env.activities.storybook, env.input('empty', {}))).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining("connect 'text' or 'scenes'"),
    });
    const audio = { artifact: true, key: `runs/${env.ids.run}/voice/0.wav`, mimeType: 'audio/wav', size: 10 };
    await expect(
      new MockActivityEnvironment().run(env.activities.storybook, env.input('odd', { scenes: ['a', 'b', 'c'], narration: [audio, audio] })),
    ).rejects.toMatchObject({ nonRetryable: true, message: expect.stringContaining('2 audio files for 3 scenes') });
  });
});
