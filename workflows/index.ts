export { approvalDecisionUpdate, runPipeline, runStateQuery, type ApprovalUpdateArgs, type RunPipelineArgs } from './runPipeline';
export { deliverWebhook, deliveryWorkflowId } from './webhooks';
export { scheduledRun, runWorkflowId, type ScheduledRunArgs, type ScheduledRunResult } from './scheduledRun';
export { runBatch, batchWorkflowId, cancelBatchRunSignal, type RunBatchArgs, type RunBatchResult } from './runBatch';
