import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { classifyTestFiles, findTestFiles, type TestProjectName } from './test/projects.js';

const files = classifyTestFiles(findTestFiles(import.meta.dirname)) as Record<TestProjectName, string[]>;
/**
 * Tests run the local text steps on the small packaged model (infra/models/text.json), whatever the default is, so
 * that they do not all pay for a large default; activities/stories.test.ts and the provider's tests use the default.
 */
const testTextModel = join(
  import.meta.dirname,
  '.cache',
  'models',
  (JSON.parse(readFileSync(join(import.meta.dirname, 'infra', 'models', 'text.json'), 'utf8')) as { file: string }).file,
);

/** Unit files run in parallel; the others start servers on a 2-core machine, so one file at a time, after unit. */
function project(name: TestProjectName, groupOrder: number, fileParallelism: boolean): TestProjectInlineConfiguration {
  return {
    test: {
      name,
      include: files[name],
      fileParallelism,
      sequence: { groupOrder },
      env: { TEST_PROJECT: name, LOCAL_TEXT_MODEL: testTextModel },
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  };
}

export default defineConfig({
  test: {
    projects: [project('unit', 0, true), project('integration', 1, false), project('browser', 2, false)],
  },
});
