import type { OverlapPolicy } from '../../../api/contract';

/** What each overlap policy does, in the words the form and the cards use. */
export const OVERLAP_LABELS: Record<OverlapPolicy, string> = {
  skip: 'Skip the new run',
  buffer_one: 'Run it after the current one (keep one waiting)',
  buffer_all: 'Run every one after the other (keep all waiting)',
  cancel_other: 'Cancel the current run and start the new one',
  allow_all: 'Run both at once',
};

export const OVERLAPS = Object.keys(OVERLAP_LABELS) as OverlapPolicy[];
