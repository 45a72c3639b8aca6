import { describe, expect, it } from 'vitest';
import { catalog } from './catalog';
import { fillTemplate, placeholders } from './template';

describe('template', () => {
  it('lists distinct placeholders in order, tolerating spaces', () => {
    expect(placeholders('{{a}} and {{ b }} and {{a}} and {{ not valid }}')).toEqual(['a', 'b']);
  });

  it('fills strings as-is, other values as JSON, missing names left in place', () => {
    expect(fillTemplate('{{name}} has {{n}} {{things}}; {{unknown}}', { name: 'Ada', n: 3, things: ['x'] })).toBe(
      'Ada has 3 ["x"]; {{unknown}}',
    );
  });

  it('fills null with nothing and does not re-expand filled values', () => {
    expect(fillTemplate('[{{a}}][{{b}}]', { a: null, b: '{{a}}' })).toBe('[][{{a}}]');
  });

  it('exposes one input handle per placeholder and fills them when run', () => {
    const template = catalog.get('template')!;
    const params = template.params.parse({ template: 'Dear {{who}}, {{what}}' });
    expect(template.inputs(params).map((p) => p.handle)).toEqual(['who', 'what']);
    const execution = template.execution;
    if (execution.mode !== 'inline') throw new Error('template runs inline');
    expect(execution.run(params, { who: 'Bo', what: 'hi' }, { pipelineInputs: {} })).toEqual({ text: 'Dear Bo, hi' });
  });
});
