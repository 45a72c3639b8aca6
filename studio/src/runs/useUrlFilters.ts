import { useCallback, useState } from 'react';
import { filtersFromSearch, filtersToSearch, type RunFilters } from './filters';

/** Filters kept in the page address (replaced, not pushed: Back leaves the page rather than undoing a filter). */
export function useUrlFilters(): [RunFilters, (next: RunFilters) => void] {
  const [filters, setFilters] = useState(() => filtersFromSearch(location.search));
  const change = useCallback((next: RunFilters) => {
    setFilters(next);
    history.replaceState(history.state, '', location.pathname + filtersToSearch(next));
  }, []);
  return [filters, change];
}
