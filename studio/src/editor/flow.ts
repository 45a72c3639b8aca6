import type { Edge, Node } from '@xyflow/react';
import { edgeId, GRAPH_SCHEMA_VERSION, type Graph, type GraphEdge } from '../../../workflows/pipeline/graph';

/** The graph as React Flow draws it, and the conversions both ways. */
export type NodeData = { nodeType: string; params: Record<string, unknown>; label?: string };
export type FlowNode = Node<NodeData, 'pipeline'>;
export type FlowEdge = Edge;

export function edgeFor(c: { source: string; sourceHandle: string; target: string; targetHandle: string }): FlowEdge {
  const e: GraphEdge = { source: c.source, sourceHandle: c.sourceHandle, target: c.target, targetHandle: c.targetHandle };
  return { id: edgeId(e), ...e };
}

export function flowOf(graph: Graph): { nodes: FlowNode[]; edges: FlowEdge[] } {
  return {
    nodes: graph.nodes.map((n, i) => ({
      id: n.id,
      type: 'pipeline' as const,
      position: n.position ?? { x: 80 + (i % 5) * 280, y: 80 + Math.floor(i / 5) * 200 },
      data: { nodeType: n.type, params: n.params ?? {}, ...(n.label ? { label: n.label } : {}) },
    })),
    edges: graph.edges.map((e) => ({ ...edgeFor(e), id: edgeId(e) })),
  };
}

/** What is saved: positions rounded, React Flow's own fields (selection, measurements) left out. */
export function graphOf(nodes: FlowNode[], edges: FlowEdge[]): Graph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.data.nodeType,
      params: n.data.params,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      ...(n.data.label ? { label: n.data.label } : {}),
    })),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source,
      sourceHandle: e.sourceHandle!,
      target: e.target,
      targetHandle: e.targetHandle!,
    })),
  };
}

function slug(text: string): string {
  const s = text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[^A-Za-z_]+/, '');
  return s || 'node';
}

/** A node id from `base` that no node has yet. */
export function uniqueId(base: string, taken: Set<string>): string {
  const root = slug(base);
  if (!taken.has(root)) return root;
  for (let i = 2; ; i++) if (!taken.has(`${root}-${i}`)) return `${root}-${i}`;
}

/** A pipeline input name from `base` that no input node uses yet. */
export function uniqueInputName(base: string, nodes: FlowNode[]): string {
  const taken = new Set(nodes.filter((n) => n.data.nodeType === 'input').map((n) => String(n.data.params.name)));
  const root = base.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^[^A-Za-z_]+/, '') || 'input';
  if (!taken.has(root)) return root;
  for (let i = 2; ; i++) if (!taken.has(`${root}${i}`)) return `${root}${i}`;
}

/** Whether `to` can already reach `from` (so an edge from→to would close a cycle). */
export function reaches(edges: FlowEdge[], from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}

/** A node's box before React Flow has measured it: a node card's width and a typical height. */
const UNMEASURED = { width: 230, height: 120 };
const PASTE_GAP = 40;

function boxOf(n: FlowNode) {
  return {
    x: n.position.x,
    y: n.position.y,
    width: n.measured?.width ?? n.width ?? UNMEASURED.width,
    height: n.measured?.height ?? n.height ?? UNMEASURED.height,
  };
}

/**
 * How far to move pasted `copies` so that they land beside the originals, on no node: to the right of the
 * group, else below it, further each time (pasting again finds the first copy in the way and goes past it).
 */
export function pasteOffset(copies: FlowNode[], nodes: FlowNode[]): { x: number; y: number } {
  const boxes = copies.map(boxOf);
  const left = Math.min(...boxes.map((b) => b.x));
  const top = Math.min(...boxes.map((b) => b.y));
  const width = Math.max(...boxes.map((b) => b.x + b.width)) - left;
  const height = Math.max(...boxes.map((b) => b.y + b.height)) - top;
  const others = nodes.map(boxOf);
  const free = (dx: number, dy: number) =>
    boxes.every((b) =>
      others.every(
        (o) => b.x + dx >= o.x + o.width || o.x >= b.x + dx + b.width || b.y + dy >= o.y + o.height || o.y >= b.y + dy + b.height,
      ),
    );
  for (let step = 1; step <= 50; step++) {
    const right = { x: step * (width + PASTE_GAP), y: 0 };
    if (free(right.x, right.y)) return right;
    const below = { x: 0, y: step * (height + PASTE_GAP) };
    if (free(below.x, below.y)) return below;
  }
  return { x: width + PASTE_GAP, y: 0 };
}
