import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { api, type MediaItem } from '../lib/api';

/** How long a deletion can be undone before its bytes are really deleted. */
export const UNDO_MS = 6000;

interface Pending {
  items: MediaItem[];
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Deletes with undo: the items leave the list at once, and are deleted on the server after UNDO_MS (or when
 * another deletion starts, or the page is left). A deletion the server refuses puts the items back.
 */
export function usePendingDelete(opts: { onDeleted: (ids: Set<string>) => void; onFailed: (message: string) => void }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const current = useRef<Pending | null>(null);
  const callbacks = useRef(opts);
  useLayoutEffect(() => {
    callbacks.current = opts;
  });

  const commit = useCallback((batch: Pending, leaving = false) => {
    clearTimeout(batch.timer);
    if (current.current === batch) {
      current.current = null;
      if (!leaving) setPending(null);
    }
    void Promise.allSettled(batch.items.map((m) => api('DELETE', `/media/${m.id}`, undefined, { keepalive: leaving }))).then((results) => {
      if (leaving) return;
      const deleted = new Set(batch.items.filter((_, i) => results[i].status === 'fulfilled').map((m) => m.id));
      callbacks.current.onDeleted(deleted);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      // Already gone (deleted elsewhere) is what was wanted.
      if (failed && (failed.reason as { status?: number }).status !== 404)
        callbacks.current.onFailed(`Could not delete ${batch.items.length - deleted.size} item(s): ${(failed.reason as Error).message}`);
    });
  }, []);

  const remove = useCallback(
    (items: MediaItem[]) => {
      if (current.current) commit(current.current);
      const batch: Pending = { items, timer: setTimeout(() => commit(batch), UNDO_MS) };
      current.current = batch;
      setPending(batch);
    },
    [commit],
  );

  const undo = useCallback(() => {
    if (!current.current) return;
    clearTimeout(current.current.timer);
    current.current = null;
    setPending(null);
  }, []);

  useEffect(() => {
    const leave = () => {
      if (current.current) commit(current.current, true);
    };
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      leave();
    };
  }, [commit]);

  /** The ids hidden while their deletion can still be undone. */
  const hidden = new Set(pending?.items.map((m) => m.id));
  return { pending: pending?.items ?? null, hidden, remove, undo, commitNow: () => current.current && commit(current.current) };
}
