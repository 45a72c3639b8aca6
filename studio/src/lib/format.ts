import type { RunTrigger } from '../../../workflows/pipeline/graph';

export function timeAgo(iso: string | null | undefined): string {
  if (!iso) return '—';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function between(start: string | null | undefined, end: string | null | undefined, now = Date.now()): number | null {
  if (!start) return null;
  return (end ? new Date(end).getTime() : now) - new Date(start).getTime();
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

/** What started a run, as the run history and the run view say it. */
export const TRIGGER_NAMES = { studio: 'Studio', api: 'API', schedule: 'Schedule', rerun: 'Re-run' } as const satisfies Record<
  RunTrigger['kind'],
  string
>;

/** What started a run, as a run's facts say it ("Started in the studio", "API · CI script"). */
export function triggerLabel(trigger: RunTrigger): string {
  if (trigger.kind === 'studio') return 'Started in the studio';
  const name = TRIGGER_NAMES[trigger.kind] ?? trigger.kind;
  return trigger.kind === 'api' && trigger.keyName ? `${name} · ${trigger.keyName}` : name;
}

/** US dollars as a cost reads: cents, or fractions of a cent when that is all it is. */
export function usd(amount: number): string {
  if (amount === 0) return '$0';
  if (amount < 0.01) return `$${amount.toFixed(4).replace(/0+$/, '')}`;
  return `$${amount.toFixed(2)}`;
}
