import { isDeepStrictEqual } from 'node:util';
import type { Graph, GraphNode, NodeState, RunInputs, SeededItems, SeededNode } from '../../workflows/pipeline';

/** What a re-run is asked to run again; everything else it may reuse. */
export interface RerunChoice {
  /** Run this node and everything downstream of it. */
  fromNodeId?: string;
  /** Run again every node that did not succeed (failed, cancelled, never reached). */
  onlyFailed?: boolean;
}

/** The parent run as recorded: the graph of the version it ran, its inputs, node states and per-node costs. */
export interface ParentRun {
  id: string;
  graph: Graph;
  inputs: RunInputs;
  nodes: Record<string, NodeState>;
  costs: Record<string, number>;
}

/**
 * Which nodes of the current graph a re-run takes from its parent instead of running: a node is reused when the
 * parent's run of it succeeded, it is not one of the chosen nodes, it is the same node in both versions (type,
 * params — its model among them — and incoming edges; an input node also the same value), and every node it reads
 * from is reused too. So a chosen node, a changed node and everything downstream of either run again.
 */
export function planRerun(current: Graph, inputs: RunInputs, parent: ParentRun, choice: RerunChoice): Record<string, SeededNode> {
  const before = new Map(parent.graph.nodes.map((n) => [n.id, n]));
  const chosen = new Set<string>(choice.fromNodeId ? [choice.fromNodeId] : []);
  if (choice.onlyFailed) {
    for (const node of current.nodes) if (parent.nodes[node.id]?.status !== 'succeeded') chosen.add(node.id);
  }
  const reused = new Map<string, boolean>();
  const isReused = (node: GraphNode): boolean => {
    const known = reused.get(node.id);
    if (known !== undefined) return known;
    reused.set(node.id, false); // graphs are acyclic; this only guards the recursion
    const old = before.get(node.id);
    const state = parent.nodes[node.id];
    const verdict =
      !chosen.has(node.id) &&
      !!old &&
      state?.status === 'succeeded' &&
      state.output !== null &&
      sameNode(old, node, parent, current, inputs) &&
      current.edges.filter((e) => e.target === node.id).every((e) => isReused(current.nodes.find((n) => n.id === e.source)!));
    reused.set(node.id, verdict);
    return verdict;
  };
  const seeded: Record<string, SeededNode> = {};
  for (const node of current.nodes) {
    if (!isReused(node)) continue;
    const state = parent.nodes[node.id];
    // A node the parent itself reused names the run that computed it, and what that cost there.
    seeded[node.id] = {
      output: state.output!,
      fromRunId: state.cached?.fromRunId ?? parent.id,
      savedUsd: roundUsd((parent.costs[node.id] ?? 0) + (state.cached?.savedUsd ?? 0)),
    };
  }
  return seeded;
}

/**
 * For "retry failed": the items a fanned-out node got through before it failed (or was cancelled), which the re-run
 * does not run again. Only for the same node reading only reused nodes, so its items are the same items; never for the
 * node a re-run is asked to run from. A fan-out keeps what succeeded as its output, null in the other items' places.
 */
export function planItemReuse(
  current: Graph,
  inputs: RunInputs,
  parent: ParentRun,
  choice: RerunChoice,
  seeded: Record<string, SeededNode>,
): Record<string, SeededItems> {
  if (!choice.onlyFailed) return {};
  const before = new Map(parent.graph.nodes.map((n) => [n.id, n]));
  const plan: Record<string, SeededItems> = {};
  for (const node of current.nodes) {
    const state = parent.nodes[node.id];
    const old = before.get(node.id);
    if (seeded[node.id] || node.id === choice.fromNodeId || !old || !state || state.status === 'succeeded') continue;
    const items = itemsOf(state.output);
    if (!items?.some((item) => item !== null)) continue;
    if (!sameNode(old, node, parent, current, inputs)) continue;
    if (!current.edges.filter((e) => e.target === node.id).every((e) => seeded[e.source])) continue;
    plan[node.id] = items;
  }
  return plan;
}

/** A partial fan-out output (handle → one value per item, null where the item did not succeed) read back as items. */
function itemsOf(output: NodeState['output']): SeededItems | undefined {
  const lists = Object.entries(output ?? {});
  if (lists.length === 0 || !lists.every(([, v]) => Array.isArray(v))) return undefined;
  const length = (lists[0][1] as unknown[]).length;
  if (!lists.every(([, v]) => (v as unknown[]).length === length)) return undefined;
  return Array.from({ length }, (_, i) =>
    lists.every(([, v]) => (v as unknown[])[i] !== null) ? Object.fromEntries(lists.map(([h, v]) => [h, (v as unknown[])[i]])) : null,
  );
}

function sameNode(old: GraphNode, node: GraphNode, parent: ParentRun, current: Graph, inputs: RunInputs): boolean {
  if (old.type !== node.type || !isDeepStrictEqual(old.params, node.params)) return false;
  if (!isDeepStrictEqual(incomingOf(parent.graph, node.id), incomingOf(current, node.id))) return false;
  return node.type !== 'input' || isDeepStrictEqual(inputValue(node, parent.inputs), inputValue(node, inputs));
}

const incomingOf = (graph: Graph, nodeId: string) =>
  graph.edges
    .filter((e) => e.target === nodeId)
    .map((e) => `${e.source}.${e.sourceHandle}->${e.targetHandle}`)
    .sort();

const inputValue = (node: GraphNode, inputs: RunInputs): unknown => {
  const name = String(node.params.name);
  return Object.hasOwn(inputs, name) ? inputs[name] : node.params.default;
};

const roundUsd = (usd: number) => Math.round(usd * 1e6) / 1e6;
