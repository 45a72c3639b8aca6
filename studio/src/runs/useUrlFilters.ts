import { useCallback, useEffect, useState } from 'react';
import { filtersFromSearch, filtersToSearch, type RunFilters } from './filters';

/**
 * Filters kept in the page address, so that a reload or a shared link keeps them. A change replaces the address
 * (Back leaves the page rather than undoing a filter); arriving at another address of the same page (the Runs link
 * in the navigation, Back) reads it again.
 */
export function useUrlFilters(): [RunFilters, (next: RunFilters) => void] {
  const [filters, setFilters] = useState(() => filtersFromSearch(location.search));
  useEffect(() => {
    const reread = () => setFilters(filtersFromSearch(location.search));
    window.addEventListener('popstate', reread);
    window.addEventListener('cf-navigate', reread);
    return () => {
      window.removeEventListener('popstate', reread);
      window.removeEventListener('cf-navigate', reread);
    };
  }, []);
  const change = useCallback((next: RunFilters) => {
    setFilters(next);
    history.replaceState(history.state, '', location.pathname + filtersToSearch(next));
  }, []);
  return [filters, change];
}
