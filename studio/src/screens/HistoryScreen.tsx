import { useEffect, useState } from 'react';
import { Loading } from '../ui/Loading';
import { api, type Pipeline, type RunSummary } from '../lib/api';
import { between, duration, timeAgo, TRIGGER_NAMES, triggerLabel } from '../lib/format';
import { linkProps } from '../lib/router';

type TriggerFilter = keyof typeof TRIGGER_NAMES | '';

export default function HistoryScreen({ pipelineId }: { pipelineId: string }) {
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [trigger, setTrigger] = useState<TriggerFilter>('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Pipeline>('GET', `/pipelines/${pipelineId}`).then(setPipeline, (err) => setError((err as Error).message));
  }, [pipelineId]);

  useEffect(() => {
    let current = true;
    const query = `limit=200${trigger ? `&trigger=${trigger}` : ''}`;
    api<{ runs: RunSummary[] }>('GET', `/pipelines/${pipelineId}/runs?${query}`).then(
      (r) => current && setRuns(r.runs),
      (err) => current && setError((err as Error).message),
    );
    return () => {
      current = false;
    };
  }, [pipelineId, trigger]);

  if (error)
    return (
      <div className="page">
        <div className="alert error" role="alert">
          {error}
        </div>
      </div>
    );
  if (!pipeline || !runs) return <Loading label="Loading runs…" />;
  return (
    <div className="page narrow">
      <div className="row between">
        <div>
          <a className="muted small" {...linkProps(`/projects/${pipeline.projectId}`)}>
            ← Project
          </a>
          <h1>Runs of “{pipeline.name}”</h1>
        </div>
        <a className="btn primary" {...linkProps(`/pipelines/${pipeline.id}`)}>
          Open editor
        </a>
      </div>
      <div className="row filter-row">
        <label className="muted small" htmlFor="trigger-filter">
          Started by
        </label>
        <select id="trigger-filter" value={trigger} onChange={(e) => setTrigger(e.target.value as TriggerFilter)}>
          <option value="">Anything</option>
          {Object.entries(TRIGGER_NAMES).map(([kind, name]) => (
            <option key={kind} value={kind}>
              {name}
            </option>
          ))}
        </select>
      </div>
      {runs.length === 0 ? (
        <div className="empty">
          {trigger ? (
            <h3>No runs started by {TRIGGER_NAMES[trigger]}</h3>
          ) : (
            <>
              <h3>No runs yet</h3>
              <p>
                Open the editor and press <strong>▶ Run</strong> to start one.
              </p>
            </>
          )}
        </div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Status</th>
              <th>Started</th>
              <th>Started by</th>
              <th>Duration</th>
              <th>Version</th>
              <th>Started by</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const took = between(r.startedAt ?? r.createdAt, r.finishedAt);
              return (
                <tr key={r.id} data-run={r.id}>
                  <td>
                    <a {...linkProps(`/runs/${r.id}`)} className={`status-pill status-${r.status}`}>
                      {r.status}
                    </a>
                  </td>
                  <td>
                    <a {...linkProps(`/runs/${r.id}`)}>{timeAgo(r.createdAt)}</a>
                  </td>
                  <td className="trigger" data-trigger={r.trigger.kind}>
                    {triggerLabel(r.trigger)}
                  </td>
                  <td>{r.finishedAt && took !== null ? duration(took) : '…'}</td>
                  <td>v{r.pipelineVersion}</td>
                  <td className="muted small clip">{r.error ?? ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
