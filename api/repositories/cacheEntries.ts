import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import type { CacheEntry, Wire } from '../schemas';

/** Most entries a list answers (newest first). */
const LIST_LIMIT = 500;

/** The user's output cache as Settings shows it: what is kept, from which run of which pipeline, and what each reuse saves. */
export function createCacheEntryRepository(db: Kysely<Database>) {
  return {
    async list(userId: string): Promise<Wire<typeof CacheEntry>[]> {
      const rows = await db
        .selectFrom('cache_entries as c')
        .leftJoin('pipelines as p', 'p.id', 'c.pipeline_id')
        .select(['c.id', 'c.node_id', 'c.node_type', 'c.run_id', 'c.pipeline_id', 'p.name as pipeline_name', 'c.cost_usd', 'c.created_at'])
        .where('c.user_id', '=', userId)
        .orderBy('c.created_at', 'desc')
        .orderBy('c.id')
        .limit(LIST_LIMIT)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        nodeId: r.node_id,
        nodeType: r.node_type,
        runId: r.run_id,
        pipelineId: r.pipeline_id,
        pipelineName: r.pipeline_name,
        savedUsd: Number(r.cost_usd),
        createdAt: r.created_at.toISOString(),
      }));
    },
    async clear(userId: string): Promise<number> {
      const result = await db.deleteFrom('cache_entries').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    /** False when the user has no such entry. */
    async remove(userId: string, id: string): Promise<boolean> {
      const result = await db.deleteFrom('cache_entries').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type CacheEntryRepository = ReturnType<typeof createCacheEntryRepository>;
