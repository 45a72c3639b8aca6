import { edgeId, GRAPH_SCHEMA_VERSION, type Graph, type GraphEdge, type GraphNode } from '../../../workflows/pipeline/graph';
import { migrateGraph } from '../../../workflows/pipeline/migrate';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';

/**
 * A stored draft as the canvas can draw it. A draft is any JSON (the API keeps even broken graphs), so this
 * keeps every node and edge that has what the canvas needs, upgraded from older schema versions; a draft the
 * studio saved comes back unchanged.
 */
export function editableGraph(draft: unknown): Graph {
  const migrated = migrateGraph(draft);
  const raw = isRecord(migrated) ? migrated : {};
  const list = (v: unknown) => (Array.isArray(v) ? v.filter(isRecord) : []);
  const nodeIds = new Set<string>();
  const nodes: GraphNode[] = [];
  for (const n of list(raw.nodes)) {
    if (!isText(n.id) || !isText(n.type) || nodeIds.has(n.id)) continue;
    nodeIds.add(n.id);
    const p = n.position;
    nodes.push({
      id: n.id,
      type: n.type,
      params: isRecord(n.params) ? n.params : {},
      ...(isRecord(p) && typeof p.x === 'number' && typeof p.y === 'number' ? { position: { x: p.x, y: p.y } } : {}),
      ...(isText(n.label) && n.label ? { label: n.label } : {}),
    });
  }
  const edgeIds = new Set<string>();
  const edges: GraphEdge[] = [];
  for (const e of list(raw.edges)) {
    if (!isText(e.source) || !isText(e.sourceHandle) || !isText(e.target) || !isText(e.targetHandle)) continue;
    const edge: GraphEdge = {
      ...(isText(e.id) ? { id: e.id } : {}),
      source: e.source,
      sourceHandle: e.sourceHandle,
      target: e.target,
      targetHandle: e.targetHandle,
    };
    if (edgeIds.has(edgeId(edge))) continue;
    edgeIds.add(edgeId(edge));
    edges.push(edge);
  }
  return { schemaVersion: GRAPH_SCHEMA_VERSION, nodes, edges };
}
