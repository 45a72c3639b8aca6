import { describe, expect, it } from 'vitest';
import { createActivities, type ActivityDeps } from '../activities';
import type { Activities } from '../activities/contract';
import { activityNodeTypes } from '../workflows/pipeline';
import { missingActivities } from './worker';

describe('worker activity check', () => {
  it('finds nothing missing in the real activities: every activity node type has one', () => {
    const unused = {} as never;
    const deps: ActivityDeps = { store: unused, blobs: unused, bus: unused, providers: unused };
    expect(missingActivities(createActivities(deps))).toEqual([]);
  });

  it('makes a missing activity a type error as well', () => {
    const unused = {} as never;
    const { illustration: _drawn, ...partial } = createActivities({ store: unused, blobs: unused, bus: unused, providers: unused });
    // @ts-expect-error: the activities must cover every activity node type of the catalog
    const activities: Activities = partial;
    expect(missingActivities(activities)).toEqual(['illustration']);
  });

  it('names each activity node type a worker lacks, so it refuses to start', () => {
    expect(activityNodeTypes).toEqual(expect.arrayContaining(['story', 'narration', 'illustration', 'upload']));
    const run = async () => ({});
    const all = Object.fromEntries(activityNodeTypes.map((name) => [name, run]));
    expect(missingActivities(all)).toEqual([]);
    const { illustration: _drawn, narration: _spoken, ...partial } = all;
    expect(missingActivities({ ...partial, narration: 'not a function' })).toEqual(['narration', 'illustration']);
    expect(missingActivities({})).toEqual(activityNodeTypes);
  });
});
