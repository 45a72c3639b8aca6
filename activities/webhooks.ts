import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { Webhook } from 'standardwebhooks';
import { blockedAddressIn } from '../infra/netguard';
import {
  artifactUrl,
  isArtifactRef,
  WEBHOOK_ADDRESS_REFUSED,
  WEBHOOK_TEST_EVENT,
  type RunSummaryData,
  type WebhookDelivery,
  type WebhookPayload,
} from '../workflows/pipeline';
import type { WebhookActivities } from './contract';
import type { StoredRun, StoredWebhook, WebhookStore } from './webhookStore';

export interface WebhookDeps {
  store: WebhookStore;
  /** A fetch that refuses addresses the operator's webhook policy does not allow (infra/guardedFetch.ts). */
  fetch: typeof fetch;
  /** Absolute links in the payload start with this (Config.publicUrl). */
  publicUrl: string;
  firstRetryMs: number;
}

/** How long a receiver has to answer one attempt. */
export const DELIVERY_TIMEOUT_MS = 15_000;

/** The `webhook-id` of a run's event to one webhook: derived, so every retry (and a replanned one) sends the same. */
export function messageIdOf(runId: string, webhookId: string, event: string): string {
  return `msg_${createHash('sha256').update(`${runId}/${webhookId}/${event}`).digest('base64url').slice(0, 32)}`;
}

export function createWebhookActivities(deps: WebhookDeps): WebhookActivities {
  const { store } = deps;

  const payloadOf = async (delivery: WebhookDelivery, hook: StoredWebhook): Promise<WebhookPayload | undefined> => {
    if (delivery.event === WEBHOOK_TEST_EVENT || delivery.runId === null) {
      return {
        type: WEBHOOK_TEST_EVENT,
        timestamp: delivery.occurredAt,
        data: {
          webhookId: hook.id,
          pipeline: { id: hook.pipelineId, name: hook.pipelineName },
          message: 'A test event from CreativeFlow: this endpoint will get the events it subscribed to when runs of this pipeline end.',
        },
      };
    }
    const run = await store.run(delivery.runId);
    return run && { type: delivery.event, timestamp: delivery.occurredAt, data: runSummary(run, deps.publicUrl) };
  };

  return {
    async planWebhookDeliveries({ runId, pipelineId, event }) {
      const occurredAt = new Date().toISOString();
      const ids = await store.subscribed(pipelineId, event);
      return ids.map((webhookId) => ({
        webhookId,
        messageId: messageIdOf(runId, webhookId, event),
        event,
        runId,
        occurredAt,
        firstRetryMs: deps.firstRetryMs,
      }));
    },

    async sendWebhook(delivery) {
      const hook = await store.webhook(delivery.webhookId);
      const payload = hook && (await payloadOf(delivery, hook));
      if (!hook || !payload) return { statusCode: null, responseMs: null }; // deleted since: nobody to tell
      const body = JSON.stringify(payload);
      const sentAt = new Date();
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'CreativeFlow-Webhooks/1',
        'webhook-id': delivery.messageId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': new Webhook(hook.secret).sign(delivery.messageId, sentAt, body),
      };
      const started = performance.now();
      let statusCode: number | null = null;
      let error: string | null = null;
      let refused = false;
      try {
        const res = await deps.fetch(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
        statusCode = res.status;
        await res.body?.cancel(); // what a receiver answers is not kept: only that it answered, how and how fast
        if (statusCode < 200 || statusCode > 299) error = `answered ${statusCode}`;
      } catch (err) {
        const blocked = blockedAddressIn(err);
        refused = !!blocked;
        error = blocked ? blocked.message : failureText(err);
      }
      const responseMs = statusCode === null ? null : Math.round(performance.now() - started);
      const { attempt } = Context.current().info;
      await store.recordAttempt({ ...delivery, attempt, statusCode, responseMs, error });
      if (!error) return { statusCode, responseMs };
      const message = `${hook.url}: ${error}`;
      throw refused
        ? ApplicationFailure.nonRetryable(message, WEBHOOK_ADDRESS_REFUSED)
        : ApplicationFailure.retryable(message, 'WebhookNotDelivered');
    },
  };
}

/** Why a request got no answer, in a few words ("connect ECONNREFUSED 127.0.0.1:9", "no answer within 15 s"). */
function failureText(err: unknown): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`;
  const cause = e?.cause;
  return cause?.message ?? e?.message ?? String(err);
}

export function runSummary(run: StoredRun, publicUrl: string): RunSummaryData {
  const { createdAt, startedAt, finishedAt } = run;
  return {
    runId: run.id,
    status: run.status,
    error: run.error,
    pipeline: run.pipeline,
    trigger: run.trigger,
    outputs: run.outputs && (withAbsoluteUrls(run.outputs, publicUrl) as Record<string, unknown>),
    timings: {
      createdAt: createdAt.toISOString(),
      startedAt: startedAt?.toISOString() ?? null,
      finishedAt: finishedAt?.toISOString() ?? null,
      durationMs: startedAt && finishedAt ? finishedAt.getTime() - startedAt.getTime() : null,
    },
    cost: { usd: run.costUsd, generations: run.generations },
    url: `${publicUrl}/runs/${run.id}`,
  };
}

/** Outputs as a receiver can use them: media items' `/api/...` links made absolute, artifacts given one. */
function withAbsoluteUrls(value: unknown, publicUrl: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withAbsoluteUrls(v, publicUrl));
  if (typeof value !== 'object' || value === null) return value;
  if (isArtifactRef(value)) return { ...value, url: publicUrl + artifactUrl(value) };
  const entries = Object.entries(value).map(([k, v]) => [
    k,
    k === 'url' && typeof v === 'string' && v.startsWith('/api/') ? publicUrl + v : withAbsoluteUrls(v, publicUrl),
  ]);
  return Object.fromEntries(entries);
}
