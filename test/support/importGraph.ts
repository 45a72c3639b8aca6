/**
 * The relative imports between TypeScript source files, read from the text (no compiler): for the tests that
 * keep imports running one way (no cycles, layers that never import the layers above them).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** File → the files it imports, every path absolute. */
export type ImportGraph = Map<string, string[]>;

const SOURCE = /\.tsx?$/;
const NOT_SOURCE = /\.(test|d)\.tsx?$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'data']);

/** Static, side-effect, re-export, type-only and dynamic imports of a relative path. */
const SPECIFIERS =
  /\b(?:import|export)\b[^'"`;]*?\sfrom\s*['"](\.[^'"]+)['"]|\bimport\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(path));
    else if (SOURCE.test(entry.name) && !NOT_SOURCE.test(entry.name)) found.push(path);
  }
  return found;
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(js|jsx|mjs)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
  return candidates.find((p) => existsSync(p) && statSync(p).isFile());
}

/** The imports among the source files (tests and declarations left out) below each of `dirs`. */
export function importGraph(dirs: string[]): ImportGraph {
  const files = dirs.flatMap(sourceFiles);
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const deps = [...readFileSync(file, 'utf8').matchAll(SPECIFIERS)].map((m) => resolveImport(file, m[1] ?? m[2] ?? m[3]));
      return [file, [...new Set(deps.filter((d): d is string => d !== undefined && known.has(d)))]];
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
