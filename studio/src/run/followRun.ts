import type { StoreApi } from 'zustand/vanilla';
import type { LiveEvent, RunEvent } from '../../../workflows/pipeline';
import { isTerminal, type RunViewState } from '../core/runState';
import { api, type RunDetail } from '../lib/api';
import { openEventStream } from '../lib/sse';

const EVENT_TYPES = ['run.status', 'node.status', 'node.attempt', 'node.progress'] as const;

/**
 * Follows a run that is still going into its view state: replays the recorded events, then streams; after a
 * drop it resumes with Last-Event-ID. Once the run ends it reloads the run for its final outputs and timings
 * (`finished`). Returns a function that stops following.
 */
export function followRun(
  runId: string,
  store: StoreApi<RunViewState>,
  on: { failed(message: string): void; finished(detail: RunDetail): void },
): () => void {
  let stopped = false;
  let closeStream: (() => void) | null = null;
  store.getState().setConnection('connecting');
  closeStream = openEventStream(`/api/runs/${runId}/events`, {
    onOpen: () => store.getState().setConnection('live'),
    onDrop: () => {
      if (!isTerminal(store.getState().status)) store.getState().setConnection('reconnecting');
    },
    onFail: (status) => {
      if (!stopped) on.failed(`Live updates stopped (HTTP ${status}); reload the page`);
    },
    onEvent: (type, data) => {
      if (!(EVENT_TYPES as readonly string[]).includes(type)) return;
      const event = JSON.parse(data) as RunEvent | LiveEvent;
      store.getState().apply(event);
      if (event.type === 'run.status' && isTerminal(event.status)) {
        closeStream?.();
        store.getState().setConnection('closed');
        api<RunDetail>('GET', `/runs/${runId}`).then(
          (d) => {
            if (stopped) return;
            store
              .getState()
              .reset({ status: d.status, error: d.error, outputs: d.outputs, nodes: { ...store.getState().nodes, ...d.nodes } });
            on.finished(d);
          },
          () => undefined,
        );
      }
    },
  });
  return () => {
    stopped = true;
    closeStream?.();
  };
}
