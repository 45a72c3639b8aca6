import { GRAPH_SCHEMA_VERSION } from './graph';

/**
 * Upgrades of stored graphs, one per schema version: `MIGRATIONS[n]` turns a version-n graph into version n+1.
 * Graphs saved before `schemaVersion` existed are version 0. Bumping GRAPH_SCHEMA_VERSION needs a migration
 * here and a fixture of the old shape in fixtures/graphs/ (migrate.test.ts checks both).
 */
export const MIGRATIONS: Record<number, (graph: Record<string, unknown>) => Record<string, unknown>> = {
  // Version 0: no schemaVersion; early exports could leave out `edges` and a node's empty `params`.
  0: (graph) => ({
    ...graph,
    nodes: Array.isArray(graph.nodes)
      ? graph.nodes.map((n) => (isRecord(n) && n.params === undefined ? { ...n, params: {} } : n))
      : graph.nodes,
    edges: graph.edges ?? [],
    schemaVersion: 1,
  }),
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema version a stored graph says it has (0 when it says none); undefined when it is not a graph-shaped object. */
export function schemaVersionOf(stored: unknown): number | undefined {
  if (!isRecord(stored)) return undefined;
  if (stored.schemaVersion === undefined) return 0;
  return Number.isInteger(stored.schemaVersion) ? (stored.schemaVersion as number) : undefined;
}

/**
 * A stored graph (a version, a draft, an imported file) upgraded to the current schema version. Anything it
 * can't upgrade (not an object, a version from the future, a malformed one) comes back unchanged, for
 * validation to report. Pure and workflow-safe.
 */
export function migrateGraph(stored: unknown): unknown {
  let version = schemaVersionOf(stored);
  if (version === undefined || version < 0 || version >= GRAPH_SCHEMA_VERSION) return stored;
  let graph = stored as Record<string, unknown>;
  while (version < GRAPH_SCHEMA_VERSION) {
    graph = MIGRATIONS[version](graph);
    version++;
  }
  return graph;
}
