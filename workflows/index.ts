export { runPipeline, runStateQuery, type RunPipelineArgs } from './runPipeline';
export { scheduledRun, runWorkflowId, type ScheduledRunArgs, type ScheduledRunResult } from './scheduledRun';
