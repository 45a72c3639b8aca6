import type { Graph, RunInputs } from './graph';

/** What starts a run's workflow (`runPipeline`): from the API, or from a schedule's first step. */
export interface RunPipelineArgs {
  runId: string;
  userId: string;
  projectId: string;
  pipelineId: string;
  /** Already validated and normalised (params with defaults) by the API. */
  graph: Graph;
  inputs: RunInputs;
}
