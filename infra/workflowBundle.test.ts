import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workflowBundlePath, workflowSourcesHash } from './workflowBundle';

describe('the workflow bundle cache key', () => {
  const roots: string[] = [];
  afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

  function install(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'cf-bundle-'));
    roots.push(root);
    for (const [path, text] of Object.entries({ 'package-lock.json': '{"v":1}', ...files })) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  const sources = { 'workflows/index.ts': 'export * from "./run";', 'workflows/pipeline/graph.ts': 'export const a = 1;' };

  it('is the same for the same sources in another clone, so an unchanged bundle is reused', () => {
    expect(workflowSourcesHash(install(sources))).toBe(workflowSourcesHash(install(sources)));
  });

  it('changes when workflow code changes, anywhere below workflows/', () => {
    const before = workflowSourcesHash(install(sources));
    expect(workflowSourcesHash(install({ ...sources, 'workflows/pipeline/graph.ts': 'export const a = 2;' }))).not.toBe(before);
    expect(workflowSourcesHash(install({ ...sources, 'workflows/extra.ts': 'export {};' }))).not.toBe(before);
    // A file moved keeps its text but not its place in the bundle.
    expect(
      workflowSourcesHash(install({ 'workflows/index.ts': sources['workflows/index.ts'], 'workflows/graph.ts': 'export const a = 1;' })),
    ).not.toBe(before);
  });

  it('changes with the lockfile (webpack, the SDK), not with tests beside the workflows', () => {
    const before = workflowSourcesHash(install(sources));
    expect(workflowSourcesHash(install({ ...sources, 'package-lock.json': '{"v":2}' }))).not.toBe(before);
    expect(workflowSourcesHash(install({ ...sources, 'workflows/run.test.ts': 'it("x", () => {});' }))).toBe(before);
  });

  it('keeps the traced bundle (tracing interceptors inside) apart from the plain one', () => {
    const root = install(sources);
    expect(workflowBundlePath(root, true)).not.toBe(workflowBundlePath(root, false));
    expect(workflowBundlePath(root, false)).toBe(join(root, '.cache', 'workflow-bundle', `${workflowSourcesHash(root)}.js`));
  });
});
