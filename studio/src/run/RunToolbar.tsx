import { useMemo, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { isTerminal, type RunViewState } from '../core/runState';
import { api, type Pipeline, type RunDetail } from '../lib/api';
import { between, duration } from '../lib/format';
import { linkProps, navigate } from '../lib/router';
import { ToolbarMenu } from '../ui/ToolbarMenu';
import { startRerun } from './rerun';
import { ShareDialog } from './ShareDialog';

/** The run's name, status, progress and connection, with Cancel while it runs and Run again once it is over. */
export function RunToolbar({
  run,
  pipeline,
  runStore,
  narrow = false,
  panelToggle,
}: {
  run: RunDetail;
  pipeline: Pipeline;
  runStore: StoreApi<RunViewState>;
  /** A narrow window: links fold into a menu, and `panelToggle` (the details drawer's) shows. */
  narrow?: boolean;
  panelToggle?: ReactNode;
}) {
  const status = useStore(runStore, (s) => s.status);
  const connection = useStore(runStore, (s) => s.connection);
  const nodeStates = useStore(runStore, (s) => s.nodes);
  const [cancelling, setCancelling] = useState(false);
  const [rerunning, setRerunning] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const [takeAwayError, setTakeAwayError] = useState<string | null>(null);
  const [sharing, setSharing] = useState(false);
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

  const unfinished = useMemo(() => Object.values(nodeStates).some((n) => n.status !== 'succeeded'), [nodeStates]);
  const [retrying, setRetrying] = useState(false);
  const [retryError, setRetryError] = useState<string | null>(null);
  const retryFailed = async () => {
    setRetrying(true);
    setRetryError(null);
    try {
      await startRerun(run.id, { onlyFailed: true });
    } catch (err) {
      setRetryError(`Could not retry: ${(err as Error).message}`);
      setRetrying(false);
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

  /** The zip downloads through a signed link: the browser streams it to disk, with its own progress. */
  const downloadAll = async () => {
    setDownloading(true);
    setTakeAwayError(null);
    try {
      const path = `/api/runs/${run.id}/archive`;
      const { urls } = await api<{ urls: { path: string; url: string }[] }>('POST', '/signed-urls', { paths: [path] });
      if (!urls[0]) throw new Error('the server would not sign the download');
      const link = document.createElement('a');
      link.href = urls[0].url;
      link.download = '';
      document.body.append(link);
      link.click();
      link.remove();
    } catch (err) {
      setTakeAwayError(`Download failed: ${(err as Error).message}. Try again.`);
    } finally {
      setDownloading(false);
    }
  };

  const elapsed = between(run.startedAt ?? run.createdAt, done ? run.finishedAt : null);

  // At 800 px these fold into the menu with the other links, so the toolbar stays one row.
  const versionLink = (className: string) => (
    <a
      className={className}
      data-run-version={run.pipelineVersion}
      title="Open the version this run ran, read-only"
      {...linkProps(`/pipelines/${pipeline.id}?version=${run.pipelineVersion}`)}
    >
      version {run.pipelineVersion}
    </a>
  );
  const shareButton = done && (
    <button
      className="btn small"
      onClick={() => setSharing(true)}
      title="Make a read-only link to this run's outputs"
      aria-haspopup="dialog"
    >
      Share
    </button>
  );

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
      {!narrow && versionLink('muted small')}
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
      {(takeAwayError ?? retryError) && (
        <span className="small error-text" role="alert">
          {takeAwayError ?? retryError}
        </span>
      )}
      {narrow && panelToggle}
      <ToolbarMenu narrow={narrow}>
        <a className="btn small" {...linkProps(`/pipelines/${pipeline.id}/runs`)}>
          History
        </a>
        {run.workflowUrl && (
          <a
            className="btn small"
            href={run.workflowUrl}
            target="_blank"
            rel="noreferrer"
            title="This run's workflow in the Temporal Web UI: its history, timings and retries"
          >
            Workflow ↗
          </a>
        )}
        {narrow && (
          <a className="btn small" {...linkProps(`/pipelines/${pipeline.id}`)}>
            Edit pipeline
          </a>
        )}
        {narrow && versionLink('btn small')}
        {narrow && shareButton}
        {done && (
          <button
            className="btn small"
            onClick={() => void downloadAll()}
            disabled={downloading}
            title="Everything this run made — pictures, sound, texts and a manifest — as one zip"
          >
            {downloading ? 'Preparing…' : '⤓ Download all (zip)'}
          </button>
        )}
      </ToolbarMenu>
      {!narrow && shareButton}
      {sharing && <ShareDialog runId={run.id} onClose={() => setSharing(false)} />}
      {!done && (
        <button className="btn small danger" onClick={() => void cancel()} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : '■ Cancel'}
        </button>
      )}
      {done && status !== 'succeeded' && unfinished && (
        <button
          className="btn small"
          onClick={() => void retryFailed()}
          disabled={retrying}
          title="Run the steps that failed or never ran again, with the pipeline's current version; what succeeded is reused at no cost"
        >
          {retrying ? 'Starting…' : status === 'failed' ? '↻ Retry failed' : '↻ Run the rest'}
        </button>
      )}
      {done && (
        <button className="btn small" onClick={() => void runAgain()} disabled={rerunning} title="Start a new run with the same inputs">
          {rerunning ? 'Starting…' : '↻ Run again'}
        </button>
      )}
      {!narrow && (
        <a className="btn small primary" {...linkProps(`/pipelines/${pipeline.id}`)}>
          Edit pipeline
        </a>
      )}
    </div>
  );
}
