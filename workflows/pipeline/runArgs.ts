import type { Graph, RunInputs } from './graph';
import type { NodeCache } from './reports';

/** What starts a run's workflow (`runPipeline`): from the API, or from a schedule's first step. */
export interface RunPipelineArgs {
  runId: string;
  userId: string;
  projectId: string;
  pipelineId: string;
  /** Already validated and normalised (params with defaults) by the API. */
  graph: Graph;
  inputs: RunInputs;
  /**
   * A re-run's reuse plan (made by the API from its parent run): these nodes do not run, they succeed at once
   * with the output recorded earlier. Absent for ordinary runs.
   */
  seeded?: Record<string, SeededNode>;
  /** A re-run's reuse plan for fanned-out nodes that partly failed: the items that succeeded are not run again. */
  seededItems?: Record<string, SeededItems>;
  /** `fresh`: no node reuses a cached output (they are still kept for later runs). Absent: use the cache. */
  cache?: 'use' | 'fresh';
  /**
   * Set by every start since the lean-runs patch: the run takes every patch up to lean-runs as given, from its start
   * arguments instead of a marker (a marker is a history event and an update of the run's search attributes, on
   * every run). Absent for runs started before, which read their markers.
   */
  lean?: true;
}

/** A node's recorded output from an earlier run (refs in it point at that run's artifacts, the same user's). */
export interface SeededNode extends NodeCache {
  output: Record<string, unknown>;
}

/** Per item of a fan-out, its output recorded earlier (its refs that run's artifacts), or null where it must run. */
export type SeededItems = (Record<string, unknown> | null)[];
