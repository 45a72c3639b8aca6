import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableTemplates } from '../studio/src/core/templates';
import { artifactUrl } from '../workflows/pipeline';
import { readEvents, registerUser, startStack, waitForRun, type Stack } from './support/stack';

const ffprobe = (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path;

describe('the illustrated-story template on the embedded defaults', () => {
  let stack: Stack;
  const dir = mkdtempSync(join(tmpdir(), 'storybook-run-'));
  beforeAll(async () => {
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a story in scenes, pictures and narrates each, and ends in a storybook and its video', { timeout: 600_000 }, async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    const template = availableTemplates((await client.get('/api/nodes')).body.nodes).find((t) => t.id === 'illustrated-story');
    expect(template, 'the template is offered').toBeDefined();
    const pipeline = await client.post('/api/pipelines', { name: 'Illustrated story', graph: template!.graph });
    expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(201);
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, {
      inputs: { topic: 'a lighthouse keeper who befriends a whale' },
    });
    expect(run.status).toBe(201);
    const reading = readEvents(stack.baseUrl, token, run.body.id, undefined, 590_000);
    const state = await waitForRun(client, run.body.id, 580_000);
    expect(state.status, JSON.stringify(state.nodes, null, 1)).toBe('succeeded');

    const scenes = state.nodes.scenes.output.items as string[];
    expect(scenes.length).toBeGreaterThanOrEqual(1);
    expect(scenes.length).toBeLessThanOrEqual(4);
    // One picture and one narration per scene, in scene order.
    expect(state.nodes.picture.output.image).toHaveLength(scenes.length);
    const narrations = state.nodes.narration.output.audio as { durationMs: number }[];
    expect(narrations).toHaveLength(scenes.length);

    const { book, video } = state.nodes.storybook.output;
    expect(book).toMatchObject({ artifact: true, mimeType: 'text/html; charset=utf-8' });
    const spoken = narrations.reduce((ms, n) => ms + n.durationMs, 0) + (scenes.length - 1) * 500;
    expect(Math.abs(video.durationMs - spoken)).toBeLessThan(100);
    const get = (path: string) => fetch(stack.baseUrl + path, { headers: { authorization: `Bearer ${token}` } });

    const html = await (await get(artifactUrl(book))).text();
    expect(html.match(/<section class="scene"/g)).toHaveLength(scenes.length);
    expect(html.match(/<img src="data:image\/(png|jpeg);base64,/g)).toHaveLength(scenes.length);
    expect(html).toContain('<audio id="narration"');

    // The published copies: the book shows in place (sandboxed), the video plays.
    const bookMedia = state.nodes['save-book'].output.media;
    expect(bookMedia.mimeType).toBe('text/html');
    const served = await get(bookMedia.url);
    expect(served.headers.get('content-disposition')).toMatch(/^inline; filename="save-book\.html"/);
    expect(served.headers.get('content-security-policy')).toMatch(/sandbox allow-scripts$/);
    const videoMedia = state.nodes['save-video'].output.media;
    expect(videoMedia.mimeType).toBe('video/mp4');
    writeFileSync(join(dir, 'story.mp4'), Buffer.from(await (await get(videoMedia.url)).arrayBuffer()));
    const { stdout } = await promisify(execFile)(ffprobe, ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', 'story.mp4'], {
      cwd: dir,
    });
    const probed = JSON.parse(stdout) as { streams: { codec_type: string; codec_name: string }[]; format: { duration: string } };
    expect(probed.streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(expect.arrayContaining(['video:h264', 'audio:aac']));
    expect(Math.abs(Number(probed.format.duration) * 1000 - spoken)).toBeLessThan(500);

    // Long steps said what they were doing as they did it.
    const progress = (await reading).filter((e) => e.data.type === 'node.progress').map((e) => e.data);
    expect(progress.some((p) => p.nodeId === 'narration' && /^sentence 1 of \d+$/.test(p.message ?? ''))).toBe(true);
    expect(progress.some((p) => p.nodeId === 'storybook' && (p.message ?? '').startsWith('Encoding the video'))).toBe(true);
  });
});
