import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startStack, waitForRun, type apiClient, type Stack } from './support/stack';
import { startWorkerProcess } from './support/workerProcess';

type Client = ReturnType<typeof apiClient>;

/** A topic, an approval step on it, and a template that uses what the approval let through. */
function approvalGraph(approvalParams: Record<string, unknown> = {}) {
  return {
    nodes: [
      { id: 'topic', type: 'input', params: { name: 'topic' } },
      { id: 'check', type: 'approval', params: { instructions: 'Is this topic fine?', ...approvalParams } },
      { id: 'final', type: 'template', params: { template: 'Final: {{text}}' } },
    ],
    edges: [
      { source: 'topic', sourceHandle: 'value', target: 'check', targetHandle: 'in' },
      { source: 'check', sourceHandle: 'out', target: 'final', targetHandle: 'text' },
    ],
  };
}

async function startRun(client: Client, approvalParams: Record<string, unknown> = {}, topic = 'otters'): Promise<string> {
  const pipeline = await client.post('/api/pipelines', { name: 'Approve me', graph: approvalGraph(approvalParams) });
  expect(pipeline.status).toBe(201);
  const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic } });
  expect(run.status).toBe(201);
  return run.body.id;
}

async function untilWaiting(client: Client, runId: string, nodeId = 'check') {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = (await client.get(`/api/runs/${runId}`)).body;
    if (run.nodes[nodeId].status === 'waiting') return run;
    if (Date.now() > deadline) throw new Error(`${nodeId} never waited: ${JSON.stringify(run.nodes[nodeId])}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const decide = (client: Client, runId: string, body: unknown, nodeId = 'check') =>
  client.post(`/api/runs/${runId}/nodes/${nodeId}/decision`, body);

describe('approval steps', () => {
  let stack: Stack;
  let client: Client;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    stack = await startStack({ backends: 'servers', worker: false });
    workers.push(await startWorkerProcess(stack));
    ({ client } = await registerUser(stack.baseUrl));
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await stack?.stop();
  });

  it('wait through a kill -9 of the worker, and an approval with an edited text sends the edit downstream', async () => {
    const runId = await startRun(client);
    const waiting = await untilWaiting(client, runId);
    expect(waiting.status).toBe('running');
    expect(waiting.nodes.check.output).toEqual({ out: 'otters' });
    expect(waiting.nodes.final.status).toBe('queued');
    const listed = await client.get('/api/runs?waiting=true');
    expect(listed.body.runs.map((r: { id: string }) => r.id)).toEqual([runId]);

    workers[0].kill('SIGKILL');
    workers.push(await startWorkerProcess(stack));

    const answer = await decide(client, runId, { approve: true, value: 'sea otters, edited', comment: 'better' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id: runId, nodeId: 'check', decision: 'approved' });
    const run = await waitForRun(client, runId);
    expect(run.status).toBe('succeeded');
    expect(run.nodes.check.output).toEqual({ out: 'sea otters, edited' });
    expect(run.outputs.final).toEqual({ text: 'Final: sea otters, edited' });
    expect((await client.get('/api/runs?waiting=true')).body.runs).toEqual([]);

    const again = await decide(client, runId, { approve: false });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/not waiting.*succeeded/);
  });

  it('a rejection fails the step and the run with the comment, and nothing downstream runs', async () => {
    const runId = await startRun(client);
    await untilWaiting(client, runId);
    const answer = await decide(client, runId, { approve: false, comment: 'Wrong animal' });
    expect(answer.body.decision).toBe('rejected');
    const run = await waitForRun(client, runId);
    expect(run.status).toBe('failed');
    expect(run.error).toBe("Node 'check' failed: Rejected: Wrong animal");
    expect(run.nodes.check).toMatchObject({ status: 'failed', output: null, error: 'Rejected: Wrong animal' });
    expect(run.nodes.final.status).not.toBe('succeeded');
  });

  it('decide by themselves when the time is up: onTimeout approve lets the input through, reject fails the run', async () => {
    const approving = await startRun(client, { timeoutMinutes: 0.02, onTimeout: 'approve' });
    const rejecting = await startRun(client, { timeoutMinutes: 0.02, onTimeout: 'reject' });
    const [approved, rejected] = await Promise.all([waitForRun(client, approving), waitForRun(client, rejecting)]);
    expect(approved.status).toBe('succeeded');
    expect(approved.outputs.final).toEqual({ text: 'Final: otters' });
    expect(rejected.status).toBe('failed');
    expect(rejected.error).toBe("Node 'check' failed: Rejected: no decision in time");
  });

  it("refuse decisions on another user's run (404), on a step that is not waiting or not an approval (409), and bad values (400)", async () => {
    const runId = await startRun(client);
    await untilWaiting(client, runId);

    const stranger = (await registerUser(stack.baseUrl)).client;
    const foreign = await decide(stranger, runId, { approve: true });
    expect(foreign.status).toBe(404);

    const notApproval = await decide(client, runId, { approve: true }, 'final');
    expect(notApproval.status).toBe(409);
    expect(notApproval.body.message).toMatch(/not an approval step/);
    expect((await decide(client, runId, { approve: true }, 'nobody')).status).toBe(404);

    const notText = await decide(client, runId, { approve: true, value: 42 });
    expect(notText.status).toBe(400);
    expect(notText.body.message).toMatch(/value: must be text/);
    const noFlag = await decide(client, runId, { value: 'x' });
    expect(noFlag.status).toBe(400);
    expect(noFlag.body.message).toMatch(/approve/);

    // Still waiting after all that: the refused requests changed nothing.
    expect((await client.get(`/api/runs/${runId}`)).body.nodes.check.status).toBe('waiting');
    expect((await decide(client, runId, { approve: true })).status).toBe(200);
    const run = await waitForRun(client, runId);
    expect(run.outputs.final).toEqual({ text: 'Final: otters' });
  });
});
