import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRAPH_SCHEMA_VERSION } from './graph';
import { migrateGraph, MIGRATIONS, schemaVersionOf } from './migrate';
import { validateGraph } from './validate';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'graphs');
/** Every stored-graph fixture: `v<schemaVersion>[-what].json`, one or more per past and current version. */
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, version: Number(/^v(\d+)/.exec(file)![1]), stored: JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) }));

describe('migrateGraph', () => {
  it('has a fixture and (below the current one) a migration for every schema version', () => {
    for (let version = 0; version <= GRAPH_SCHEMA_VERSION; version++) {
      expect(
        fixtures.some((f) => f.version === version),
        `a fixtures/graphs/v${version}*.json`,
      ).toBe(true);
      if (version < GRAPH_SCHEMA_VERSION) expect(MIGRATIONS[version], `MIGRATIONS[${version}]`).toBeTypeOf('function');
    }
  });

  it.each(fixtures)('upgrades $file to a valid graph of the current schema version', ({ stored, version }) => {
    expect(schemaVersionOf(stored)).toBe(version);
    const migrated = migrateGraph(structuredClone(stored)) as Record<string, unknown>;
    expect(migrated.schemaVersion).toBe(GRAPH_SCHEMA_VERSION);
    const checked = validateGraph(migrated);
    expect(checked.problems).toEqual([]);
    // Nothing is lost on the way: the same nodes, wired the same way.
    expect(checked.graph!.nodes.map((n) => [n.id, n.type, n.position])).toEqual(
      (stored.nodes as { id: string; type: string; position?: unknown }[]).map((n) => [n.id, n.type, n.position]),
    );
    expect(checked.graph!.edges).toEqual(stored.edges ?? []);
  });

  it('gives a version-0 node without params empty params, and a graph without edges an empty list', () => {
    const v0 = fixtures.find((f) => f.file === 'v0-without-edges.json')!.stored;
    expect(migrateGraph(v0)).toEqual({ schemaVersion: 1, nodes: v0.nodes, edges: [] });
    expect((migrateGraph({ nodes: [{ id: 'a', type: 'upload' }] }) as { nodes: unknown[] }).nodes).toEqual([
      { id: 'a', type: 'upload', params: {} },
    ]);
  });

  it('leaves a current graph as it is (the same object)', () => {
    const current = fixtures.find((f) => f.version === GRAPH_SCHEMA_VERSION)!.stored;
    expect(migrateGraph(current)).toBe(current);
  });

  it('leaves what it cannot upgrade for validation to report: a future version, a non-object', () => {
    const future = { schemaVersion: GRAPH_SCHEMA_VERSION + 1, nodes: [], edges: [] };
    expect(migrateGraph(future)).toBe(future);
    expect(validateGraph(future).problems[0].message).toMatch(/^schemaVersion/);
    for (const odd of [null, 'graph', [1], { schemaVersion: 'one', nodes: [] }]) expect(migrateGraph(odd)).toBe(odd);
  });

  it('does not change the stored value it reads', () => {
    const stored = { nodes: [{ id: 'a', type: 'upload' }] };
    migrateGraph(stored);
    expect(stored).toEqual({ nodes: [{ id: 'a', type: 'upload' }] });
  });
});
