import type { GraphChanges } from '../../../workflows/pipeline/diff';

/** A version's changes in a few words: "2 added · 1 changed", "layout only", "no changes". */
export function changeSummary(changes: GraphChanges, first: boolean): string {
  if (first) return `first version · ${changes.added.length} node${changes.added.length === 1 ? '' : 's'}`;
  const parts = (
    [
      ['added', changes.added],
      ['removed', changes.removed],
      ['changed', changes.changed],
    ] as const
  )
    .filter(([, ids]) => ids.length > 0)
    .map(([what, ids]) => `${ids.length} ${what}`);
  if (parts.length > 0) return parts.join(' · ');
  return changes.moved.length > 0 ? 'layout only' : 'no changes';
}

/** The node ids behind a summary, for its tooltip: "added: voice; changed: story". */
export function changeDetails(changes: GraphChanges): string {
  return (['added', 'removed', 'changed', 'moved'] as const)
    .filter((what) => changes[what].length > 0)
    .map((what) => `${what}: ${changes[what].join(', ')}`)
    .join('; ');
}
