import { useEffect, useMemo, useState } from 'react';
import { Loading } from '../ui/Loading';
import { api, type Pipeline } from '../lib/api';
import { TRIGGER_NAMES } from '../lib/format';
import { linkProps } from '../lib/router';
import { hasFilters, NO_FILTERS } from '../runs/filters';
import { RunFilterBar } from '../runs/RunFilterBar';
import { RunList } from '../runs/RunList';
import { useRunList } from '../runs/useRunList';
import { useUrlFilters } from '../runs/useUrlFilters';

/** One pipeline's runs: the Runs page's list and filters, without the pipeline filter. */
export default function HistoryScreen({ pipelineId }: { pipelineId: string }) {
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [urlFilters, setFilters] = useUrlFilters();
  const filters = useMemo(() => ({ ...urlFilters, pipelineId: '' }), [urlFilters]);
  const [error, setError] = useState<string | null>(null);
  const state = useRunList(`/pipelines/${pipelineId}/runs`, filters);

  useEffect(() => {
    api<Pipeline>('GET', `/pipelines/${pipelineId}`).then(setPipeline, (err) => setError((err as Error).message));
  }, [pipelineId]);

  if (error)
    return (
      <div className="page">
        <div className="alert error" role="alert">
          {error}
        </div>
      </div>
    );
  if (!pipeline) return <Loading label="Loading runs…" />;
  const onlyTrigger = filters.trigger && !hasFilters(filters, ['trigger']);
  return (
    <div className="page runs-page">
      <div className="row between">
        <div>
          <a className="muted small" {...linkProps(`/projects/${pipeline.projectId}`)}>
            ← Project
          </a>
          <h1>Runs of “{pipeline.name}”</h1>
        </div>
        <div className="row">
          <a className="btn" {...linkProps(`/runs?pipelineId=${pipeline.id}`)}>
            All runs
          </a>
          <a className="btn primary" {...linkProps(`/pipelines/${pipeline.id}`)}>
            Open editor
          </a>
        </div>
      </div>
      <RunFilterBar filters={filters} onChange={setFilters} />
      <RunList
        state={state}
        showPipeline={false}
        empty={
          onlyTrigger ? (
            <h3>No runs started by {TRIGGER_NAMES[filters.trigger as keyof typeof TRIGGER_NAMES]}</h3>
          ) : hasFilters(filters) ? (
            <>
              <h3>No runs match</h3>
              <button type="button" className="btn" onClick={() => setFilters(NO_FILTERS)}>
                Clear filters
              </button>
            </>
          ) : (
            <>
              <h3>No runs yet</h3>
              <p>
                Open the editor and press <strong>▶ Run</strong> to start one.
              </p>
            </>
          )
        }
      />
    </div>
  );
}
