/**
 * Which vitest project each test file belongs to. vitest.config.ts builds its projects from this, and any
 * vitest run refuses to start while a test file is in no project.
 *
 * - unit: pure code. Starts no Temporal server, database, Redis, S3 server, model or browser; runs in
 *   parallel, in seconds (`npm run test:unit`).
 * - integration: the real parts (Temporal dev server, PostgreSQL, Redis, moto S3, local models); one file at
 *   a time, since files start servers.
 * - browser: the studio in headless Chromium against the whole stack; one file at a time.
 *
 * An entry ending in '/' holds every test file below that folder, any other entry is one file; the longest
 * entry that matches a file decides its project. Folders default to integration (the safe side: slower,
 * never wrong), and pure folders and files are listed under unit.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const TEST_PROJECTS = {
  unit: [
    'workflows/pipeline/',
    'studio/src/',
    'activities/providers/audio/',
    'activities/providers/cloud/',
    'activities/providers/servers/',
    'activities/providers/local/sketch.test.ts',
    'activities/providers/local/sketch.golden.test.ts',
    'activities/providers/local/threads/modelThread.test.ts',
    'activities/storybook/timeline.test.ts',
    'infra/worker.test.ts',
    'activities/runEnd.test.ts',
    'infra/config.test.ts',
    'infra/providerProbe.test.ts',
    'test/importCycles.test.ts',
    'test/projects.test.ts',
    'api/scopes.test.ts',
    'infra/redact.test.ts',
    'infra/log.test.ts',
    'test/imports.test.ts',
    'workflows/replay.test.ts',
    'api/services/scheduleSummary.test.ts',
    'api/services/rerunPlan.test.ts',
    'infra/scheduleIds.test.ts',
    'api/zipStream.test.ts',
    'activities/storyWriting.test.ts',
    'infra/localModels.test.ts',
    'infra/estimate.test.ts',
    'api/routes/studio.test.ts',
    'infra/workflowBundle.test.ts',
  ],
  integration: ['workflows/', 'activities/', 'api/', 'infra/', 'test/'],
  browser: ['test/studio/'],
} as const satisfies Record<string, readonly string[]>;

export type TestProjectName = keyof typeof TEST_PROJECTS;

const TEST_FILE = /\.test\.tsx?$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'data']);

/** Every test file under root (relative, with '/'), outside installs, build output and data. */
export function findTestFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (TEST_FILE.test(entry.name)) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return found.sort();
}

/** The project of a test file (relative path with '/'), or undefined when no entry matches it. */
export function projectOf(file: string, projects: Record<string, readonly string[]> = TEST_PROJECTS): string | undefined {
  let best: { project: string; entry: string } | undefined;
  for (const [project, entries] of Object.entries(projects)) {
    for (const entry of entries) {
      const matches = entry.endsWith('/') ? file.startsWith(entry) : file === entry;
      if (matches && (!best || entry.length > best.entry.length)) best = { project, entry };
    }
  }
  return best?.project;
}

/**
 * Sorts test files into projects. Throws, naming them, on a test file in no project, an entry listed twice,
 * and an entry that no longer matches any test file (it was moved or deleted).
 */
export function classifyTestFiles(files: string[], projects: Record<string, readonly string[]> = TEST_PROJECTS): Record<string, string[]> {
  const problems: string[] = [];
  const entries = Object.values(projects).flat();
  for (const entry of new Set(entries.filter((e, i) => entries.indexOf(e) !== i))) problems.push(`'${entry}' is listed more than once`);
  for (const entry of entries) {
    if (!files.some((f) => (entry.endsWith('/') ? f.startsWith(entry) : f === entry))) problems.push(`'${entry}' matches no test file`);
  }
  const byProject: Record<string, string[]> = Object.fromEntries(Object.keys(projects).map((p) => [p, []]));
  for (const file of files) {
    const project = projectOf(file, projects);
    if (project) byProject[project].push(file);
    else problems.push(`${file} is in no test project`);
  }
  if (problems.length) {
    throw new Error(
      `Test projects (test/projects.ts) need an update:\n  ${problems.join('\n  ')}\nAdd each test file or its folder to unit, integration or browser there.`,
    );
  }
  return byProject;
}

/**
 * Called by the test helpers that start servers, models or browsers: a unit test that reaches one belongs
 * in integration. vitest.config.ts sets TEST_PROJECT for each project.
 */
export function refuseInUnitTests(what: string): void {
  if (process.env.TEST_PROJECT === 'unit') {
    throw new Error(`A unit test may not start ${what}: move this test file to integration in test/projects.ts`);
  }
}
