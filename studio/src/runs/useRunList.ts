import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type RunSummary } from '../lib/api';
import { rememberSignedUrl } from '../lib/signedUrls';
import { apiQuery, type RunFilters } from './filters';

export const PAGE_SIZE = 50;

export interface RunListState {
  runs: RunSummary[];
  /** Loading the first page (nothing shown yet) or the next one. */
  loading: boolean;
  /** Every run that matches is in `runs`. */
  done: boolean;
  error: string | null;
  loadMore(): void;
}

/**
 * The runs matching `filters`, newest first, a page at a time (keyset paging on the last id). Changing the
 * filters starts again from the first page; an answer for filters no longer current is dropped.
 */
export function useRunList(path: string, filters: RunFilters): RunListState {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [loading, setLoading] = useState(true);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const key = `${path}?${apiQuery(filters, { limit: PAGE_SIZE })}`;

  const load = useCallback(
    async (after: string | undefined, reset: boolean) => {
      const mine = reset ? ++generation.current : generation.current;
      setLoading(true);
      setError(null);
      try {
        const page = await api<{ runs: RunSummary[] }>('GET', `${path}?${apiQuery(filters, { limit: PAGE_SIZE, after })}`);
        if (mine !== generation.current) return;
        for (const r of page.runs) if (r.thumbnail && r.thumbnailSignedUrl) rememberSignedUrl(r.thumbnail, r.thumbnailSignedUrl);
        setRuns((prev) => (reset ? page.runs : [...prev, ...page.runs.filter((r) => !prev.some((p) => p.id === r.id))]));
        setDone(page.runs.length < PAGE_SIZE);
      } catch (err) {
        if (mine !== generation.current) return;
        setError((err as Error).message);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    // `key` stands for path and filters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );

  useEffect(() => {
    setRuns([]);
    setDone(false);
    void load(undefined, true);
  }, [load]);

  const last = runs[runs.length - 1]?.id;
  const loadMore = useCallback(() => {
    // With nothing loaded (the first page failed), this tries the first page again.
    if (!loading && !done) void load(last, last === undefined);
  }, [loading, done, last, load]);

  return { runs, loading, done, error, loadMore };
}
