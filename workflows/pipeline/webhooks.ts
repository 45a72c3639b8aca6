import type { RunStatus, RunTrigger } from './graph';

/**
 * Webhooks out: the events a pipeline's webhook can subscribe to, the delivery a workflow hands the sending
 * activity, and the JSON body a receiver gets (signed per the Standard Webhooks spec).
 */
export const WEBHOOK_EVENTS = ['run.succeeded', 'run.failed', 'run.cancelled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** What "send test event" sends: never subscribed to, it goes to the one webhook asked. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';
export type WebhookEventType = WebhookEvent | typeof WEBHOOK_TEST_EVENT;

/** The event a run that ended with `status` announces. */
export function runEventOf(status: Exclude<RunStatus, 'queued' | 'running'>): WebhookEvent {
  return `run.${status}`;
}

/** The failure of a delivery whose URL leads to an address the operator does not allow: retrying would not help. */
export const WEBHOOK_ADDRESS_REFUSED = 'WebhookAddressRefused';

/** One message to one webhook, retried by its own workflow until delivered or 24 h have passed. */
export interface WebhookDelivery {
  webhookId: string;
  /** The `webhook-id` header: the same on every retry, so a receiver can drop duplicates. */
  messageId: string;
  event: WebhookEventType;
  /** The run the event is about; null for a test event. */
  runId: string | null;
  /** When it happened (ISO 8601): the body's `timestamp`, the same on every retry. */
  occurredAt: string;
  /** How long the first retry waits; each later one waits twice as long as the one before (at most 2 h). */
  firstRetryMs: number;
}

/** The body of every delivery: Standard Webhooks' `{type, timestamp, data}`. */
export type WebhookPayload =
  | { type: WebhookEvent; timestamp: string; data: RunSummaryData }
  | { type: typeof WEBHOOK_TEST_EVENT; timestamp: string; data: TestEventData };

export interface RunSummaryData {
  runId: string;
  status: RunStatus;
  error: string | null;
  pipeline: { id: string; name: string; version: number };
  trigger: RunTrigger;
  /**
   * The outputs of the run's last nodes (null unless it succeeded). Media items and artifacts carry an absolute
   * `url` (under PUBLIC_URL), which answers to an `Authorization: Bearer` API key of the pipeline's owner.
   */
  outputs: Record<string, unknown> | null;
  timings: { createdAt: string; startedAt: string | null; finishedAt: string | null; durationMs: number | null };
  cost: { usd: number; generations: number };
  /** The run's page in the studio. */
  url: string;
}

export interface TestEventData {
  webhookId: string;
  pipeline: { id: string; name: string };
  message: string;
}
