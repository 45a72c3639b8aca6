import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { RunSummary } from '../lib/api';
import { between, duration, timeAgo, triggerLabel, usd } from '../lib/format';
import { linkProps, navigate } from '../lib/router';
import { useSignedUrl } from '../lib/signedUrls';
import { inputsLine } from './filters';
import type { RunListState } from './useRunList';

function Thumbnail({ run }: { run: RunSummary }) {
  return (
    <a className="run-thumb" {...linkProps(`/runs/${run.id}`)} tabIndex={-1} aria-hidden>
      {run.thumbnail ? <ThumbnailImage path={run.thumbnail} /> : <span className="run-thumb-none">◆</span>}
    </a>
  );
}

function ThumbnailImage({ path }: { path: string }) {
  const src = useSignedUrl(path);
  return src ? <img src={src} alt="" loading="lazy" /> : null;
}

/** Loads the next page as its end scrolls into view; the button does the same by click or keyboard. */
function MoreRuns({ state }: { state: RunListState }) {
  const sentinel = useRef<HTMLDivElement>(null);
  const { loadMore } = state;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || state.done || state.error) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), { rootMargin: '400px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, [loadMore, state.done, state.error]);
  if (state.done) return null;
  return (
    <div className="run-more" ref={sentinel}>
      <button type="button" className="btn small" onClick={loadMore} disabled={state.loading}>
        {state.loading ? 'Loading…' : state.error ? 'Try again' : 'Load more'}
      </button>
    </div>
  );
}

/**
 * Runs as a table: a thumbnail of what each made, its pipeline (with `showPipeline`), inputs, status, what started
 * it, when, how long it took and what it cost; tick two and compare them side by side.
 */
export function RunList({ state, showPipeline, empty }: { state: RunListState; showPipeline: boolean; empty: ReactNode }) {
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) => setPicked((prev) => (prev.includes(id) ? prev.filter((p) => p !== id) : [...prev, id].slice(-2)));
  const { runs } = state;

  if (state.error && runs.length === 0) {
    return (
      <div className="alert error" role="alert">
        Could not load the runs: {state.error}{' '}
        <button type="button" className="btn small" onClick={state.loadMore}>
          Try again
        </button>
      </div>
    );
  }
  if (runs.length === 0) {
    return state.loading ? (
      <div className="loading small" role="status">
        <span className="spinner small" aria-hidden /> Loading runs…
      </div>
    ) : (
      <div className="empty">{empty}</div>
    );
  }
  return (
    <>
      <table className="table runs-table" data-count={runs.length}>
        <thead>
          <tr>
            <th className="run-pick">
              <span className="visually-hidden">Compare</span>
            </th>
            <th className="run-thumb-col" aria-label="Picture" />
            <th>{showPipeline ? 'Pipeline and inputs' : 'Inputs'}</th>
            <th>Status</th>
            <th>Started</th>
            <th>Started by</th>
            <th className="run-duration">Took</th>
            <th className="run-cost">Cost</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const took = between(r.startedAt ?? r.createdAt, r.finishedAt);
            const inputs = inputsLine(r.inputs);
            const isPicked = picked.includes(r.id);
            return (
              <tr key={r.id} data-run={r.id} className={isPicked ? 'picked' : undefined}>
                <td className="run-pick">
                  <input
                    type="checkbox"
                    checked={isPicked}
                    onChange={() => toggle(r.id)}
                    aria-label={`Pick for comparing: ${inputs || r.pipelineName}, ${timeAgo(r.createdAt)}`}
                  />
                </td>
                <td className="run-thumb-col">
                  <Thumbnail run={r} />
                </td>
                <td className="run-main">
                  {showPipeline && <div className="run-pipeline">{r.pipelineName}</div>}
                  <a className="run-inputs" title={inputs} {...linkProps(`/runs/${r.id}`)}>
                    {inputs || <span className="muted">No inputs</span>}
                  </a>
                  {r.error && (
                    <div className="muted small clip" title={r.error}>
                      {r.error}
                    </div>
                  )}
                </td>
                <td>
                  <a {...linkProps(`/runs/${r.id}`)} className={`status-pill status-${r.status}`}>
                    {r.status}
                  </a>
                </td>
                <td title={new Date(r.createdAt).toLocaleString()}>
                  {timeAgo(r.createdAt)} <span className="muted small">v{r.pipelineVersion}</span>
                </td>
                <td className="trigger" data-trigger={r.trigger.kind}>
                  {triggerLabel(r.trigger)}
                </td>
                <td className="run-duration">{r.finishedAt && took !== null ? duration(took) : '…'}</td>
                <td className="run-cost">{r.costUsd === null ? <span className="muted">—</span> : usd(r.costUsd)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <MoreRuns state={state} />
      {picked.length > 0 && (
        <div className="compare-bar card" role="region" aria-label="Compare runs">
          <span>{picked.length === 1 ? 'Pick one more run to compare it with.' : 'Two runs picked.'}</span>
          <div className="spacer" />
          <button type="button" className="btn small ghost" onClick={() => setPicked([])}>
            Clear
          </button>
          <button
            type="button"
            className="btn small primary"
            disabled={picked.length < 2}
            onClick={() => navigate(`/runs/compare?a=${picked[0]}&b=${picked[1]}`)}
          >
            Compare side by side
          </button>
        </div>
      )}
    </>
  );
}
