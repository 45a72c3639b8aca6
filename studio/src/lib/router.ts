import { useEffect, useState } from 'react';

/** A tiny history router: real paths (/runs/:id), served by the API's SPA fallback. */
export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event('cf-navigate'));
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener('cf-navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('cf-navigate', update);
    };
  }, []);
  return path;
}

export type Route =
  | { screen: 'login' }
  | { screen: 'signup' }
  | { screen: 'projects'; projectId?: string }
  | { screen: 'editor'; pipelineId: string }
  | { screen: 'history'; pipelineId: string }
  | { screen: 'runs' }
  | { screen: 'compare' }
  | { screen: 'run'; runId: string }
  | { screen: 'batch'; batchId: string }
  | { screen: 'media' }
  | { screen: 'schedules' }
  | { screen: 'settings' }
  | { screen: 'public'; token: string }
  | { screen: 'notfound' };

export function matchRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [a, b, c] = parts;
  if (parts.length === 0) return { screen: 'projects' };
  if (a === 'login' && !b) return { screen: 'login' };
  if (a === 'signup' && !b) return { screen: 'signup' };
  if (a === 'projects') return { screen: 'projects', projectId: b };
  if (a === 'pipelines' && b && !c) return { screen: 'editor', pipelineId: b };
  if (a === 'pipelines' && b && c === 'runs') return { screen: 'history', pipelineId: b };
  if (a === 'runs' && !b) return { screen: 'runs' };
  if (a === 'runs' && b === 'compare' && !c) return { screen: 'compare' };
  if (a === 'runs' && b) return { screen: 'run', runId: b };
  if (a === 'batches' && b && !c) return { screen: 'batch', batchId: b };
  if (a === 'media') return { screen: 'media' };
  if (a === 'schedules' && !b) return { screen: 'schedules' };
  if (a === 'settings') return { screen: 'settings' };
  if (a === 'p' && b && !c) return { screen: 'public', token: b };
  return { screen: 'notfound' };
}

/** An <a> that navigates without reloading. */
export function linkProps(to: string) {
  return {
    href: to,
    onClick: (e: { preventDefault(): void; metaKey: boolean; ctrlKey: boolean; button: number }) => {
      if (e.metaKey || e.ctrlKey || e.button !== 0) return;
      e.preventDefault();
      navigate(to);
    },
  };
}

/** One query parameter of the address, kept current across navigations (a screen that stays open sees it change). */
export function useSearchParam(name: string): string | null {
  const read = () => new URLSearchParams(location.search).get(name);
  const [value, setValue] = useState(read);
  useEffect(() => {
    const update = () => setValue(read());
    window.addEventListener('popstate', update);
    window.addEventListener('cf-navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('cf-navigate', update);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `read` only reads `name`
  }, [name]);
  return value;
}
