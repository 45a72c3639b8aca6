import { useEffect, useState } from 'react';
import { api, type RunSummary } from '../lib/api';
import { timeAgo } from '../lib/format';
import { linkProps } from '../lib/router';
import { inputsLine } from './filters';

/** How many waiting runs the section lists; more are rare, and the run list still has them all. */
const SHOWN = 20;

/** Runs with an approval step waiting for a person: nothing at all when there are none. */
export function WaitingRuns() {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  useEffect(() => {
    api<{ runs: RunSummary[] }>('GET', `/runs?waiting=true&limit=${SHOWN}`).then(
      (r) => setRuns(r.runs),
      () => undefined, // the list below says what went wrong with the server
    );
  }, []);
  if (runs.length === 0) return null;
  return (
    <section className="waiting-runs" aria-labelledby="waiting-runs-title">
      <h2 id="waiting-runs-title">Waiting for you ({runs.length})</h2>
      <ul>
        {runs.map((r) => (
          <li key={r.id} data-waiting-run={r.id}>
            <a {...linkProps(`/runs/${r.id}`)}>
              {r.pipelineName} · {inputsLine(r.inputs) || 'no inputs'}
            </a>{' '}
            <span className="muted small">started {timeAgo(r.createdAt)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
