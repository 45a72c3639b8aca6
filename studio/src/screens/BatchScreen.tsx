import { useState } from 'react';
import { BatchGrid } from '../batches/BatchGrid';
import { useBatch, useKept } from '../batches/useBatch';
import { api } from '../lib/api';
import { timeAgo } from '../lib/format';
import { linkProps } from '../lib/router';
import { Loading } from '../ui/Loading';

/** A batch: its runs' results side by side, live while they run, with cancel-all and a star to keep the best. */
export default function BatchScreen({ batchId }: { batchId: string }) {
  const { batch, error, reload } = useBatch(batchId);
  const { kept, toggle } = useKept(batchId);
  const [keptOnly, setKeptOnly] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);

  if (!batch && error)
    return (
      <div className="page">
        <div className="alert error" role="alert">
          {error}
        </div>
      </div>
    );
  if (!batch) return <Loading label="Loading batch…" />;

  const { counts } = batch;
  const total = batch.runs.length;
  const ended = counts.succeeded + counts.failed + counts.cancelled;
  const shown = keptOnly ? batch.runs.filter((r) => kept.has(r.runId)) : batch.runs;

  const cancelAll = async () => {
    setCancelling(true);
    setCancelError(null);
    try {
      await api('POST', `/batches/${batchId}/cancel`);
      await reload();
    } catch (err) {
      setCancelError((err as Error).message);
    } finally {
      setCancelling(false);
    }
  };

  return (
    <div className="page batch-page">
      <div className="row between">
        <div>
          <a className="muted small" {...linkProps(`/pipelines/${batch.pipelineId}`)}>
            ← {batch.pipelineName}
          </a>
          <h1>
            Batch of “{batch.pipelineName}” <span className="muted small">v{batch.pipelineVersion}</span>
          </h1>
          <p className="muted small">
            {total} run{total === 1 ? '' : 's'}
            {batch.seeds ? ` (${batch.seeds} variation${batch.seeds === 1 ? '' : 's'} of each item)` : ''}, {batch.concurrency} at a time ·
            started {timeAgo(batch.createdAt)}
          </p>
        </div>
        <div className="row">
          <a className="btn" {...linkProps(`/pipelines/${batch.pipelineId}/runs`)}>
            All runs
          </a>
          {batch.status === 'running' && (
            <button type="button" className="btn danger" disabled={cancelling} onClick={() => void cancelAll()}>
              {cancelling ? 'Cancelling…' : 'Cancel all'}
            </button>
          )}
        </div>
      </div>
      <div className="row batch-progress" aria-live="polite">
        <progress className="run-progress" max={total} value={ended} aria-label="Runs ended" />
        <span className="small" data-testid="batch-counts">
          {ended} of {total} ended · {counts.succeeded} done
          {counts.running ? ` · ${counts.running} running` : ''}
          {counts.queued ? ` · ${counts.queued} waiting` : ''}
          {counts.failed ? ` · ${counts.failed} failed` : ''}
          {counts.cancelled ? ` · ${counts.cancelled} cancelled` : ''}
        </span>
        <label className="field check small">
          <input type="checkbox" checked={keptOnly} onChange={(e) => setKeptOnly(e.target.checked)} /> Starred only ({kept.size})
        </label>
      </div>
      {(cancelError || error) && (
        <div className="alert error" role="alert">
          {cancelError ?? `Live updates paused: ${error}`}
        </div>
      )}
      {shown.length === 0 ? (
        <div className="empty">
          <h3>No starred results</h3>
          <p>Star (☆) the results you want to keep, then tick “Starred only” to see them alone.</p>
        </div>
      ) : (
        <BatchGrid runs={shown} kept={kept} onToggleKeep={toggle} />
      )}
    </div>
  );
}
