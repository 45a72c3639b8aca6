import { findArtifactRefs } from '../workflows/pipeline';
import type { Activities } from './contract';
import type { ActivityDeps } from './deps';

/**
 * The output cache's two activities: the workflow asks before it calls a node's activity, and keeps what the node
 * made once it succeeded. An entry whose artifacts are gone (a deleted media item, a pruned blob) is no entry.
 */
export function createOutputCache({
  store,
  blobs,
}: Pick<ActivityDeps, 'store' | 'blobs'>): Pick<Activities, 'lookupCache' | 'saveCacheEntry'> {
  return {
    async lookupCache({ userId, key, maxAgeMs }) {
      const since = maxAgeMs === undefined ? undefined : new Date(Date.now() - maxAgeMs);
      const hit = await store.findCacheEntry(userId, key, since);
      if (!hit) return null;
      for (const { ref } of findArtifactRefs(hit.output)) {
        if (typeof ref.key !== 'string' || !(await blobs.head(ref.key))) return null;
      }
      return hit;
    },
    async saveCacheEntry(entry) {
      await store.saveCacheEntry(entry);
    },
  };
}
