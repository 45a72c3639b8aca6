import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = import.meta.dirname;

/** Every relative import (static, re-export, type-only or dynamic) of each source file, resolved to a file. */
function importGraph(dir: string): Map<string, string[]> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) files.push(path);
    }
  };
  walk(dir);
  const resolveImport = (from: string, spec: string) => {
    const base = resolve(dirname(from), spec);
    return [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')].find((p) => existsSync(p) && statSync(p).isFile());
  };
  const specifiers = /(?:import|export)[^'"]*?\sfrom\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  return new Map(
    files.map((file) => {
      const deps = [...readFileSync(file, 'utf8').matchAll(specifiers)].map((m) => resolveImport(file, m[1] ?? m[2]));
      return [file, deps.filter((d): d is string => d !== undefined && d.startsWith(dir))];
    }),
  );
}

/** Each import cycle once, as the chain of files (relative to root) that closes it. */
function importCycles(graph: Map<string, string[]>, root: string): string[] {
  const visiting: string[] = [];
  const done = new Set<string>();
  const cycles: string[] = [];
  const visit = (file: string) => {
    visiting.push(file);
    for (const dep of graph.get(file) ?? []) {
      const open = visiting.indexOf(dep);
      if (open >= 0) cycles.push([...visiting.slice(open), dep].map((f) => relative(root, f)).join(' → '));
      else if (!done.has(dep)) visit(dep);
    }
    visiting.pop();
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return cycles;
}

describe('studio imports', () => {
  it('run one way: no module imports itself back through another (screens never import App)', () => {
    const graph = importGraph(srcDir);
    expect(graph.get(join(srcDir, 'App.tsx'))).toContain(join(srcDir, 'screens', 'EditorScreen.tsx'));
    expect(importCycles(graph, srcDir)).toEqual([]);
  });
});
