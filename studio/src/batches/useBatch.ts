import { useCallback, useEffect, useState } from 'react';
import { api, type Batch } from '../lib/api';

/** How often a batch still running is read again (its runs' statuses and outputs). */
const REFRESH_MS = 1500;

/** A batch, read again every REFRESH_MS until none of its runs is left to end. */
export function useBatch(batchId: string) {
  const [batch, setBatch] = useState<Batch | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      api<Batch>('GET', `/batches/${batchId}`).then(
        (b) => {
          setBatch(b);
          setError(null);
          return b;
        },
        (err: Error) => {
          setError(err.message);
          return null;
        },
      ),
    [batchId],
  );

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const b = await reload();
      if (!stopped && (!b || b.status === 'running')) timer = setTimeout(() => void tick(), REFRESH_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [reload]);

  return { batch, error, reload };
}

/** The runs of a batch the user starred ("keep"), remembered in this browser. */
export function useKept(batchId: string) {
  const key = `cf.batch.${batchId}.kept`;
  const [kept, setKept] = useState<Set<string>>(() => {
    try {
      return new Set(JSON.parse(localStorage.getItem(key) ?? '[]') as string[]);
    } catch {
      return new Set();
    }
  });
  const toggle = (runId: string) =>
    setKept((current) => {
      const next = new Set(current);
      if (!next.delete(runId)) next.add(runId);
      try {
        localStorage.setItem(key, JSON.stringify([...next]));
      } catch {
        // Private mode: the stars last as long as the page.
      }
      return next;
    });
  return { kept, toggle };
}
