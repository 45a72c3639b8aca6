import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import {
  storedTriggerParts,
  type Graph,
  type RunInputs,
  type RunStatus,
  type RunTrigger,
  type StoredTrigger,
} from '../../workflows/pipeline';
import type { ShareInfo, Wire } from '../schemas';

/** Everything a run made, as stored: what the archive and the share page are built from. */
export interface RunContents {
  run: {
    id: string;
    userId: string;
    pipelineId: string;
    pipelineName: string;
    pipelineVersion: number;
    status: RunStatus;
    trigger: RunTrigger;
    inputs: RunInputs;
    outputs: Record<string, unknown> | null;
    error: string | null;
    createdAt: Date;
    startedAt: Date | null;
    finishedAt: Date | null;
  };
  /** The graph of the version it ran. */
  graph: Graph;
  nodes: Record<string, { status: string; output: Record<string, unknown> | null; error: string | null }>;
  /** Its media items (Upload steps' copies), in the order they were made. */
  media: { nodeId: string | null; itemIndex: number; storageKey: string; mimeType: string; size: number; createdAt: Date }[];
}

const shareInfo = (row: { id: string; views: number; last_viewed_at: Date | null; created_at: Date }): Wire<typeof ShareInfo> => ({
  id: row.id,
  views: row.views,
  lastViewedAt: row.last_viewed_at,
  createdAt: row.created_at,
});

export function createShareRepository(db: Kysely<Database>) {
  return {
    /** A run with its graph, node outputs and media; `userId` limits it to that owner's runs. */
    async runContents(runId: string, userId?: string): Promise<RunContents | undefined> {
      let query = db
        .selectFrom('runs as r')
        .innerJoin('pipelines as p', 'p.id', 'r.pipeline_id')
        .innerJoin('pipeline_versions as v', (join) =>
          join.onRef('v.pipeline_id', '=', 'r.pipeline_id').onRef('v.version', '=', 'r.pipeline_version'),
        )
        .select([
          'r.id',
          'r.user_id as userId',
          'r.pipeline_id as pipelineId',
          'p.name as pipelineName',
          'r.pipeline_version as pipelineVersion',
          'r.status',
          'r.trigger',
          'r.inputs',
          'r.outputs',
          'r.error',
          'r.created_at as createdAt',
          'r.started_at as startedAt',
          'r.finished_at as finishedAt',
          'v.graph',
        ])
        .where('r.id', '=', runId);
      if (userId !== undefined) query = query.where('r.user_id', '=', userId);
      const row = await query.executeTakeFirst();
      if (!row) return undefined;
      const [nodes, media] = await Promise.all([
        db.selectFrom('run_nodes').select(['node_id', 'status', 'output', 'error']).where('run_id', '=', runId).execute(),
        db
          .selectFrom('media')
          .select([
            'node_id as nodeId',
            'item_index as itemIndex',
            'storage_key as storageKey',
            'mime_type as mimeType',
            'size',
            'created_at as createdAt',
          ])
          .where('run_id', '=', runId)
          .where('user_id', '=', row.userId)
          .orderBy('created_at')
          .orderBy('node_id')
          .orderBy('item_index')
          .execute(),
      ]);
      const { graph, ...run } = row;
      return {
        run: {
          ...run,
          status: run.status as RunStatus,
          trigger: storedTriggerParts(run.trigger as StoredTrigger).trigger,
          inputs: run.inputs as RunInputs,
          outputs: run.outputs as Record<string, unknown> | null,
        },
        graph: graph as Graph,
        nodes: Object.fromEntries(
          nodes.map((n) => [n.node_id, { status: n.status, output: n.output as Record<string, unknown> | null, error: n.error }]),
        ),
        media: media.map((m) => ({ ...m, size: Number(m.size) })),
      };
    },

    async create(userId: string, runId: string, tokenHash: string): Promise<{ id: string }> {
      return db
        .insertInto('shares')
        .values({ user_id: userId, run_id: runId, token_hash: tokenHash })
        .returning('id')
        .executeTakeFirstOrThrow();
    },

    /** A run's live (unrevoked) shares, newest first. */
    async listOfRun(userId: string, runId: string): Promise<Wire<typeof ShareInfo>[]> {
      const rows = await db
        .selectFrom('shares')
        .select(['id', 'views', 'last_viewed_at', 'created_at'])
        .where('user_id', '=', userId)
        .where('run_id', '=', runId)
        .where('revoked_at', 'is', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(shareInfo);
    },

    /** Revokes a live share of the user's; false when there is none (not theirs, or revoked already). */
    async revoke(userId: string, id: string): Promise<boolean> {
      const row = await db
        .updateTable('shares')
        .set({ revoked_at: new Date() })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    /** The live share a token's hash opens: its run. */
    async findLive(tokenHash: string): Promise<{ id: string; runId: string } | undefined> {
      return db
        .selectFrom('shares')
        .select(['id', 'run_id as runId'])
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
    },

    async recordView(id: string): Promise<void> {
      await db
        .updateTable('shares')
        .set({ views: sql`views + 1`, last_viewed_at: new Date() })
        .where('id', '=', id)
        .execute();
    },
  };
}
export type ShareRepository = ReturnType<typeof createShareRepository>;
