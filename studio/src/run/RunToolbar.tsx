import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { isTerminal, type RunViewState } from '../core/runState';
import { api, type Pipeline, type RunDetail } from '../lib/api';
import { between, duration } from '../lib/format';
import { linkProps, navigate } from '../lib/router';

/** The run's name, status, progress and connection, with Cancel while it runs and Run again once it is over. */
export function RunToolbar({ run, pipeline, runStore }: { run: RunDetail; pipeline: Pipeline; runStore: StoreApi<RunViewState> }) {
  const status = useStore(runStore, (s) => s.status);
  const connection = useStore(runStore, (s) => s.connection);
  const nodeStates = useStore(runStore, (s) => s.nodes);
  const [cancelling, setCancelling] = useState(false);
  const [rerunning, setRerunning] = useState(false);
  const done = isTerminal(status);

  const counts = useMemo(() => {
    const total = pipeline.graph.nodes.length;
    const finished = Object.values(nodeStates).filter((n) => n.status === 'succeeded').length;
    return { total, finished };
  }, [nodeStates, pipeline]);

  const cancel = async () => {
    setCancelling(true);
    try {
      await api('POST', `/runs/${run.id}/cancel`);
    } catch {
      setCancelling(false);
    }
  };

  const runAgain = async () => {
    setRerunning(true);
    try {
      const res = await api<{ id: string }>('POST', `/pipelines/${pipeline.id}/runs`, { inputs: run.inputs ?? {} });
      navigate(`/runs/${res.id}`);
    } catch {
      setRerunning(false);
    }
  };

  const elapsed = between(run.startedAt ?? run.createdAt, done ? run.finishedAt : null);

  return (
    <div className="toolbar">
      <a className="btn ghost small" {...linkProps(`/pipelines/${pipeline.id}`)} title="Back to the editor">
        ←
      </a>
      {run.batchId && (
        <a className="btn ghost small" {...linkProps(`/batches/${run.batchId}`)} title="The results of the batch this run is part of">
          Batch
        </a>
      )}
      <strong className="run-title">{pipeline.name}</strong>
      <span className={`status-pill status-${status}`} data-run-status={status}>
        {status}
      </span>
      <span className="muted small">
        {counts.finished}/{counts.total} steps done{elapsed !== null ? ` · ${duration(elapsed)}` : ''}
      </span>
      <progress className="run-progress" max={counts.total || 1} value={counts.finished} aria-label="Run progress" />
      {!done && (
        <span className={`conn conn-${connection}`}>
          {connection === 'live' ? '● live' : connection === 'reconnecting' ? 'reconnecting…' : 'connecting…'}
        </span>
      )}
      <div className="spacer" />
      <a className="btn small" {...linkProps(`/pipelines/${pipeline.id}/runs`)}>
        History
      </a>
      {!done && (
        <button className="btn small danger" onClick={() => void cancel()} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : '■ Cancel'}
        </button>
      )}
      {done && (
        <button className="btn small" onClick={() => void runAgain()} disabled={rerunning} title="Start a new run with the same inputs">
          {rerunning ? 'Starting…' : '↻ Run again'}
        </button>
      )}
      <a className="btn small primary" {...linkProps(`/pipelines/${pipeline.id}`)}>
        Edit pipeline
      </a>
    </div>
  );
}
