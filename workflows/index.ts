export { runPipeline, runStateQuery, type RunPipelineArgs } from './runPipeline';
