import { useCallback, useEffect, useState } from 'react';
import { api, type Schedule } from '../lib/api';

const REFRESH_MS = 4_000;

/**
 * The user's schedules (of one pipeline, or all), refreshed every few seconds while shown, so recent runs
 * and their statuses appear as the schedule fires.
 */
export function useSchedules(pipelineId?: string) {
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path = pipelineId ? `/schedules?pipelineId=${pipelineId}` : '/schedules';

  const reload = useCallback(async () => {
    try {
      setSchedules((await api<{ schedules: Schedule[] }>('GET', path)).schedules);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [path]);

  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  /** Puts a schedule the server just answered in place (or drops it: null), without waiting for the next refresh. */
  const replace = (id: string, next: Schedule | null) =>
    setSchedules((list) => {
      const rest = (list ?? []).filter((s) => s.id !== id);
      if (!next) return rest;
      const index = (list ?? []).findIndex((s) => s.id === id);
      return index < 0 ? [...rest, next] : (list ?? []).map((s) => (s.id === id ? next : s));
    });

  return { schedules, error, reload, replace };
}
