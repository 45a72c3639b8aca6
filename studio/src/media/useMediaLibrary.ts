import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { MEDIA_KIND_FILTERS } from '../../../api/contract';
import { api, type MediaItem } from '../lib/api';
import { rememberSignedUrl } from '../lib/signedUrls';

export type KindFilter = (typeof MEDIA_KIND_FILTERS)[number];
export interface MediaFilters {
  q: string;
  kind: KindFilter | '';
  pipelineId: string;
}

const PAGE = 200;

function listPath(filters: MediaFilters, after?: string): string {
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.kind) params.set('kind', filters.kind);
  if (filters.pipelineId) params.set('pipelineId', filters.pipelineId);
  if (after) params.set('after', after);
  return `/media?${params}`;
}

/**
 * The library's items for a set of filters, a page of 200 at a time (keyset paging: `after` the last one).
 * Changing the filters starts over; an answer for filters no longer shown is dropped.
 */
export function useMediaLibrary(filters: MediaFilters) {
  const [items, setItems] = useState<MediaItem[]>([]);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const state = useRef({ items, done, loading, generation: 0 });
  useLayoutEffect(() => {
    state.current.items = items;
    state.current.done = done;
  }, [items, done]);

  const load = useCallback(
    async (generation: number, after?: string) => {
      state.current.loading = true;
      setLoading(true);
      try {
        const r = await api<{ media: MediaItem[] }>('GET', listPath(filters, after));
        if (generation !== state.current.generation) return;
        for (const m of r.media) rememberSignedUrl(m.url, m.signedUrl);
        setItems((prev) => {
          const known = new Set(prev.map((p) => p.id));
          return [...prev, ...r.media.filter((m) => !known.has(m.id))];
        });
        setDone(r.media.length < PAGE);
        setError(null);
      } catch (err) {
        if (generation !== state.current.generation) return;
        setError(`Could not load your media: ${(err as Error).message}. Check your connection and reload the page.`);
        setDone(true);
      } finally {
        if (generation === state.current.generation) {
          state.current.loading = false;
          setLoading(false);
        }
      }
    },
    [filters],
  );

  useEffect(() => {
    const generation = ++state.current.generation;
    setItems([]);
    setDone(false);
    void load(generation);
  }, [load]);

  const loadMore = useCallback(() => {
    const { loading: busy, done: finished, items: have, generation } = state.current;
    // Generation 0: the first page has not been asked for yet (the grid's effects run before this hook's).
    if (busy || finished || generation === 0) return;
    void load(generation, have.at(-1)?.id);
  }, [load]);

  /** Renames an item (null: its default title again) and shows the server's answer. */
  const rename = useCallback(async (id: string, name: string | null) => {
    const updated = await api<MediaItem>('PATCH', `/media/${id}`, { name });
    rememberSignedUrl(updated.url, updated.signedUrl);
    setItems((prev) => prev.map((m) => (m.id === id ? updated : m)));
    return updated;
  }, []);

  /** Takes items out of the list (they were deleted, or are about to be). */
  const drop = useCallback((ids: Set<string>) => setItems((prev) => prev.filter((m) => !ids.has(m.id))), []);

  return { items, done, loading, error, loadMore, rename, drop };
}
