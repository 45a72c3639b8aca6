import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { classifyTestFiles, findTestFiles, type TestProjectName } from './test/projects.js';

const files = classifyTestFiles(findTestFiles(import.meta.dirname)) as Record<TestProjectName, string[]>;

/** Unit files run in parallel; the others start servers on a 2-core machine, so one file at a time, after unit. */
function project(name: TestProjectName, groupOrder: number, fileParallelism: boolean): TestProjectInlineConfiguration {
  return {
    test: {
      name,
      include: files[name],
      fileParallelism,
      sequence: { groupOrder },
      env: { TEST_PROJECT: name },
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
