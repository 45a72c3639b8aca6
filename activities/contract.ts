import type {
  ActivityNodeType,
  NodeCache,
  RunEvent,
  RunInputs,
  RunPipelineArgs,
  WebhookDelivery,
  WebhookEvent,
} from '../workflows/pipeline';

/** What the workflow hands every node activity. */
export interface ActivityInput {
  runId: string;
  nodeId: string;
  userId: string;
  projectId: string;
  pipelineId: string;
  /** Position in a fanned-out list; 0 for a single call. Part of every idempotency key. */
  itemIndex: number;
  params: Record<string, unknown>;
  inputs: Record<string, unknown>;
  /** Output values bigger than this (bytes of JSON) come back as artifact refs; MAX_INLINE_VALUE_BYTES when absent. */
  outputLimitBytes?: number;
}

/** An inline (pure) node's step, run as an activity because its inputs or outputs are too big for the workflow. */
export interface InlineStepInput extends ActivityInput {
  nodeType: string;
  /** The pipeline inputs the step reads (an input node's own), not all of them. */
  pipelineInputs: RunInputs;
}

export interface ActivityResult {
  output: Record<string, unknown>;
  /** The attempt that succeeded (1 = first try). */
  attempt: number;
}

export type NodeActivity = (input: ActivityInput) => Promise<ActivityResult>;

/** A batch of run events from the workflow; persisting it is idempotent by (runId, seq). */
export interface RunReport {
  runId: string;
  events: RunEvent[];
  outputs: Record<string, unknown> | null;
}

/** Asks whether a node's output with this key was kept (by this user, recently enough, its artifacts still there). */
export interface CacheLookup {
  userId: string;
  key: string;
  /** Entries older than this are not reused; absent: any age. */
  maxAgeMs?: number;
}

/** A node's output reused from the cache: the output and what computing it cost, in which run. */
export interface CacheHit extends NodeCache {
  output: Record<string, unknown>;
}

/** A node's successful output, kept under its key for later runs of the same user. */
export interface CacheEntryToSave {
  userId: string;
  key: string;
  runId: string;
  pipelineId: string;
  nodeId: string;
  nodeType: string;
  output: Record<string, unknown>;
}

/** The worker's activities: one per activity the catalog's node types run (a missing one is a type error), and the workflow's own. */
export interface Activities extends Record<ActivityNodeType, NodeActivity> {
  reportRunProgress(report: RunReport): Promise<void>;
  runInlineStep(input: InlineStepInput): Promise<ActivityResult>;
  lookupCache(lookup: CacheLookup): Promise<CacheHit | null>;
  saveCacheEntry(entry: CacheEntryToSave): Promise<void>;
}

/** The run whose end is being announced to its pipeline's webhooks. */
export interface RunEnd {
  runId: string;
  pipelineId: string;
  event: WebhookEvent;
}

/** A run's last report, and the run's end its webhooks are to hear of. */
export interface RunEndReport {
  report: RunReport;
  end: RunEnd;
}

/** The run's end in one local activity: its last report stored, then its webhook deliveries planned (activities/runEnd.ts). */
export interface RunEndActivities {
  reportRunEnd(runEnd: RunEndReport): Promise<WebhookDelivery[]>;
}

/** What one delivery attempt got back (an attempt that got no 2xx throws instead, to be retried). */
export interface DeliveryAttempt {
  statusCode: number | null;
  responseMs: number | null;
}

/** The worker's webhook activities (activities/webhooks.ts): a family apart, registered next to Activities. */
export interface WebhookActivities {
  /** One delivery per webhook of the pipeline that takes the event (none: nothing to send). */
  planWebhookDeliveries(end: RunEnd): Promise<WebhookDelivery[]>;
  /** One attempt, recorded in the delivery log; throws unless the receiver answered 2xx (or the webhook is gone). */
  sendWebhook(delivery: WebhookDelivery): Promise<DeliveryAttempt>;
}

/** What a schedule's action hands each workflow it starts (fixed when the schedule is created or edited). */
export interface ScheduledRunArgs {
  scheduleId: string;
  userId: string;
  pipelineId: string;
  /** A pinned version; absent: the pipeline's current version at fire time. */
  version?: number;
  inputs: RunInputs;
}

export type ScheduledRunStart =
  /** Recorded as queued: run it. */
  | { kind: 'start'; run: RunPipelineArgs }
  /** Recorded as failed, with why (the pipeline or the inputs are no longer valid). */
  | { kind: 'refused'; runId: string; error: string }
  /** The schedule is gone (deleted, or its pipeline was): nothing is recorded and the schedule is removed. */
  | { kind: 'orphaned'; reason: string };

export interface ScheduledRunActivities {
  recordScheduledRun(args: ScheduledRunArgs): Promise<ScheduledRunStart>;
}

/** The runs a batch workflow never started (it was cancelled first): recorded as cancelled, once. */
export interface BatchActivities {
  cancelQueuedRuns(runIds: string[]): Promise<void>;
}
