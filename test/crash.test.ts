import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startStack, waitForRun, type Stack } from './support/stack';
import { startWorkerProcess } from './support/workerProcess';

describe('a worker killed mid-run', () => {
  let stack: Stack;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    stack = await startStack({ backends: 'servers', worker: false });
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await stack?.stop();
  });

  it('is replaced by a new worker and the run completes, each node once, with no duplicate media', async () => {
    const first = await startWorkerProcess(stack);
    workers.push(first);
    const { client } = await registerUser(stack.baseUrl);
    const pipeline = await client.post('/api/pipelines', {
      name: 'Crash me',
      graph: {
        nodes: [
          { id: 'text', type: 'input', params: { name: 'text' } },
          { id: 'publish-early', type: 'upload', params: {} },
          { id: 'wait', type: 'delay', params: { ms: 4000 } },
          { id: 'publish', type: 'upload', params: {} },
        ],
        edges: [
          { source: 'text', sourceHandle: 'value', target: 'publish-early', targetHandle: 'file' },
          { source: 'publish-early', sourceHandle: 'media', target: 'wait', targetHandle: 'in' },
          { source: 'wait', sourceHandle: 'out', target: 'publish', targetHandle: 'file' },
        ],
      },
    });
    const { body } = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { text: 'survives crashes' } });

    const deadline = Date.now() + 30_000;
    while ((await client.get(`/api/runs/${body.id}`)).body.nodes.wait.status !== 'running') {
      if (Date.now() > deadline) throw new Error('delay never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000));
    first.kill('SIGKILL');
    workers.push(await startWorkerProcess(stack));

    const run = await waitForRun(client, body.id, 90_000);
    expect(run.status).toBe('succeeded');
    expect(run.nodes.wait.attempts).toBe(2);
    expect(run.nodes.publish.output.media.mimeType).toBe('application/json');

    const { db } = stack.services;
    const events = await db.selectFrom('run_events').select(['data']).where('run_id', '=', body.id).execute();
    const succeeded = events
      .map((e) => (typeof e.data === 'string' ? JSON.parse(e.data) : e.data))
      .filter((e) => e.type === 'node.status' && e.state.status === 'succeeded')
      .map((e) => e.nodeId)
      .sort();
    expect(succeeded).toEqual(['publish', 'publish-early', 'text', 'wait']);
    const media = await db.selectFrom('media').select(['id', 'storage_key']).where('run_id', '=', body.id).execute();
    expect(media).toHaveLength(2);
    for (const m of media) expect(await stack.services.blobs.head(m.storage_key)).not.toBeNull();
  });
});
