/**
 * The project's import graph, read from the sources (no bundler needed): which files and packages a file imports,
 * and everything a process's entry point loads as it starts. Imports that compile away (`import type`, or named
 * imports that are all `type`) are told apart from those that load a module; `import()` is kept apart too, since
 * it loads only when that code runs.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

export const rootDir = resolve(import.meta.dirname, '..', '..');

export interface Import {
  specifier: string;
  /** Compiled away: it loads nothing. */
  typeOnly: boolean;
  /** `import('…')`: loads when that code runs, not when the file does. */
  dynamic: boolean;
  /** The project file it names (relative, with '/'), for relative specifiers. */
  file?: string;
  /** The npm package it names, for bare specifiers (built-ins excluded). */
  pkg?: string;
}

const STATIC = /^[ \t]*(import|export)\b([^;'"]*?)\bfrom\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
const BUILTINS = new Set(builtinModules);

/** `import type {…}`, `export type {…}`, or braces holding only `type X` members. */
function isTypeOnly(clause: string): boolean {
  const text = clause.trim();
  if (/^type\b/.test(text)) return true;
  const braces = text.match(/^\{([^}]*)\}$/);
  if (!braces) return false;
  const members = braces[1]
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  return members.length > 0 && members.every((m) => /^type\s/.test(m));
}

export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? undefined : name;
}

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.mjs', '.js'];

/** The project file a relative specifier names, as the TypeScript resolver here finds it ('.js' may mean '.ts'). */
export function resolveFile(fromFile: string, specifier: string): string | undefined {
  const base = resolve(rootDir, dirname(fromFile), specifier);
  const stem = base.replace(/\.(m?js)$/, '');
  const candidates = [base, ...EXTENSIONS.map((e) => stem + e), ...EXTENSIONS.map((e) => join(base, `index${e}`))];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return found && relative(rootDir, found).split(sep).join('/');
}

const cache = new Map<string, Import[]>();

/** What one project file (relative to the root) imports. */
export function importsOf(file: string): Import[] {
  const cached = cache.get(file);
  if (cached) return cached;
  const source = readFileSync(join(rootDir, file), 'utf8');
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean, dynamic: boolean) => {
    const local = specifier.startsWith('.');
    const target = local ? resolveFile(file, specifier) : undefined;
    if (local && !target) throw new Error(`${file}: cannot resolve import '${specifier}'`);
    found.push({ specifier, typeOnly, dynamic, file: target, pkg: packageOf(specifier) });
  };
  for (const m of source.matchAll(STATIC)) add(m[3], isTypeOnly(m[2]), false);
  for (const m of source.matchAll(SIDE_EFFECT)) add(m[1], false, false);
  for (const m of source.matchAll(DYNAMIC)) add(m[1], false, true);
  cache.set(file, found);
  return found;
}

/** Every source file (not a test) below the given folders, relative with '/'. */
export function sourceFiles(...folders: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(rootDir, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', 'fixtures'].includes(entry.name)) walk(path);
      } else if (/\.(ts|tsx|mts|mjs)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push(path);
      }
    }
  };
  for (const folder of folders) walk(folder);
  return files.sort();
}

/** The folder of an installed package that code in `fromDir` (absolute) gets. */
function packageDir(pkg: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export interface Reached {
  /** Project files loaded, each with the chain of imports that brought it in. */
  files: Map<string, string[]>;
  /**
   * Packages loaded, with how: the project files' own imports, then the packages those depend on (their
   * package.json `dependencies` and `optionalDependencies`, followed through, on the safe side: a declared
   * dependency counts as loaded).
   */
  packages: Map<string, string[]>;
}

/** Everything that starting `entry` loads before its first line runs: static, non-type imports, followed through. */
export function reachedFrom(entry: string): Reached {
  const files = new Map<string, string[]>([[entry, [entry]]]);
  const packages = new Map<string, string[]>();
  const pending: string[] = [entry];
  const pendingPackages: { pkg: string; dir: string; chain: string[] }[] = [];
  while (pending.length > 0) {
    const file = pending.shift()!;
    const chain = files.get(file)!;
    for (const imp of importsOf(file)) {
      if (imp.typeOnly || imp.dynamic) continue;
      if (imp.file && !files.has(imp.file)) {
        files.set(imp.file, [...chain, imp.file]);
        pending.push(imp.file);
      } else if (imp.pkg && !packages.has(imp.pkg)) {
        packages.set(imp.pkg, [...chain, imp.pkg]);
        pendingPackages.push({ pkg: imp.pkg, dir: join(rootDir, dirname(file)), chain: [...chain, imp.pkg] });
      }
    }
  }
  while (pendingPackages.length > 0) {
    const { pkg, dir, chain } = pendingPackages.shift()!;
    const found = packageDir(pkg, dir);
    if (!found) continue; // an optional dependency not installed here
    const manifest = JSON.parse(readFileSync(join(found, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      if (packages.has(dep)) continue;
      packages.set(dep, [...chain, dep]);
      pendingPackages.push({ pkg: dep, dir: found, chain: [...chain, dep] });
    }
  }
  return { files, packages };
}
