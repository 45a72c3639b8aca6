import { z } from 'zod';
import type { NodeState } from './reports';
import type { RunStatus } from './statuses';

/**
 * The wire shapes of the pipeline language. One definition, imported by api, workflows and studio.
 * Workflow-safe: no Node built-ins here.
 */

export const PORT_KINDS = ['text', 'audio', 'image', 'json', 'html', 'video', 'any'] as const;
export type ItemKind = (typeof PORT_KINDS)[number];
/** A port carries one value of a kind, or a list of them (`text[]`). */
export type PortKind = ItemKind | `${Exclude<ItemKind, 'any'>}[]`;

/** Names that reach an object's prototype when used as a key: never a node id, handle or input name. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const notReserved = (name: string) => !RESERVED_NAMES.has(name);
const RESERVED_MESSAGE = `is a reserved name (${[...RESERVED_NAMES].join(', ')})`;

/** Node ids and pipeline input names. */
export const identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must start with a letter or _ and contain only letters, digits, _ and -')
  .refine(notReserved, RESERVED_MESSAGE);

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

export const GRAPH_SCHEMA_VERSION = 1;

export const GraphSchema = z.strictObject({
  schemaVersion: z.literal(GRAPH_SCHEMA_VERSION).default(GRAPH_SCHEMA_VERSION),
  nodes: z.array(GraphNodeSchema).max(500),
  edges: z.array(GraphEdgeSchema).max(2000),
});

export type GraphNode = z.infer<typeof GraphNodeSchema>;
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;
export type Graph = z.infer<typeof GraphSchema>;

export function edgeId(edge: GraphEdge): string {
  return edge.id ?? `${edge.source}.${edge.sourceHandle}->${edge.target}.${edge.targetHandle}`;
}

/** Graph problems and a run's state: their schemas live in reports.ts, out of this module and so out of the studio's bundle. */
export type { NodeCache, NodeState, Problem, RunState } from './reports';

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
export type ArtifactRef = z.infer<typeof ArtifactRefSchema>;

export const MediaRecordSchema = z.strictObject({
  id: z.string(),
  url: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
});
export type MediaRecord = z.infer<typeof MediaRecordSchema>;

/** Where the API serves a media item's bytes, to its owner. */
export function mediaUrl(id: string): string {
  return `/api/media/${id}/content`;
}

/** Where the API serves a run's artifact (run storage keys are `runs/<runId>/…`), to the run's owner. */
export function artifactUrl(ref: ArtifactRef): string {
  return `/api/${ref.key
    .split('/')
    .map(encodeURIComponent)
    .join('/')
    .replace(/^runs\/([^/]+)\//, 'runs/$1/artifacts/')}`;
}

export function isArtifactRef(value: unknown): value is ArtifactRef {
  return typeof value === 'object' && value !== null && (value as { artifact?: unknown }).artifact === true;
}

/** Every artifact-shaped value anywhere in `value`, with where it sits (`file`, `items.2`). */
export function findArtifactRefs(value: unknown, path = ''): { path: string; ref: Record<string, unknown> }[] {
  const found: { path: string; ref: Record<string, unknown> }[] = [];
  const pending: [string, unknown][] = [[path, value]];
  // A loop, not recursion: a deeply nested value must not overflow the stack.
  while (pending.length > 0) {
    const [at, item] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (isArtifactRef(item)) {
      found.push({ path: at, ref: item as unknown as Record<string, unknown> });
      continue;
    }
    const entries = Object.entries(item);
    for (let i = entries.length - 1; i >= 0; i--) pending.push([at ? `${at}.${entries[i][0]}` : entries[i][0], entries[i][1]]); // document order
  }
  return found;
}

export { NODE_STATUSES, RUN_STATUSES, TERMINAL_STATUSES, type NodeStatus, type RunStatus } from './statuses';

/** Events of a run, in the order they happened; `seq` is the SSE id. */
export type RunEvent =
  | { seq: number; type: 'run.status'; at: string; status: RunStatus; error?: string | null }
  | { seq: number; type: 'node.status'; at: string; nodeId: string; state: NodeState };

/** Ephemeral events published by activities while they work (not persisted, no seq). */
export type LiveEvent =
  | { type: 'node.attempt'; at: string; nodeId: string; attempt: number }
  | { type: 'node.progress'; at: string; nodeId: string; item?: number; fraction?: number; message?: string; text?: string };

/** What a run is expected to cost before it starts: per AI node, the USD and what was assumed, in words. */
export const CostEstimateSchema = z.strictObject({
  totalUsd: z.number().nonnegative(),
  nodes: z.record(z.string(), z.strictObject({ usd: z.number().nonnegative(), basis: z.string().max(500) })),
});
export type CostEstimate = z.infer<typeof CostEstimateSchema>;

/** What started a run: the studio (a login session), the REST API (an API key), a schedule, or a re-run. */
export const RUN_TRIGGER_KINDS = ['studio', 'api', 'schedule', 'rerun'] as const;
export const RunTriggerSchema = z.strictObject({
  kind: z.enum(RUN_TRIGGER_KINDS),
  /** The API key's name, for runs an API key started. */
  keyName: z.string().max(120).optional(),
  /** The schedule's id, for scheduled runs. */
  scheduleId: z.string().max(200).optional(),
});
export type RunTrigger = z.infer<typeof RunTriggerSchema>;

/**
 * What a run's `trigger` column holds: the trigger, with the run's cost plan beside it — its budget (USD; a model
 * call that would cross it is not made) and the estimate it started with, to compare with what it did cost.
 */
export type StoredTrigger = RunTrigger & { budgetUsd?: number; estimate?: CostEstimate };

/** The stored trigger taken apart: the trigger as the API shows it, and the cost plan (null where it has none). */
export function storedTriggerParts(stored: StoredTrigger): {
  trigger: RunTrigger;
  budgetUsd: number | null;
  estimate: CostEstimate | null;
} {
  // A run recorded before the trigger was an object holds its bare kind: passed on as it is.
  if (typeof stored !== 'object' || stored === null) return { trigger: stored, budgetUsd: null, estimate: null };
  const { budgetUsd, estimate, ...trigger } = stored;
  return { trigger, budgetUsd: budgetUsd ?? null, estimate: estimate ?? null };
}

export const RunInputsSchema = z.record(z.string(), z.unknown());
export type RunInputs = z.infer<typeof RunInputsSchema>;
