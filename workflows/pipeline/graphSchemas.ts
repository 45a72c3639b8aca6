import { z } from 'zod';
import { GRAPH_SCHEMA_VERSION, notReserved, RESERVED_MESSAGE, RUN_TRIGGER_KINDS } from './graphConstants';
import { identifierSchema } from './identifier';

/** The wire schemas of the pipeline language (its types are in graph.ts): for the API and the studio to check with. */

/** Node ids and pipeline input names. */
export const identifier = identifierSchema();
const handle = z.string().min(1).max(64).refine(notReserved, RESERVED_MESSAGE);

export const GraphNodeSchema = z.strictObject({
  id: identifier,
  type: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).default({}),
  /** Canvas position: the studio saves what it draws. The engine ignores it. */
  position: z.strictObject({ x: z.number(), y: z.number() }).optional(),
  label: z.string().max(120).optional(),
});
export const GraphEdgeSchema = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  source: identifier,
  sourceHandle: handle,
  target: identifier,
  targetHandle: handle,
});
export const GraphSchema = z.strictObject({
  schemaVersion: z.literal(GRAPH_SCHEMA_VERSION).default(GRAPH_SCHEMA_VERSION),
  nodes: z.array(GraphNodeSchema).max(500),
  edges: z.array(GraphEdgeSchema).max(2000),
});
/** An artifact produced by a step: the bytes live in the blob store; only this ref travels. */
export const ArtifactRefSchema = z.strictObject({
  artifact: z.literal(true),
  key: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  durationMs: z.number().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  /** What made it, when a generator made it: e.g. `local-sketch` (the procedural renderer, not AI), `openai`. */
  generator: z.string().optional(),
});
export const MediaRecordSchema = z.strictObject({
  id: z.string(),
  url: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
});
/** What a run is expected to cost before it starts: per AI node, the USD and what was assumed, in words. */
export const CostEstimateSchema = z.strictObject({
  totalUsd: z.number().nonnegative(),
  nodes: z.record(z.string(), z.strictObject({ usd: z.number().nonnegative(), basis: z.string().max(500) })),
});
export const RunTriggerSchema = z.strictObject({
  kind: z.enum(RUN_TRIGGER_KINDS),
  /** The API key's name, for runs an API key started. */
  keyName: z.string().max(120).optional(),
  /** The schedule's id, for scheduled runs. */
  scheduleId: z.string().max(200).optional(),
});
export const RunInputsSchema = z.record(z.string(), z.unknown());
