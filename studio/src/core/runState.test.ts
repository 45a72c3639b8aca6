import { describe, expect, it } from 'vitest';
import { createRunStore, mergeStreamText } from './runState';

describe('run view store', () => {
  it('applies node status, attempts and streamed text, and the final run status', () => {
    const s = createRunStore();
    s.getState().reset({ status: 'running', error: null, outputs: null, nodes: {} });
    const at = new Date().toISOString();
    s.getState().apply({
      seq: 1,
      type: 'node.status',
      at,
      nodeId: 'a',
      state: { status: 'running', attempts: 1, startedAt: at, finishedAt: null, output: null, error: null },
    });
    s.getState().apply({ type: 'node.progress', at, nodeId: 'a', text: 'Once' });
    s.getState().apply({ type: 'node.progress', at, nodeId: 'a', text: ' upon' });
    s.getState().apply({ type: 'node.attempt', at, nodeId: 'a', attempt: 2 });
    expect(s.getState().nodes.a).toMatchObject({ status: 'running', attempt: 2, streamText: 'Once upon' });
    s.getState().apply({
      seq: 2,
      type: 'node.status',
      at,
      nodeId: 'a',
      state: { status: 'succeeded', attempts: 2, startedAt: at, finishedAt: at, output: { text: 'Once upon a time' }, error: null },
    });
    s.getState().apply({ seq: 3, type: 'run.status', at, status: 'succeeded' });
    expect(s.getState().status).toBe('succeeded');
    expect(s.getState().nodes.a.output).toEqual({ text: 'Once upon a time' });
    expect(s.getState().lastSeq).toBe(3);
  });

  it('treats a cumulative text as a replacement and a chunk as an append', () => {
    expect(mergeStreamText('Once', 'Once upon')).toBe('Once upon');
    expect(mergeStreamText('Once', ' upon')).toBe('Once upon');
    expect(mergeStreamText(undefined, 'x')).toBe('x');
  });
});
