import { catalog } from './catalog';
import { edgeId, type Graph, type ItemKind, type PortKind, type Problem } from './graph';

/**
 * How a value moves along an edge:
 * - `direct`: as it is;
 * - `fanout`: a list into a single-item port — the target runs once per item and its outputs become lists;
 * - `collect`: a single item into a list port — wrapped as a list of one (unless it already is a list
 *   because its source fanned out).
 */
export type Connection = 'direct' | 'fanout' | 'collect';

export function isListKind(kind: PortKind): kind is `${Exclude<ItemKind, 'any'>}[]` {
  return kind.endsWith('[]');
}

export function itemKindOf(kind: PortKind): ItemKind {
  return (isListKind(kind) ? kind.slice(0, -2) : kind) as ItemKind;
}

/** How a value of kind `source` flows into a port of kind `target`, or null when it can't. */
export function connectKinds(source: PortKind, target: PortKind): Connection | null {
  if (source === target || source === 'any') return 'direct';
  if (target === 'any') return isListKind(source) ? 'fanout' : 'direct';
  if (isListKind(source) && !isListKind(target)) return itemKindOf(source) === target ? 'fanout' : null;
  if (!isListKind(source) && isListKind(target)) return itemKindOf(target) === source ? 'collect' : null;
  return null;
}

/** Whether a value of kind `source` may flow into a port of kind `target`. */
export function kindsConnect(source: PortKind, target: PortKind): boolean {
  return connectKinds(source, target) !== null;
}

export interface FlowPlan {
  /** Per node, the input handles whose lists it runs over, one call per item. Absent: runs once. */
  fanOut: Map<string, string[]>;
  /** Per node and output handle, the kind it really produces (a list when the node fans out). */
  outputKinds: Map<string, Map<string, PortKind>>;
  problems: Problem[];
}

/**
 * Works out, for a structurally valid acyclic graph (params normalised), which nodes fan out over
 * lists and what each output really carries. Pure and deterministic: the workflow calls it too.
 */
export function planFlow(graph: Graph): FlowPlan {
  const fanOut = new Map<string, string[]>();
  const outputKinds = new Map<string, Map<string, PortKind>>();
  const problems: Problem[] = [];
  const incoming = new Map<string, Graph['edges']>(graph.nodes.map((n) => [n.id, []]));
  for (const edge of graph.edges) incoming.get(edge.target)?.push(edge);

  for (const node of topologicalOrder(graph)) {
    const definition = catalog.get(node.type);
    if (!definition) continue;
    const inputs = definition.inputs(node.params);
    const fanned: string[] = [];
    let passedKind: PortKind | undefined;
    for (const edge of incoming.get(node.id) ?? []) {
      const sourceKind = outputKinds.get(edge.source)?.get(edge.sourceHandle);
      const port = inputs.find((p) => p.handle === edge.targetHandle);
      if (!sourceKind || !port) continue;
      const whole = definition.passesThrough?.input === port.handle;
      const connection = whole ? 'direct' : connectKinds(sourceKind, port.kind);
      if (whole) passedKind = sourceKind;
      if (connection === null) {
        problems.push({
          edgeId: edgeId(edge),
          message: `Port type mismatch: ${edge.source}.${edge.sourceHandle} gives ${sourceKind} but ${node.id}.${edge.targetHandle} takes ${port.kind}`,
        });
      } else if (connection === 'fanout') {
        fanned.push(edge.targetHandle);
      }
    }
    const kinds = new Map<string, PortKind>();
    for (const port of definition.outputs(node.params)) {
      if (fanned.length > 0 && isListKind(port.kind)) {
        problems.push({
          nodeId: node.id,
          message: `Node '${node.id}' already outputs a list (${port.handle}); it can't also run once per item of a list`,
        });
      }
      const kind = passedKind && definition.passesThrough?.output === port.handle ? passedKind : port.kind;
      kinds.set(port.handle, fanned.length > 0 && kind !== 'any' && !isListKind(kind) ? `${kind}[]` : kind);
    }
    if (fanned.length > 0) fanOut.set(node.id, fanned);
    outputKinds.set(node.id, kinds);
  }
  return { fanOut, outputKinds, problems };
}

/**
 * The nodes in an order where every edge's source comes before its target (Kahn). Nodes on or behind a
 * cycle are left out. Edges to unknown nodes and self-loops are ignored (validation reports those itself).
 */
export function topologicalOrder(graph: Pick<Graph, 'nodes' | 'edges'>): Graph['nodes'] {
  const indegree = new Map(graph.nodes.map((n) => [n.id, 0]));
  const next = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target) || e.source === e.target) continue;
    indegree.set(e.target, indegree.get(e.target)! + 1);
    next.get(e.source)!.push(e.target);
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const ready = graph.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: Graph['nodes'] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(byId.get(id)!);
    for (const t of next.get(id)!) {
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) ready.push(t);
    }
  }
  return order;
}
