import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from './support/importGraph';

const root = join(import.meta.dirname, '..');
const SERVER_DIRS = ['activities', 'api', 'infra', 'workflows'];

describe('server imports', () => {
  it('form no cycle: no module of activities/, api/, infra/ or workflows/ imports itself back through another', () => {
    const graph = importGraph(SERVER_DIRS.map((d) => join(root, d)));
    // The walk reads real imports (a re-export, a type-only import), across the folders too.
    expect(graph.get(join(root, 'workflows', 'pipeline', 'index.ts'))).toContain(join(root, 'workflows', 'pipeline', 'graph.ts'));
    expect(graph.get(join(root, 'activities', 'providers', 'local', 'sketch', 'styles.ts'))).toContain(
      join(root, 'activities', 'providers', 'local', 'sketch', 'painter.ts'),
    );
    expect(graph.get(join(root, 'api', 'schemas.ts'))).toContain(join(root, 'workflows', 'pipeline', 'reports.ts'));
    expect(importCycles(graph, root)).toEqual([]);
  });
});
