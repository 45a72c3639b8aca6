import { useEffect, useState } from 'react';
import { Loading } from '../ui/Loading';
import { api, type Pipeline, type RunSummary } from '../lib/api';
import { between, duration, timeAgo, triggerLabel } from '../lib/format';
import { linkProps } from '../lib/router';

export default function HistoryScreen({ pipelineId }: { pipelineId: string }) {
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([api<Pipeline>('GET', `/pipelines/${pipelineId}`), api<{ runs: RunSummary[] }>('GET', `/pipelines/${pipelineId}/runs?limit=200`)]).then(
      ([p, r]) => {
        setPipeline(p);
        setRuns(r.runs);
      },
      (err) => setError((err as Error).message),
    );
  }, [pipelineId]);

  if (error) return <div className="page"><div className="alert error" role="alert">{error}</div></div>;
  if (!pipeline || !runs) return <Loading label="Loading runs…" />;
  return (
    <div className="page narrow">
      <div className="row between">
        <div>
          <a className="muted small" {...linkProps(`/projects/${pipeline.projectId}`)}>← Project</a>
          <h1>Runs of “{pipeline.name}”</h1>
        </div>
        <a className="btn primary" {...linkProps(`/pipelines/${pipeline.id}`)}>Open editor</a>
      </div>
      {runs.length === 0 ? (
        <div className="empty">
          <h3>No runs yet</h3>
          <p>Open the editor and press <strong>▶ Run</strong> to start one.</p>
        </div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Status</th>
              <th>Started</th>
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
                <tr key={r.id}>
                  <td>
                    <a {...linkProps(`/runs/${r.id}`)} className={`status-pill status-${r.status}`}>{r.status}</a>
                  </td>
                  <td>
                    <a {...linkProps(`/runs/${r.id}`)}>{timeAgo(r.createdAt)}</a>
                  </td>
                  <td>{r.finishedAt && took !== null ? duration(took) : '…'}</td>
                  <td>v{r.pipelineVersion}</td>
                  <td data-trigger={triggerLabel(r.trigger)}>{triggerLabel(r.trigger)}</td>
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
