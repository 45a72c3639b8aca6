import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyTestFiles, findTestFiles, projectOf, refuseInUnitTests, TEST_PROJECTS } from './projects';

const root = resolve(import.meta.dirname, '..');

describe('test projects', () => {
  it('put every test file of the repository in exactly one project, this one in unit', () => {
    const files = findTestFiles(root);
    const byProject = classifyTestFiles(files);
    expect(Object.values(byProject).flat().sort()).toEqual(files);
    expect(byProject.unit).toContain('test/projects.test.ts');
    expect(byProject.integration).toContain('workflows/runPipeline.test.ts');
    expect(byProject.browser).toContain('test/studio/studio.test.ts');
    expect(files.some((f) => f.startsWith('node_modules/') || f.startsWith('studio/dist/'))).toBe(false);
  });

  it('let the longest matching entry decide, so a folder default gives way to a listed file or subfolder', () => {
    expect(projectOf('workflows/runPipeline.test.ts')).toBe('integration');
    expect(projectOf('workflows/pipeline/validate.test.ts')).toBe('unit');
    expect(projectOf('test/pipeline.test.ts')).toBe('integration');
    expect(projectOf('test/studio/studio.test.ts')).toBe('browser');
    expect(projectOf('activities/providers/local/sketch.test.ts')).toBe('unit');
    expect(projectOf('activities/providers/local/text.test.ts')).toBe('integration');
    expect(projectOf('bench/speed.test.ts')).toBeUndefined();
  });

  it('refuse a test file in no project, an entry listed twice and an entry that matches nothing, naming each', () => {
    const projects = { unit: ['a/', 'gone.test.ts'], integration: ['b/', 'a/'] };
    expect(() => classifyTestFiles(['a/x.test.ts', 'b/y.test.ts', 'c/z.test.ts'], projects)).toThrow(
      /'a\/' is listed more than once[\s\S]*'gone.test.ts' matches no test file[\s\S]*c\/z.test.ts is in no test project/,
    );
    expect(classifyTestFiles(['a/x.test.ts', 'b/y.test.ts'], { unit: ['a/'], integration: ['b/'] })).toEqual({
      unit: ['a/x.test.ts'],
      integration: ['b/y.test.ts'],
    });
  });

  it('stop a unit test that starts a server, telling it to move to integration', () => {
    expect(process.env.TEST_PROJECT).toBe('unit');
    expect(() => refuseInUnitTests('a Temporal server')).toThrow(
      /A unit test may not start a Temporal server: move this test file to integration/,
    );
    expect(TEST_PROJECTS.integration).toContain('test/');
  });
});
