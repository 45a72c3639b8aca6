import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdOf } from '../api/services/runs';
import { workflowBundle } from '../infra/worker';
import { artifactUrl, type ArtifactRef } from '../workflows/pipeline';
import { edge } from './support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from './support/stack';

describe('large node outputs', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(() => stack?.stop());
  const runIds: string[] = [];

  async function download(token: string, path: string): Promise<string> {
    const res = await fetch(stack.baseUrl + path, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, path).toBe(200);
    return res.text();
  }

  it('carries a 3 MB template output as an artifact: the run ends quickly, uploads publish every byte, downstream steps read it', async () => {
    const { client, token } = await registerUser(stack.baseUrl);
    const paragraph = `${'word '.repeat(60_000).trim()}\n\n`; // 300 KB
    const graph = {
      nodes: [
        { id: 'a', type: 'input', params: { name: 'a' } },
        { id: 'big', type: 'template', params: { template: '{{a}}'.repeat(10) } },
        { id: 'publish', type: 'upload', params: {} },
        { id: 'tail', type: 'template', params: { template: '{{t}}!' } },
        { id: 'parts', type: 'split', params: { by: 'paragraphs' } },
        { id: 'caption', type: 'template', params: { template: 'Part: {{p}}' } },
        { id: 'joined', type: 'join', params: { separator: '\n' } },
        { id: 'publishJoined', type: 'upload', params: {} },
      ],
      edges: [
        edge('a', 'value', 'big', 'a'),
        edge('big', 'text', 'publish', 'file'),
        edge('big', 'text', 'tail', 't'),
        edge('big', 'text', 'parts', 'text'),
        edge('parts', 'items', 'caption', 'p'),
        edge('caption', 'text', 'joined', 'items'),
        edge('joined', 'text', 'publishJoined', 'file'),
      ],
    };
    const pipeline = await client.post('/api/pipelines', { name: 'Big text', graph });
    expect(pipeline.status).toBe(201);
    const started = Date.now();
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { a: paragraph } });
    expect(run.status).toBe(201);
    runIds.push(run.body.id);
    const state = await waitForRun(client, run.body.id, 90_000);
    expect(state.status, JSON.stringify(state.error)).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(90_000);

    const expected = paragraph.repeat(10);
    const big = state.nodes.big.output.text as ArtifactRef;
    expect(big).toEqual({
      artifact: true,
      key: `runs/${run.body.id}/big/0.text.txt`,
      mimeType: 'text/plain',
      size: Buffer.byteLength(expected),
    });
    expect(state.nodes.a.output.value).toMatchObject({ artifact: true, mimeType: 'text/plain', size: paragraph.length });
    expect(await download(token, artifactUrl(big))).toBe(expected);

    // Upload copies the stored bytes into the owner's media library.
    const media = state.nodes.publish.output.media;
    expect(media).toMatchObject({ mimeType: 'text/plain', size: expected.length });
    expect(await download(token, media.url)).toBe(expected);

    // Inline steps downstream read the artifact back and store what is still too big.
    const tail = state.nodes.tail.output.text as ArtifactRef;
    expect(tail).toMatchObject({ artifact: true, mimeType: 'text/plain', size: expected.length + 1 });
    expect(await download(token, artifactUrl(tail))).toBe(`${expected}!`);
    const items = state.nodes.parts.output.items as ArtifactRef[];
    expect(items).toHaveLength(10);
    expect(items.every((item) => item.artifact && item.key.startsWith(`runs/${run.body.id}/parts/0.items.`))).toBe(true);
    expect(state.nodes.caption.output.text).toHaveLength(10);
    const joined = state.nodes.publishJoined.output.media;
    const part = paragraph.trim();
    expect(await download(token, joined.url)).toBe(Array.from({ length: 10 }, () => `Part: ${part}`).join('\n'));

    // What the run's nodes record stays small: every output is a value under the limit or a ref.
    expect(JSON.stringify(state.nodes).length).toBeLessThan(64 * 1024);
    expect((await client.get('/api/media')).body.media.map((m: { size: number }) => m.size).sort()).toEqual(
      [expected.length, 10 * `Part: ${part}`.length + 9].sort(),
    );
  }, 120_000);

  it('fails a node whose inputs are too big to hand to a step, with a clear error, and the run ends failed', async () => {
    const { client } = await registerUser(stack.baseUrl);
    const handles = Array.from({ length: 40 }, (_, i) => `a${i}`);
    const graph = {
      nodes: [
        { id: 'a', type: 'input', params: { name: 'a' } },
        { id: 'many', type: 'template', params: { template: handles.map((h) => `{{${h}}}`).join('') } },
        { id: 'publish', type: 'upload', params: {} },
      ],
      edges: [...handles.map((h) => edge('a', 'value', 'many', h)), edge('many', 'text', 'publish', 'file')],
    };
    const pipeline = await client.post('/api/pipelines', { name: 'Too many big inputs', graph });
    expect(pipeline.status).toBe(201);
    // 60 KB travels inline; forty of them together (2.4 MB) can't be handed to one step.
    const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { a: 'x'.repeat(60 * 1024) } });
    runIds.push(run.body.id);
    const state = await waitForRun(client, run.body.id, 60_000);
    expect(state.status).toBe('failed');
    expect(state.nodes.many.status).toBe('failed');
    expect(state.nodes.many.error).toMatch(/^Its inputs are too big to hand to a step: 2\d{3} KB together, at most 1536 KB/);
    expect(state.error).toMatch(/^Node 'many' failed: Its inputs are too big/);
    expect(state.nodes.publish).toMatchObject({ status: 'failed', error: "Upstream node 'many' failed" });
  }, 90_000);

  it('replays the histories of these runs deterministically', async () => {
    expect(runIds).toHaveLength(2);
    const histories = await Promise.all(
      runIds.map(async (runId) => ({
        workflowId: workflowIdOf(runId),
        history: await stack.services.temporal.workflow.getHandle(workflowIdOf(runId)).fetchHistory(),
      })),
    );
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
