import { z } from 'zod';
import { catalog } from './catalog';
import type { Graph } from './graph';

/** The most runs one batch makes (items × seeds): the API refuses more, naming the field; the studio says so first. */
export const MAX_BATCH_RUNS = 100;

/** The largest seed a node takes (catalog.ts `seed`: a PostgreSQL-sized non-negative integer). */
export const MAX_SEED = 2 ** 31 - 1;

/** Whether nodes of this type take a `seed` param (story, llm, illustration…). */
export function takesSeed(nodeType: string): boolean {
  const params = catalog.get(nodeType)?.params;
  return params instanceof z.ZodObject && 'seed' in params.shape;
}

/** The graph with `seed` set on every node that takes one: one variation of a pipeline (a batch's seeded run). */
export function withSeed(graph: Graph, seed: number): Graph {
  return {
    ...graph,
    nodes: graph.nodes.map((node) => (takesSeed(node.type) ? { ...node, params: { ...node.params, seed } } : node)),
  };
}
