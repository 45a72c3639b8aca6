import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import type { Generation, Wire } from '../schemas';

/** The model calls a user's runs made (recorded by the worker), newest first, with their cost. */
export function createGenerationRepository(db: Kysely<Database>) {
  return {
    /** Newest first; `after` is an exact keyset cursor (the last id of the previous page). */
    async list(
      userId: string,
      opts: { projectId?: string; limit: number; before?: string; after?: string },
    ): Promise<Wire<typeof Generation>[]> {
      let query = db
        .selectFrom('generations')
        .select([
          'id',
          'project_id',
          'run_id',
          'node_id',
          'item_index',
          'type',
          'ai_service',
          'model',
          'status',
          'prompt',
          'result',
          'parameters',
          'processing_time',
          'tokens_used',
          'cost_usd',
          'created_at',
        ])
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(opts.limit);
      if (opts.projectId) query = query.where('project_id', '=', opts.projectId);
      if (opts.before) query = query.where('created_at', '<', new Date(opts.before));
      if (opts.after) {
        query = query.where(
          sql<boolean>`(generations.created_at, generations.id) < (select c.created_at, c.id from generations c where c.id = ${opts.after} and c.user_id = ${userId})`,
        );
      }
      const rows = await query.execute();
      return rows.map((r) => ({
        id: r.id,
        projectId: r.project_id,
        runId: r.run_id,
        nodeId: r.node_id,
        itemIndex: r.item_index,
        type: r.type,
        aiService: r.ai_service,
        model: r.model,
        status: r.status,
        prompt: r.prompt,
        result: r.result,
        parameters: r.parameters,
        processingMs: r.processing_time,
        tokensUsed: r.tokens_used,
        costUsd: Number(r.cost_usd),
        createdAt: r.created_at,
      }));
    },
  };
}
export type GenerationRepository = ReturnType<typeof createGenerationRepository>;
