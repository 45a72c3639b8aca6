export { runPipeline, runStateQuery, type RunPipelineArgs } from './runPipeline';
export { deliverWebhook, deliveryWorkflowId } from './webhooks';
