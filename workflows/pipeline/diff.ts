import type { Graph, GraphEdge, GraphNode } from './graph';

/** What changed between two versions of a graph, by node id. */
export interface GraphChanges {
  added: string[];
  removed: string[];
  /** Type, params, label or incoming connections differ. */
  changed: string[];
  /** Only the canvas position differs. */
  moved: string[];
}

/** Changes from `before` (undefined: the first version, every node added) to `after`; ids in `after`'s order. */
export function graphChanges(before: Pick<Graph, 'nodes' | 'edges'> | undefined, after: Pick<Graph, 'nodes' | 'edges'>): GraphChanges {
  const old = new Map((before?.nodes ?? []).map((n) => [n.id, n]));
  const now = new Set(after.nodes.map((n) => n.id));
  const oldInputs = incoming(before?.edges ?? []);
  const newInputs = incoming(after.edges);
  const changes: GraphChanges = { added: [], removed: [], changed: [], moved: [] };
  for (const node of after.nodes) {
    const previous = old.get(node.id);
    if (!previous) changes.added.push(node.id);
    else if (whatRuns(previous) !== whatRuns(node) || oldInputs.get(node.id) !== newInputs.get(node.id)) changes.changed.push(node.id);
    else if (canonicalJson(previous.position) !== canonicalJson(node.position)) changes.moved.push(node.id);
  }
  for (const node of before?.nodes ?? []) if (!now.has(node.id)) changes.removed.push(node.id);
  return changes;
}

function whatRuns(node: GraphNode): string {
  return canonicalJson({ type: node.type, params: node.params, label: node.label });
}

/** Each target node's connections, as one comparable string. */
function incoming(edges: GraphEdge[]): Map<string, string> {
  const byTarget = new Map<string, string[]>();
  for (const e of edges) byTarget.set(e.target, [...(byTarget.get(e.target) ?? []), `${e.targetHandle}<-${e.source}.${e.sourceHandle}`]);
  return new Map([...byTarget].map(([target, list]) => [target, list.sort().join('|')]));
}

/** JSON with object keys sorted: stored graphs (jsonb) do not keep key order. */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    ) ?? 'undefined'
  );
}
