import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, type ImportGraph } from '../../test/support/importGraph';

/**
 * The studio's layers, lowest first: a pure core (graph helpers, node factories, run state), infrastructure
 * in lib/ (API client, event stream, router, storage), presentational atoms in ui/, then features (every
 * other folder: editor/, run/, …) that never import one another, screens that compose features, and App.
 */
const srcDir = import.meta.dirname;
const BASE_LAYERS = ['core', 'lib', 'ui', 'screens'];
const features = () =>
  readdirSync(srcDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !BASE_LAYERS.includes(e.name))
    .map((e) => e.name);

/** The top folder of a file (`editor`), or `app` for the files at the top (App.tsx, main.tsx). */
function folderOf(file: string): string {
  const parts = relative(srcDir, file).split(sep);
  return parts.length > 1 ? parts[0] : 'app';
}

/** Every import of a file in folder `from` of a file in a folder that `allowed` refuses, as `importer → imported`. */
function importsBreaking(
  graph: ImportGraph,
  from: (folder: string) => boolean,
  allowed: (importer: string, imported: string) => boolean,
): string[] {
  const found: string[] = [];
  for (const [file, deps] of graph) {
    if (!from(folderOf(file))) continue;
    for (const dep of deps) if (!allowed(folderOf(file), folderOf(dep))) found.push(`${relative(srcDir, file)} → ${relative(srcDir, dep)}`);
  }
  return found.sort();
}

describe('studio imports', () => {
  const graph = importGraph([srcDir]);

  it('see the studio as it is: App lazy-loads the screens, the editor and run features exist', () => {
    expect(graph.get(join(srcDir, 'App.tsx'))).toContain(join(srcDir, 'screens', 'EditorScreen.tsx'));
    expect(features()).toEqual(expect.arrayContaining(['editor', 'run']));
  });

  it('run one way: no module imports itself back through another (screens never import App)', () => {
    expect(importCycles(graph, srcDir)).toEqual([]);
  });

  it('keep the core pure: core/ imports nothing of the studio but core/', () => {
    expect(
      importsBreaking(
        graph,
        (f) => f === 'core',
        (_, to) => to === 'core',
      ),
    ).toEqual([]);
  });

  it('keep lib/ and ui/ below the features: lib/ imports core/ and lib/, ui/ imports core/, lib/ and ui/', () => {
    expect(
      importsBreaking(
        graph,
        (f) => f === 'lib',
        (_, to) => to === 'core' || to === 'lib',
      ),
    ).toEqual([]);
    expect(
      importsBreaking(
        graph,
        (f) => f === 'ui',
        (_, to) => ['core', 'lib', 'ui'].includes(to),
      ),
    ).toEqual([]);
  });

  it('keep features apart: a feature imports core/, lib/, ui/ and itself, never another feature, a screen or App', () => {
    const isFeature = (f: string) => features().includes(f);
    expect(importsBreaking(graph, isFeature, (from, to) => ['core', 'lib', 'ui', from].includes(to))).toEqual([]);
  });

  it('let screens compose features, never import another screen or App', () => {
    const screens = [...graph.keys()].filter((f) => /^screens\/[^/]+Screen\.tsx$/.test(relative(srcDir, f).split(sep).join('/')));
    const found = [...graph].flatMap(([file, deps]) =>
      folderOf(file) === 'screens'
        ? deps.filter((d) => screens.includes(d) || folderOf(d) === 'app').map((d) => `${relative(srcDir, file)} → ${relative(srcDir, d)}`)
        : [],
    );
    expect(screens).toContain(join(srcDir, 'screens', 'RunScreen.tsx'));
    expect(found).toEqual([]);
  });
});
