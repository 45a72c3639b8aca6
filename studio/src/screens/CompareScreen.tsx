import { useEffect, useState } from 'react';
import { TERMINAL_STATUSES } from '../../../workflows/pipeline/graph';
import { api, ApiError, type Pipeline, type RunDetail } from '../lib/api';
import { linkProps } from '../lib/router';
import { RunCompare, type CompareSide } from '../runs/RunCompare';
import { Loading } from '../ui/Loading';

const RELOAD_MS = 2_000;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadSide(runId: string): Promise<CompareSide> {
  const run = await api<RunDetail>('GET', `/runs/${runId}`);
  const pipeline = await api<Pipeline>('GET', `/pipelines/${run.pipelineId}?version=${run.pipelineVersion}`);
  return { run, pipeline };
}

/** `/runs/compare?a=<run>&b=<run>`: two runs side by side. */
export default function CompareScreen() {
  const [ids] = useState(() => {
    const params = new URLSearchParams(location.search);
    return [params.get('a') ?? '', params.get('b') ?? ''] as const;
  });
  const [sides, setSides] = useState<[CompareSide, CompareSide] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const valid = ids.every((id) => ID.test(id));

  const [reloads, setReloads] = useState(0);
  const going = sides?.some((s) => !TERMINAL_STATUSES.includes(s.run.status)) ?? false;

  useEffect(() => {
    if (!valid) return;
    let current = true;
    Promise.all(ids.map(loadSide)).then(
      ([a, b]) => current && setSides([a, b]),
      (err) =>
        current &&
        setError(
          err instanceof ApiError && err.status === 404 ? 'One of these runs no longer exists, or is not yours.' : (err as Error).message,
        ),
    );
    return () => {
      current = false;
    };
  }, [ids, valid, reloads]);

  // A run still going is read again every few seconds, until both have ended.
  useEffect(() => {
    if (!going) return;
    const timer = setTimeout(() => setReloads((n) => n + 1), RELOAD_MS);
    return () => clearTimeout(timer);
  }, [going, sides]);

  if (!valid || error) {
    return (
      <div className="page">
        <div className="empty">
          <h2>{error ? 'Cannot compare these runs' : 'Pick two runs to compare'}</h2>
          <p>{error ?? 'Tick two runs in the list of runs, then press “Compare side by side”.'}</p>
          <a className="btn primary" {...linkProps('/runs')}>
            Go to runs
          </a>
        </div>
      </div>
    );
  }
  if (!sides) return <Loading label="Loading both runs…" />;
  return (
    <div className="page compare-page">
      <div className="row between">
        <div>
          <a className="muted small" {...linkProps('/runs')}>
            ← Runs
          </a>
          <h1>Compare runs</h1>
        </div>
        {going && (
          <span className="loading small" role="status">
            <span className="spinner small" aria-hidden /> A run is still going: this follows it.
          </span>
        )}
      </div>
      <RunCompare a={sides[0]} b={sides[1]} />
    </div>
  );
}
