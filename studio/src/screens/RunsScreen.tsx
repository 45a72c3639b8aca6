import { useEffect, useState } from 'react';
import { api, type PipelineSummary } from '../lib/api';
import { linkProps } from '../lib/router';
import { hasFilters, NO_FILTERS } from '../runs/filters';
import { RunFilterBar } from '../runs/RunFilterBar';
import { RunList } from '../runs/RunList';
import { useRunList } from '../runs/useRunList';
import { useUrlFilters } from '../runs/useUrlFilters';

/** Every run of every pipeline: find one by its inputs, narrow by pipeline, status, trigger and days, compare two. */
export default function RunsScreen() {
  const [filters, setFilters] = useUrlFilters();
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  const state = useRunList('/runs', filters);

  useEffect(() => {
    api<{ pipelines: PipelineSummary[] }>('GET', '/pipelines?limit=200').then(
      (r) => setPipelines([...r.pipelines].sort((a, b) => a.name.localeCompare(b.name))),
      () => undefined, // the filter then offers all pipelines only; the list itself says what went wrong
    );
  }, []);

  return (
    <div className="page runs-page">
      <h1>Runs</h1>
      <RunFilterBar filters={filters} onChange={setFilters} pipelines={pipelines} />
      <RunList
        state={state}
        showPipeline
        empty={
          hasFilters(filters) ? (
            <>
              <h3>No runs match</h3>
              <p>Try other words or fewer filters.</p>
              <button type="button" className="btn" onClick={() => setFilters(NO_FILTERS)}>
                Clear filters
              </button>
            </>
          ) : (
            <>
              <h3>No runs yet</h3>
              <p>
                Open a pipeline and press <strong>▶ Run</strong>: every run lands here, with its inputs and what it made.
              </p>
              <a className="btn primary" {...linkProps('/')}>
                Go to projects
              </a>
            </>
          )
        }
      />
    </div>
  );
}
