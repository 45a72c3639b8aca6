import { z } from 'zod';
import { NODE_STATUSES, RUN_STATUSES } from './statuses';

/**
 * What the engine reports as it travels to clients: a run's state and the problems found in a graph.
 * graph.ts re-exports only the types: the studio bundles graph.ts, and these schemas are needed only
 * where responses are described (api/schemas.ts), so nothing imports this module for its values but that.
 */

const Timestamp = z.iso.datetime({ offset: true });

/** One thing wrong with a graph, pointing at where it is. */
export const ProblemSchema = z.strictObject({
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  message: z.string(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const RunStatusSchema = z.enum(RUN_STATUSES);

/** A node's output reused from an earlier run instead of computed: which run made it, and what its calls cost there. */
export const NodeCacheSchema = z.strictObject({ fromRunId: z.string(), savedUsd: z.number().nonnegative() });
export type NodeCache = z.infer<typeof NodeCacheSchema>;
export const NodeStatusSchema = z.enum(NODE_STATUSES);

export const NodeStateSchema = z.strictObject({
  status: NodeStatusSchema,
  attempts: z.number().int().nonnegative(),
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  /** Output values by handle. */
  output: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  /** Latest progress an activity reported: a fraction and/or a message, and streamed text so far. */
  progress: z
    .strictObject({ fraction: z.number().optional(), message: z.string().optional(), text: z.string().optional() })
    .nullable()
    .optional(),
  /** Set when the output was reused (a re-run's upstream); null or absent when the node computed it. */
  cached: NodeCacheSchema.nullable().optional(),
});
export type NodeState = z.infer<typeof NodeStateSchema>;

export const RunStateSchema = z.strictObject({
  status: RunStatusSchema,
  nodes: z.record(z.string(), NodeStateSchema),
  error: z.string().nullable(),
  outputs: z.record(z.string(), z.unknown()).nullable(),
});
export type RunState = z.infer<typeof RunStateSchema>;
