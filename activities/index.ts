import { Context } from '@temporalio/activity';
import { bestEffort } from '../infra/bus/bestEffort';
import { runChannel } from '../infra/bus/common';
import { errorText, logger } from '../infra/log';
import { metrics, secondsSince } from '../infra/telemetry';
import { TERMINAL_STATUSES, activityNodeDefinition, activityNodeTypes, type ActivityNodeType, type LiveEvent } from '../workflows/pipeline';
import { createArtifactGuard } from './artifacts';
import type { Activities, NodeActivity } from './contract';
import type { ActivityDeps, NodeStep, NodeSteps } from './deps';
import { delay } from './flow';
import { createGenerationKit } from './generation';
import { createImageSteps } from './image';
import { createLargeValues } from './largeValues';
import { createOutputCache } from './outputCache';
import { createProgressWatch } from './liveProgress';
import { withParams } from './params';
import { createSpeechSteps } from './speech';
import { createStorybookSteps } from './storybook';
import { createTextSteps } from './text';
import { createStorageSteps } from './storage';

export type { ActivityDeps } from './deps';
export { createRunStore, type RunStore } from './runStore';

/** Builds the worker's activities around the services it is handed (real ones, or test ones). */
export function createActivities(given: ActivityDeps): Activities {
  // Live events are a courtesy next to the database record: a bus that is away never fails or stalls a node.
  const progress = createProgressWatch(bestEffort(given.bus));
  const deps: ActivityDeps = { ...given, bus: progress.bus };
  const kit = createGenerationKit(deps);
  const steps: NodeSteps = {
    delay,
    ...createStorageSteps(deps),
    ...createTextSteps(deps, kit),
    ...createSpeechSteps(deps, kit),
    ...createImageSteps(deps, kit),
    ...createStorybookSteps(deps, kit),
  };
  const checkArtifactRefs = createArtifactGuard(deps.store);
  const tracked =
    (nodeType: string, step: NodeStep, working: string): NodeActivity =>
    async (input) => {
      const started = performance.now();
      let stopWatching = () => {};
      try {
        await checkArtifactRefs(input);
        const { attempt } = Context.current().info;
        // The workflow recorded attempt 1 when it started the node; a retry is news to the run's record.
        if (attempt > 1) await deps.store.recordAttempt(input.runId, input.nodeId, attempt);
        const event: LiveEvent = { type: 'node.attempt', at: new Date().toISOString(), nodeId: input.nodeId, attempt };
        await deps.bus.publish(runChannel(input.runId), event);
        stopWatching = progress.watch(input, working);
        const output = await step(input);
        metrics.activityDuration.observe({ node_type: nodeType, outcome: 'ok' }, secondsSince(started));
        return { output, attempt };
      } catch (err) {
        const outcome = Context.current().cancellationSignal.aborted ? 'cancelled' : 'failed';
        metrics.activityDuration.observe({ node_type: nodeType, outcome }, secondsSince(started));
        logger.warn({ runId: input.runId, nodeId: input.nodeId, nodeType, err: errorText(err) }, `${nodeType} step ${outcome}`);
        throw err;
      } finally {
        stopWatching();
      }
    };

  const largeValues = createLargeValues(deps.blobs);
  const nodeActivity = <A extends ActivityNodeType>(name: A): NodeActivity => {
    const definition = activityNodeDefinition(name);
    return tracked(name, withParams(definition, largeValues.aroundNodeStep(steps[name], definition)), definition.working ?? 'Working');
  };
  const nodeActivities = Object.fromEntries(activityNodeTypes.map((name) => [name, nodeActivity(name)])) as Record<
    ActivityNodeType,
    NodeActivity
  >;

  return {
    async reportRunProgress(report) {
      const { endedTrigger } = await deps.store.applyReport(report);
      for (const event of report.events) {
        if (event.type === 'run.status' && TERMINAL_STATUSES.includes(event.status)) {
          metrics.runsFinished.inc({ status: event.status, trigger: endedTrigger ?? 'unknown' });
        }
      }
      // All at once (one connection keeps their order), so a stalled bus costs one timeout, not one per event.
      await Promise.all(report.events.map((event) => deps.bus.publish(runChannel(report.runId), event)));
    },
    runInlineStep: tracked('inline', largeValues.inlineStep, 'Working on a large value'),
    ...createOutputCache(deps),
    ...nodeActivities,
  };
}
