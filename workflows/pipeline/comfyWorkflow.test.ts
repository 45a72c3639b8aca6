import { describe, expect, it } from 'vitest';
import { illustrationNode } from './catalog';
import { fillComfyWorkflow, parseComfyWorkflow } from './comfyWorkflow';

const marked = {
  '1': { class_type: 'CLIPTextEncode', inputs: { text: 'masterpiece, {{ prompt }}, {{negative}}', clip: ['4', 1] } },
  '2': { class_type: 'KSampler', inputs: { seed: '{{seed}}', steps: '{{steps}}', cfg: 7, sampler_name: '{{sampler}}' } },
  '3': { class_type: 'EmptyLatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: 1 } },
};

describe('ComfyUI workflows with marked fields', () => {
  it('fill a value that is only a placeholder with the value itself and a placeholder in text with its text', () => {
    const graph = fillComfyWorkflow(marked, {
      prompt: 'a fox',
      negative: 'blurry',
      seed: 7,
      width: 512,
      height: 768,
      steps: 20,
      model: 'm',
      sampler: 'euler',
    });
    expect(graph['1'].inputs).toEqual({ text: 'masterpiece, a fox, blurry', clip: ['4', 1] });
    expect(graph['2'].inputs).toEqual({ seed: 7, steps: 20, cfg: 7, sampler_name: 'euler' });
    expect(graph['3'].inputs).toEqual({ width: 512, height: 768, batch_size: 1 });
    expect(marked['2'].inputs.seed).toBe('{{seed}}'); // the template itself is left as it was
  });

  it('refuse what a step could not run, saying what to do', () => {
    const problem = (text: string) => (parseComfyWorkflow(text) as { problem?: string }).problem;
    expect(problem(JSON.stringify(marked))).toBeUndefined();
    expect(problem('{not json')).toMatch(/Export \(API\)/);
    expect(problem('[]')).toMatch(/API format/);
    expect(problem(JSON.stringify({ nodes: [], links: [] }))).toMatch(/not the regular save/);
    expect(problem(JSON.stringify({ '1': { class_type: 'CLIPTextEncode', inputs: { text: 'fixed' } } }))).toMatch(/\{\{prompt\}\}/);
    expect(problem(JSON.stringify({ '1': { class_type: 'X', inputs: { text: '{{prompt}} {{cfg}}' } } }))).toMatch(
      /unknown placeholder \{\{cfg\}\}/,
    );
  });

  it("are checked by the illustration node's params", () => {
    expect(illustrationNode.params.safeParse({ provider: 'comfyui', workflow: JSON.stringify(marked) }).success).toBe(true);
    const refused = illustrationNode.params.safeParse({ provider: 'comfyui', workflow: '{}' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0].path).toEqual(['workflow']);
  });
});
