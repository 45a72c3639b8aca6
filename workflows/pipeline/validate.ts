import type { z } from 'zod';
import { catalog, portsOf, type PortSpec } from './catalog';
import { kindsConnect, planFlow, topologicalOrder } from './flow';
import { edgeId, findArtifactRefs, type Graph, type GraphNode, type Problem, type RunInputs } from './graph';
import { GraphSchema } from './graphSchemas';
import { migrateGraph } from './migrate';

export interface ValidGraph {
  graph: Graph;
  problems: [];
}
export interface InvalidGraph {
  graph: undefined;
  problems: Problem[];
}

/** "nodes.2.params.template" from a zod issue path. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

export function describeIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const where = pathOf([...(prefix ? [prefix] : []), ...issue.path]);
    return where ? `${where}: ${issue.message}` : issue.message;
  });
}

/**
 * Checks a graph and returns every problem at once, or the graph with each node's params
 * normalised (defaults filled in) when there are none. An older stored graph is upgraded first (migrateGraph).
 */
export function validateGraph(stored: unknown): ValidGraph | InvalidGraph {
  const input = migrateGraph(stored);
  const parsed = GraphSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue): Problem => {
      const [section, index] = issue.path;
      const raw = input as { nodes?: { id?: unknown }[] } | undefined;
      const nodeId =
        section === 'nodes' && typeof index === 'number' && typeof raw?.nodes?.[index]?.id === 'string'
          ? (raw.nodes[index].id as string)
          : undefined;
      return { ...(nodeId ? { nodeId } : {}), message: `${pathOf(issue.path) || 'graph'}: ${issue.message}` };
    });
    return { graph: undefined, problems };
  }

  const problems: Problem[] = [];
  const graph = parsed.data;
  const nodes = new Map<string, GraphNode>();
  const ports = new Map<string, { inputs: PortSpec[]; outputs: PortSpec[] }>();

  for (const node of graph.nodes) {
    if (nodes.has(node.id)) {
      problems.push({ nodeId: node.id, message: `Duplicate node id '${node.id}'` });
      continue;
    }
    const definition = catalog.get(node.type);
    if (!definition) {
      problems.push({ nodeId: node.id, message: `Unknown node type '${node.type}'` });
      nodes.set(node.id, node);
      continue;
    }
    const params = definition.params.safeParse(node.params);
    if (!params.success) {
      for (const message of describeIssues(params.error, 'params')) problems.push({ nodeId: node.id, message });
      nodes.set(node.id, node);
      continue;
    }
    const normalised = { ...node, params: params.data };
    nodes.set(node.id, normalised);
    ports.set(node.id, portsOf(normalised));
  }

  const connected = new Map<string, string>();
  for (const edge of graph.edges) {
    const id = edgeId(edge);
    const source = nodes.get(edge.source);
    const target = nodes.get(edge.target);
    if (!source) problems.push({ edgeId: id, message: `Edge starts at unknown node '${edge.source}'` });
    if (!target) problems.push({ edgeId: id, message: `Edge ends at unknown node '${edge.target}'` });
    if (!source || !target) continue;
    if (edge.source === edge.target) {
      problems.push({ edgeId: id, nodeId: edge.target, message: `Node '${edge.target}' is connected to itself` });
      continue;
    }
    const sourcePorts = ports.get(edge.source);
    const targetPorts = ports.get(edge.target);
    if (!sourcePorts || !targetPorts) continue; // the node itself is already reported
    const out = sourcePorts.outputs.find((p) => p.handle === edge.sourceHandle);
    const into = targetPorts.inputs.find((p) => p.handle === edge.targetHandle);
    if (!out)
      problems.push({
        edgeId: id,
        nodeId: edge.source,
        message: `Node '${edge.source}' (${source.type}) has no output '${edge.sourceHandle}'`,
      });
    if (!into)
      problems.push({
        edgeId: id,
        nodeId: edge.target,
        message: `Node '${edge.target}' (${target.type}) has no input '${edge.targetHandle}'`,
      });
    if (!out || !into) continue;
    if (!kindsConnect(out.kind, into.kind)) {
      problems.push({
        edgeId: id,
        message: `Port type mismatch: ${edge.source}.${edge.sourceHandle} gives ${out.kind} but ${edge.target}.${edge.targetHandle} takes ${into.kind}`,
      });
    }
    const inputKey = `${edge.target}\u0000${edge.targetHandle}`;
    const previous = connected.get(inputKey);
    if (previous) {
      problems.push({
        edgeId: id,
        nodeId: edge.target,
        message: `Input ${edge.target}.${edge.targetHandle} is already connected (edge ${previous})`,
      });
    } else {
      connected.set(inputKey, id);
    }
  }

  for (const [nodeId, { inputs }] of ports) {
    for (const port of inputs) {
      if (!port.optional && !connected.has(`${nodeId}\u0000${port.handle}`)) {
        problems.push({ nodeId, message: `Missing required input '${port.handle}' (${port.kind})` });
      }
    }
  }

  const inputNames = new Map<string, string>();
  for (const node of nodes.values()) {
    if (node.type !== 'input' || !ports.has(node.id)) continue;
    const name = String(node.params.name);
    const other = inputNames.get(name);
    if (other) problems.push({ nodeId: node.id, message: `Pipeline input '${name}' is already defined by node '${other}'` });
    else inputNames.set(name, node.id);
  }

  const ordered = new Set(topologicalOrder({ nodes: [...nodes.values()], edges: graph.edges }).map((n) => n.id));
  for (const nodeId of nodes.keys()) {
    if (!ordered.has(nodeId)) problems.push({ nodeId, message: `Node '${nodeId}' is part of a cycle` });
  }

  if (problems.length > 0) return { graph: undefined, problems };
  const normalised = { ...graph, nodes: [...nodes.values()] };
  // Lists flowing through fanned-out nodes: only checkable once the graph is known to be sound.
  const flowProblems = planFlow(normalised).problems;
  if (flowProblems.length > 0) return { graph: undefined, problems: flowProblems };
  return { graph: normalised, problems: [] };
}

/**
 * Checks the inputs a run is started with against the graph's `input` nodes: the API refuses a run with
 * any of these problems, and the studio's Run dialog shows them before starting anything.
 */
export function validateRunInputs(graph: Graph, inputs: RunInputs): Problem[] {
  const problems: Problem[] = [];
  const declared = new Map<string, GraphNode>();
  for (const node of graph.nodes) if (node.type === 'input') declared.set(String(node.params.name), node);
  for (const name of Object.keys(inputs)) {
    if (!declared.has(name)) {
      const known = [...declared.keys()].map((n) => `'${n}'`).join(', ') || 'none';
      problems.push({ message: `inputs.${name}: unknown pipeline input (known: ${known})` });
    }
  }
  for (const [name, node] of declared) {
    const given = Object.hasOwn(inputs, name);
    const value = given ? inputs[name] : node.params.default;
    if (value === undefined) {
      if (node.params.required !== false) problems.push({ nodeId: node.id, message: `inputs.${name}: required pipeline input is missing` });
      continue;
    }
    if (node.params.kind === 'text' && typeof value !== 'string') {
      problems.push({ nodeId: node.id, message: `inputs.${name}: must be text (a string)` });
    } else if (node.params.required !== false && typeof value === 'string' && value.trim() === '') {
      problems.push({ nodeId: node.id, message: `inputs.${name}: required pipeline input is empty` });
    }
    // Only the server's own steps make artifact references; one handed in would name someone else's file.
    for (const { path } of findArtifactRefs(value, `inputs.${name}`)) {
      problems.push({ nodeId: node.id, message: `${path}: artifact references are made by the server and cannot be given as input` });
    }
  }
  return problems;
}
