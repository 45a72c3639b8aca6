import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  TERMINAL_STATUSES,
  type LiveEvent,
  type NodeState,
  type NodeStatus,
  type RunEvent,
  type RunStatus,
} from '../../../workflows/pipeline';

/** What the run view knows about one node: the persisted state plus live extras (attempt, streamed text). */
export interface LiveNodeState extends NodeState {
  /** The attempt in progress, from `node.attempt` live events. */
  attempt?: number;
  /** Text streamed so far (token chunks appended, or the running total replaced). */
  streamText?: string;
}

export interface RunViewState {
  status: RunStatus | null;
  error: string | null;
  outputs: Record<string, unknown> | null;
  nodes: Record<string, LiveNodeState>;
  lastSeq: number;
  /** `connecting` until the event stream opens; `closed` after the final status. */
  connection: 'idle' | 'connecting' | 'live' | 'reconnecting' | 'closed';
  reset(initial: {
    status: RunStatus;
    error: string | null;
    outputs: Record<string, unknown> | null;
    nodes: Record<string, NodeState>;
  }): void;
  apply(event: RunEvent | LiveEvent): void;
  setConnection(c: RunViewState['connection']): void;
}

const emptyNode = (): LiveNodeState => ({ status: 'queued', attempts: 0, startedAt: null, finishedAt: null, output: null, error: null });

/** Appends a chunk, or replaces when the event carries the whole text so far. */
export function mergeStreamText(previous: string | undefined, text: string): string {
  if (!previous) return text;
  if (text.startsWith(previous)) return text;
  return previous + text;
}

export function isTerminal(status: NodeStatus | null | undefined): boolean {
  return !!status && (TERMINAL_STATUSES as readonly NodeStatus[]).includes(status);
}

export function createRunStore(): StoreApi<RunViewState> {
  return createStore<RunViewState>()((set, get) => ({
    status: null,
    error: null,
    outputs: null,
    nodes: {},
    lastSeq: 0,
    connection: 'idle',
    reset(initial) {
      set({ status: initial.status, error: initial.error, outputs: initial.outputs, nodes: { ...initial.nodes }, lastSeq: 0 });
    },
    setConnection(connection) {
      set({ connection });
    },
    apply(event) {
      const s = get();
      if ('seq' in event) {
        if (event.type === 'run.status') {
          set({ status: event.status, error: event.error ?? s.error, lastSeq: Math.max(s.lastSeq, event.seq) });
        } else {
          const prev = s.nodes[event.nodeId];
          const next: LiveNodeState = { ...event.state };
          // Keep what streamed until the final output lands.
          if (prev?.streamText && event.state.status === 'running') next.streamText = prev.streamText;
          if (prev?.attempt && event.state.status === 'running') next.attempt = Math.max(prev.attempt, event.state.attempts);
          set({ nodes: { ...s.nodes, [event.nodeId]: next }, lastSeq: Math.max(s.lastSeq, event.seq) });
        }
        return;
      }
      const prev = s.nodes[event.nodeId] ?? emptyNode();
      if (event.type === 'node.attempt') {
        set({
          nodes: {
            ...s.nodes,
            [event.nodeId]: {
              ...prev,
              attempt: event.attempt,
              status: isTerminal(prev.status) ? prev.status : 'running',
              startedAt: prev.startedAt ?? event.at,
            },
          },
        });
      } else {
        const progress = {
          ...prev.progress,
          ...(event.fraction !== undefined ? { fraction: event.fraction } : {}),
          ...(event.message !== undefined ? { message: event.message } : {}),
        };
        const streamText = event.text !== undefined ? mergeStreamText(prev.streamText, event.text) : prev.streamText;
        set({ nodes: { ...s.nodes, [event.nodeId]: { ...prev, progress, streamText } } });
      }
    },
  }));
}
