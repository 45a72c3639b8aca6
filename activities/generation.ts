import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { runChannel } from '../infra/bus/common';
import { pricedModel } from '../infra/estimate';
import { costOf, type Usage } from '../infra/prices';
import type { ArtifactRef, LiveEvent } from '../workflows/pipeline';
import type { ActivityDeps, StepInput } from './deps';
import { asTemporalFailure } from './failures';
import { metrics, secondsSince } from '../infra/telemetry';
import type { NewGeneration } from './runStore';

/** Often enough that a cancelled step stops within about a second (the worker sends one heartbeat a second at most). */
const HEARTBEAT_MS = 1_000;

export interface Generated {
  output: Record<string, unknown>;
  /** The `result` column: the text, or the artifact ref as JSON. */
  result: string;
  aiService: string;
  model: string;
  usage: Usage;
  parameters: Record<string, unknown>;
}

export type Progress = Omit<Extract<LiveEvent, { type: 'node.progress' }>, 'type' | 'at' | 'nodeId'>;

/** The params every AI node has. */
interface GenerationParams {
  provider: string;
  model?: string;
}

/**
 * What every AI step shares. Each records one generation per (run, node, item): a retry after a crash that
 * finds it recorded returns it instead of generating (and charging, and counting) again; artifacts are
 * written under keys derived from the same triple, so a retry overwrites rather than duplicates.
 */
export function createGenerationKit({ providers, blobs, bus, store }: ActivityDeps) {
  const publish = (input: StepInput<unknown>, progress: Progress) =>
    bus.publish(runChannel(input.runId), {
      type: 'node.progress',
      at: new Date().toISOString(),
      nodeId: input.nodeId,
      ...(input.itemIndex > 0 ? { item: input.itemIndex } : {}),
      ...progress,
    } satisfies LiveEvent);

  async function generation(
    input: StepInput<GenerationParams>,
    type: NewGeneration['type'],
    prompt: string,
    fromRecord: (result: string) => Record<string, unknown>,
    work: (signal: AbortSignal) => Promise<Generated>,
    /** What the call is expected to use (infra/estimate.ts): its estimated cost is reserved against the budgets first. */
    expected: Usage,
  ): Promise<Record<string, unknown>> {
    const recorded = await store.findGeneration(input.runId, input.nodeId, input.itemIndex);
    if (recorded?.status === 'completed' && recorded.result !== null) return fromRecord(recorded.result);

    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_MS);
    const started = Date.now();
    const { provider } = input.params;
    /** The generation row for this (run, node, item), with what this attempt found out. */
    const record = (
      outcome: Pick<NewGeneration, 'aiService' | 'model' | 'result' | 'parameters' | 'tokensUsed' | 'costUsd'>,
    ): NewGeneration => ({
      userId: input.userId,
      projectId: input.projectId,
      runId: input.runId,
      nodeId: input.nodeId,
      itemIndex: input.itemIndex,
      type,
      prompt,
      mediaId: null,
      processingMs: Date.now() - started,
      ...outcome,
    });
    const attemptRecord = () =>
      record({
        aiService: provider,
        model: input.params.model || provider,
        result: null,
        parameters: { attempt: ctx.info.attempt },
        tokensUsed: null,
        costUsd: 0,
      });
    try {
      // Before the provider is called: past the plan's limits or the run's budget nothing is called, charged or counted.
      const estimatedUsd = costOf(providers.prices, provider, pricedModel(provider, type, input.params.model), expected);
      const refusal = await store.reserveGeneration(attemptRecord(), estimatedUsd);
      if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, 'budget' in refusal ? 'BudgetExceeded' : 'QuotaExceeded');
    } catch (err) {
      clearInterval(beat);
      throw err;
    }
    const called = performance.now();
    try {
      const done = await work(ctx.cancellationSignal);
      const costUsd = costOf(providers.prices, provider, done.model, done.usage);
      recordProviderCall(provider, done, costUsd, secondsSince(called));
      await store.saveGeneration(
        record({
          aiService: done.aiService,
          model: done.model,
          result: done.result,
          parameters: { ...done.parameters, model: done.model },
          tokensUsed: done.usage.promptTokens !== undefined ? done.usage.promptTokens + (done.usage.completionTokens ?? 0) : null,
          costUsd,
        }),
      );
      return done.output;
    } catch (err) {
      // Providers stop with an AbortError when the activity is cancelled: report a cancellation, not a failure.
      const model = input.params.model || provider;
      if (ctx.cancellationSignal.aborted) {
        metrics.providerDuration.observe({ provider, model, outcome: 'cancelled' }, secondsSince(called));
        throw new CancelledFailure('Generation cancelled');
      }
      metrics.providerDuration.observe({ provider, model, outcome: 'failed' }, secondsSince(called));
      metrics.providerErrors.inc({ provider });
      await store.recordFailedGeneration(attemptRecord(), err instanceof Error ? err.message : String(err)).catch(() => undefined); // the record is a courtesy; the failure itself must reach Temporal
      throw asTemporalFailure(err);
    } finally {
      clearInterval(beat);
    }
  }

  async function storeArtifact(
    input: StepInput<unknown>,
    ext: string,
    body: Buffer,
    mimeType: string,
    extra: Partial<ArtifactRef>,
  ): Promise<ArtifactRef> {
    const key = `runs/${input.runId}/${input.nodeId}/${input.itemIndex}${ext}`;
    const stored = await blobs.put(key, body, { contentType: mimeType });
    return { artifact: true, key, mimeType, size: stored.size, ...extra };
  }

  return { publish, generation, storeArtifact };
}

export type GenerationKit = ReturnType<typeof createGenerationKit>;

function recordProviderCall(provider: string, done: Generated, costUsd: number, seconds: number): void {
  const { model, usage } = done;
  metrics.providerDuration.observe({ provider, model, outcome: 'ok' }, seconds);
  if (usage.promptTokens) metrics.providerTokens.inc({ provider, model, kind: 'prompt' }, usage.promptTokens);
  if (usage.completionTokens) metrics.providerTokens.inc({ provider, model, kind: 'completion' }, usage.completionTokens);
  if (costUsd > 0) metrics.providerCost.inc({ provider, model }, costUsd);
}

export function requireText(input: StepInput<unknown>, handle: string): string {
  const value = input.inputs[handle];
  if (typeof value !== 'string' || value.trim() === '') {
    throw ApplicationFailure.nonRetryable(
      `Input '${handle}' needs text, got ${value === undefined ? 'nothing' : typeof value === 'string' ? 'empty text' : typeof value}`,
      'InvalidInput',
    );
  }
  return value;
}
