import { useEffect, useState } from 'react';
import { TRIGGER_NAMES } from '../lib/format';
import { hasFilters, NO_FILTERS, STATUS_NAMES, type RunFilters } from './filters';

const SEARCH_PAUSE_MS = 250;

/**
 * The run lists' filters: a search box over the inputs (applied once typing pauses, or on Enter), the pipeline
 * (when `pipelines` is given), status, what started the run, and a range of days.
 */
export function RunFilterBar({
  filters,
  onChange,
  pipelines,
}: {
  filters: RunFilters;
  onChange(next: RunFilters): void;
  pipelines?: { id: string; name: string }[];
}) {
  const [text, setText] = useState(filters.q);
  useEffect(() => setText(filters.q), [filters.q]);
  useEffect(() => {
    if (text === filters.q) return;
    const timer = setTimeout(() => onChange({ ...filters, q: text }), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text, filters, onChange]);
  const set = <K extends keyof RunFilters>(key: K, value: RunFilters[K]) => onChange({ ...filters, q: text, [key]: value });

  return (
    <div className="run-filters" role="search" aria-label="Filter runs">
      <label className="run-search">
        <span className="muted small">Search inputs</span>
        <input
          type="search"
          placeholder="Words in a run's inputs…"
          value={text}
          maxLength={200}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && onChange({ ...filters, q: text })}
        />
      </label>
      {pipelines && (
        <label>
          <span className="muted small">Pipeline</span>
          <select value={filters.pipelineId} onChange={(e) => set('pipelineId', e.target.value)}>
            <option value="">All pipelines</option>
            {pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        <span className="muted small">Status</span>
        <select value={filters.status} onChange={(e) => set('status', e.target.value as RunFilters['status'])}>
          <option value="">Any</option>
          {Object.entries(STATUS_NAMES).map(([status, name]) => (
            <option key={status} value={status}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="muted small">Started by</span>
        <select value={filters.trigger} onChange={(e) => set('trigger', e.target.value as RunFilters['trigger'])}>
          <option value="">Anything</option>
          {Object.entries(TRIGGER_NAMES).map(([kind, name]) => (
            <option key={kind} value={kind}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="muted small">From</span>
        <input type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => set('from', e.target.value)} />
      </label>
      <label>
        <span className="muted small">To</span>
        <input type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => set('to', e.target.value)} />
      </label>
      {hasFilters({ ...filters, q: text }, pipelines ? [] : ['pipelineId']) && (
        <button
          type="button"
          className="btn small ghost"
          onClick={() => onChange({ ...NO_FILTERS, pipelineId: pipelines ? '' : filters.pipelineId })}
        >
          Clear filters
        </button>
      )}
    </div>
  );
}
