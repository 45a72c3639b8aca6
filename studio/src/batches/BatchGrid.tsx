import type { BatchRun } from '../lib/api';
import { between, duration } from '../lib/format';
import { linkProps } from '../lib/router';
import { OutputValue } from '../ui/OutputValue';

const STATUS_WORDS: Record<BatchRun['status'], string> = {
  queued: 'waiting',
  running: 'running',
  succeeded: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** What a cell is titled by: its inputs, shortest first (a topic, a prompt), or its place in the batch. */
function titleOf(run: BatchRun): string {
  const values = Object.values(run.inputs).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return values.join(' · ') || `Item ${run.item + 1}`;
}

/** Every output value of a run, by node and port (sinks' outputs as the run recorded them). */
function outputValues(run: BatchRun): { key: string; value: unknown }[] {
  return Object.entries(run.outputs ?? {}).flatMap(([nodeId, ports]) =>
    ports && typeof ports === 'object' && !Array.isArray(ports)
      ? Object.entries(ports as Record<string, unknown>).map(([port, value]) => ({ key: `${nodeId}.${port}`, value }))
      : [{ key: nodeId, value: ports }],
  );
}

/** The batch's runs as a grid of results to compare: inputs, seed, status, outputs, and a star to keep the best. */
export function BatchGrid({ runs, kept, onToggleKeep }: { runs: BatchRun[]; kept: Set<string>; onToggleKeep(runId: string): void }) {
  return (
    <ul className="batch-grid" aria-label="Results">
      {runs.map((run, i) => {
        const took = between(run.startedAt, run.finishedAt);
        const isKept = kept.has(run.runId);
        return (
          <li key={run.runId} className={`card batch-cell${isKept ? ' kept' : ''}`} data-run={run.runId} data-status={run.status}>
            <div className="batch-cell-head">
              <span className="batch-cell-title" title={titleOf(run)}>
                <span className="muted">#{i + 1}</span> {titleOf(run)}
              </span>
              <button
                type="button"
                className="btn ghost icon keep"
                aria-pressed={isKept}
                aria-label={isKept ? `Unstar result ${i + 1}` : `Star result ${i + 1} to keep it`}
                title={isKept ? 'Kept (starred in this browser)' : 'Keep: star this result'}
                onClick={() => onToggleKeep(run.runId)}
              >
                {isKept ? '★' : '☆'}
              </button>
            </div>
            <div className="row batch-cell-meta small">
              <span className={`status-pill status-${run.status}`}>{STATUS_WORDS[run.status]}</span>
              {run.seed !== null && <span className="muted">seed {run.seed}</span>}
              {run.finishedAt && took !== null && <span className="muted">{duration(took)}</span>}
            </div>
            <div className="batch-cell-body">
              {run.status === 'succeeded' ? (
                outputValues(run).map(({ key, value }) => <OutputValue key={key} value={value} compact />)
              ) : run.status === 'failed' ? (
                <div className="node-error">{run.error ?? 'Failed'}</div>
              ) : run.status === 'cancelled' ? (
                <p className="muted small">Cancelled{run.startedAt ? '' : ' before it started'}.</p>
              ) : (
                <div className="batch-cell-wait muted small">
                  <span className={run.status === 'running' ? 'spinner small' : ''} aria-hidden />{' '}
                  {run.status === 'running' ? 'Running…' : 'Waiting for its turn…'}
                </div>
              )}
            </div>
            <a className="small" {...linkProps(`/runs/${run.runId}`)}>
              Open run →
            </a>
          </li>
        );
      })}
    </ul>
  );
}
