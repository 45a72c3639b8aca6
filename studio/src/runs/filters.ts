import { RUN_TRIGGER_KINDS, type RunStatus, type RunTrigger } from '../../../workflows/pipeline/graph';

/** What the run lists are narrowed to, as the filter bar holds it (dates are the days picked, `yyyy-mm-dd`, local). */
export interface RunFilters {
  q: string;
  pipelineId: string;
  status: RunStatus | '';
  trigger: RunTrigger['kind'] | '';
  from: string;
  to: string;
}

export const NO_FILTERS: RunFilters = { q: '', pipelineId: '', status: '', trigger: '', from: '', to: '' };
const KEYS = Object.keys(NO_FILTERS) as (keyof RunFilters)[];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const STATUS_NAMES = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  running: 'Running',
  queued: 'Queued',
  cancelled: 'Cancelled',
} as const satisfies Record<RunStatus, string>;

export const hasFilters = (f: RunFilters, ignore: (keyof RunFilters)[] = []) => KEYS.some((k) => !ignore.includes(k) && f[k].trim() !== '');

/** The filters a page address holds (`?q=fox&status=failed`), so that a reload or a shared link keeps them. */
export function filtersFromSearch(search: string): RunFilters {
  const params = new URLSearchParams(search);
  const read = (k: keyof RunFilters) => params.get(k) ?? '';
  const day = (k: 'from' | 'to') => (DAY.test(read(k)) ? read(k) : '');
  return {
    q: read('q'),
    pipelineId: read('pipelineId'),
    status: read('status') in STATUS_NAMES ? (read('status') as RunStatus) : '',
    trigger: RUN_TRIGGER_KINDS.find((t) => t === read('trigger')) ?? '',
    from: day('from'),
    to: day('to'),
  };
}

/** The page address's query for the filters: only what is set, `''` when nothing is. */
export function filtersToSearch(f: RunFilters): string {
  const params = new URLSearchParams();
  for (const k of KEYS) if (f[k].trim()) params.set(k, f[k].trim());
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The start of a picked day in this browser's time zone, as an instant. */
const startOfDay = (day: string, plusDays = 0) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
};

/** The API's query (GET /api/runs) for the filters: `to` takes its whole day, so it becomes `before` the next one. */
export function apiQuery(f: RunFilters, page: { limit: number; after?: string }): string {
  const params = new URLSearchParams({ limit: String(page.limit) });
  if (f.q.trim()) params.set('q', f.q.trim());
  if (f.pipelineId) params.set('pipelineId', f.pipelineId);
  if (f.status) params.set('status', f.status);
  if (f.trigger) params.set('trigger', f.trigger);
  if (DAY.test(f.from)) params.set('from', startOfDay(f.from));
  if (DAY.test(f.to)) params.set('before', startOfDay(f.to, 1));
  if (page.after) params.set('after', page.after);
  return params.toString();
}

/** A run's inputs in a line: the value alone when there is one, else `name: value` pairs. */
export function inputsLine(inputs: Record<string, unknown>): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const entries = Object.entries(inputs ?? {});
  if (entries.length === 1) return text(entries[0][1]);
  return entries.map(([k, v]) => `${k}: ${text(v)}`).join(' · ');
}
