import type { z } from 'zod';
import type {
  ArtifactRefSchema,
  CostEstimateSchema,
  GraphEdgeSchema,
  GraphNodeSchema,
  GraphSchema,
  MediaRecordSchema,
  RunInputsSchema,
  RunTriggerSchema,
} from './graphSchemas';
import type { NodeState } from './reports';
import type { RunStatus } from './statuses';

/**
 * The pipeline language's shapes (their zod schemas are in graphSchemas.ts), constants and helpers. One definition,
 * imported by api, workflows and studio. Workflow-safe: no Node built-ins here, and no schema is built when this
 * module loads — a workflow's sandbox loads its modules afresh for every run (a schema built here cost each run
 * about 7 ms of CPU, bench/overhead.ts).
 */

export const PORT_KINDS = ['text', 'audio', 'image', 'json', 'html', 'video', 'any'] as const;
export type ItemKind = (typeof PORT_KINDS)[number];
/** A port carries one value of a kind, or a list of them (`text[]`). */
export type PortKind = ItemKind | `${Exclude<ItemKind, 'any'>}[]`;

export { GRAPH_SCHEMA_VERSION, notReserved, RESERVED_MESSAGE, RESERVED_NAMES, RUN_TRIGGER_KINDS } from './graphConstants';

export type GraphNode = z.infer<typeof GraphNodeSchema>;
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;
export type Graph = z.infer<typeof GraphSchema>;

export function edgeId(edge: GraphEdge): string {
  return edge.id ?? `${edge.source}.${edge.sourceHandle}->${edge.target}.${edge.targetHandle}`;
}

/** Graph problems and a run's state: their schemas live in reports.ts, out of this module and so out of the studio's bundle. */
export type { NodeCache, NodeState, Problem, RunState } from './reports';

export type ArtifactRef = z.infer<typeof ArtifactRefSchema>;

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

export type CostEstimate = z.infer<typeof CostEstimateSchema>;

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

export type RunInputs = z.infer<typeof RunInputsSchema>;
