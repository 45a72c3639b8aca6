/**
 * The relative imports between TypeScript source files as a graph: for the tests that keep imports running one
 * way (no cycles, layers that never import the layers above them).
 */
import { join, relative, sep } from 'node:path';
import { importsOf, rootDir, sourceFiles } from './moduleGraph';

/** File → the files it imports, every path absolute. */
export type ImportGraph = Map<string, string[]>;

/**
 * The imports among the TypeScript source files (tests and declarations left out) below each of `dirs`, read
 * by moduleGraph's reader: static, side-effect, re-export, type-only and dynamic imports alike.
 */
export function importGraph(dirs: string[]): ImportGraph {
  const files = sourceFiles(...dirs.map((dir) => relative(rootDir, dir).split(sep).join('/'))).filter((file) => /\.tsx?$/.test(file));
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const deps = importsOf(file).flatMap((imported) => (imported.file && known.has(imported.file) ? [join(rootDir, imported.file)] : []));
      return [join(rootDir, file), [...new Set(deps)]];
    }),
  );
}

const shown = (root: string, file: string) => relative(root, file).split(sep).join('/');

/** Each import cycle once, as the chain of files (relative to root) that closes it. */
export function importCycles(graph: ImportGraph, root: string): string[] {
  const visiting: string[] = [];
  const done = new Set<string>();
  const cycles: string[] = [];
  const visit = (file: string) => {
    visiting.push(file);
    for (const dep of graph.get(file) ?? []) {
      const open = visiting.indexOf(dep);
      if (open >= 0) cycles.push([...visiting.slice(open), dep].map((f) => shown(root, f)).join(' → '));
      else if (!done.has(dep)) visit(dep);
    }
    visiting.pop();
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return cycles;
}
