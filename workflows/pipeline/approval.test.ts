import { describe, expect, it } from 'vitest';
import { approvalEditProblem, decisionProblem } from './approval';
import { planFlow } from './flow';
import { validateGraph } from './validate';

const picture = { artifact: true, key: 'runs/r/art.png', mimeType: 'image/png', size: 10 };

describe('approval steps', () => {
  it('pass on the kind connected to them, a list whole (no run per item), so a mismatch downstream is found', () => {
    const graph = {
      nodes: [
        { id: 'topic', type: 'input', params: { name: 'topic' } },
        { id: 'scenes', type: 'split', params: {} },
        { id: 'check', type: 'approval', params: { instructions: 'Fine?' } },
        { id: 'voice', type: 'narration', params: {} },
      ],
      edges: [
        { source: 'topic', sourceHandle: 'value', target: 'scenes', targetHandle: 'text' },
        { source: 'scenes', sourceHandle: 'items', target: 'check', targetHandle: 'in' },
        { source: 'check', sourceHandle: 'out', target: 'voice', targetHandle: 'text' },
      ],
    };
    const valid = validateGraph(graph);
    expect(valid.problems).toEqual([]);
    const plan = planFlow(valid.graph!);
    expect(plan.fanOut.has('check')).toBe(false);
    expect(plan.outputKinds.get('check')!.get('out')).toBe('text[]');
    expect(plan.fanOut.get('voice')).toEqual(['text']); // once per scene, after one approval of them all

    const audioIntoPrompt = {
      nodes: [
        { id: 'topic', type: 'input', params: { name: 'topic' } },
        { id: 'voice', type: 'narration', params: {} },
        { id: 'check', type: 'approval', params: {} },
        { id: 'art', type: 'illustration', params: {} },
      ],
      edges: [
        { source: 'topic', sourceHandle: 'value', target: 'voice', targetHandle: 'text' },
        { source: 'voice', sourceHandle: 'audio', target: 'check', targetHandle: 'in' },
        { source: 'check', sourceHandle: 'out', target: 'art', targetHandle: 'prompt' },
      ],
    };
    expect(validateGraph(audioIntoPrompt).problems.map((p) => p.message)).toEqual([
      'Port type mismatch: check.out gives audio but art.prompt takes text',
    ]);
  });

  it('take an edited value of the kind waiting: text for text, texts for texts, never for media', () => {
    expect(approvalEditProblem('a text', 'an edit')).toBeNull();
    expect(approvalEditProblem('a text', 42)).toMatch(/must be text/);
    expect(approvalEditProblem(['a', 'b'], ['c'])).toBeNull();
    expect(approvalEditProblem(['a', 'b'], 'c')).toMatch(/list of texts/);
    expect(approvalEditProblem(picture, 'a text')).toMatch(/media can only be approved or rejected/);
    expect(approvalEditProblem({ mood: 'calm' }, { mood: 'bright', image: picture })).toMatch(/artifact references/);
    expect(approvalEditProblem('a text', 'x'.repeat(70_000))).toMatch(/at most 64 KB/);
    expect(decisionProblem('a text', { approve: false, value: 'edit' })).toBe('value: only an approval takes an edited value');
    expect(decisionProblem(picture, { approve: true })).toBeNull();
  });
});
