import type { EventBus } from '../infra/bus';
import { runChannel } from '../infra/bus/common';
import type { LiveEvent } from '../workflows/pipeline';
import type { ActivityInput } from './contract';

/** A step quiet for this long gets a word said for it: every node that runs longer than this shows what it is doing. */
export const QUIET_MS = 1_000;

type ProgressEvent = Extract<LiveEvent, { type: 'node.progress' }>;

function isProgress(message: unknown): message is ProgressEvent {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'node.progress';
}

const stepKey = (channel: string, nodeId: string, item: number) => `${channel}\u0000${nodeId}\u0000${item}`;

/**
 * Says what a step is doing while it says nothing itself: a step that has published no progress after QUIET_MS
 * gets `{message: "<what it does> · 3 s"}` every second, until it reports its own progress or ends. Steps that
 * report (narration's sentences, the storybook's encoding) are left alone.
 */
export function createProgressWatch(bus: EventBus) {
  const heard = new Set<string>();

  /** The bus the steps publish on: it notes which steps have spoken. */
  const watchedBus: EventBus = {
    get kind() {
      return bus.kind;
    },
    get connected() {
      return bus.connected;
    },
    ping: () => bus.ping(),
    subscribe: (channel, handler) => bus.subscribe(channel, handler),
    close: () => bus.close(),
    publish(channel, message) {
      if (isProgress(message)) heard.add(stepKey(channel, message.nodeId, message.item ?? 0));
      return bus.publish(channel, message);
    },
  };

  /** Watches one step from now; the returned function stops it (call it when the step ends). */
  function watch(input: Pick<ActivityInput, 'runId' | 'nodeId' | 'itemIndex'>, working: string): () => void {
    const channel = runChannel(input.runId);
    const key = stepKey(channel, input.nodeId, input.itemIndex);
    heard.delete(key);
    const started = Date.now();
    const timer = setInterval(() => {
      if (heard.has(key)) return clearInterval(timer);
      const seconds = Math.round((Date.now() - started) / 1000);
      void bus.publish(channel, {
        type: 'node.progress',
        at: new Date().toISOString(),
        nodeId: input.nodeId,
        ...(input.itemIndex > 0 ? { item: input.itemIndex } : {}),
        message: `${working} · ${seconds} s`,
      } satisfies ProgressEvent);
    }, QUIET_MS);
    timer.unref?.();
    return () => {
      clearInterval(timer);
      heard.delete(key);
    };
  }

  return { bus: watchedBus, watch };
}
