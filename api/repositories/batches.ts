import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import { type RunInputs, type RunStatus, type RunTrigger } from '../../workflows/pipeline';
import type { Batch, BatchRun, Wire } from '../schemas';

/** One run a new batch records as queued, in the batch's order (item-major). */
export interface NewBatchRun {
  runId: string;
  seed: number | null;
  inputs: RunInputs;
}

export interface NewBatch {
  id: string;
  userId: string;
  projectId: string;
  pipelineId: string;
  version: number;
  concurrency: number;
  seeds: number | null;
  trigger: RunTrigger;
  nodeIds: string[];
  runs: NewBatchRun[];
}

/** The batch's status from its runs': running while any is not done, then how they ended. */
function batchStatus(counts: Record<RunStatus, number>): Wire<typeof Batch>['status'] {
  if (counts.queued + counts.running > 0) return 'running';
  if (counts.cancelled > 0) return 'cancelled';
  return counts.failed > 0 ? 'failed' : 'succeeded';
}

export function createBatchRepository(db: Kysely<Database>) {
  return {
    /** Records the batch and each of its runs as queued (with their queued nodes), all or nothing, before its workflow starts. */
    async create(batch: NewBatch): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('batches')
          .values({
            id: batch.id,
            user_id: batch.userId,
            pipeline_id: batch.pipelineId,
            pipeline_version: batch.version,
            concurrency: batch.concurrency,
            seeds: batch.seeds,
          })
          .execute();
        await trx
          .insertInto('runs')
          .values(
            batch.runs.map((run) => ({
              id: run.runId,
              user_id: batch.userId,
              project_id: batch.projectId,
              pipeline_id: batch.pipelineId,
              pipeline_version: batch.version,
              status: 'queued' as const,
              trigger: JSON.stringify(batch.trigger),
              inputs: JSON.stringify(run.inputs),
            })),
          )
          .execute();
        if (batch.nodeIds.length > 0) {
          await trx
            .insertInto('run_nodes')
            .values(
              batch.runs.flatMap((run) =>
                batch.nodeIds.map((nodeId) => ({ run_id: run.runId, node_id: nodeId, status: 'queued', attempts: 0 })),
              ),
            )
            .execute();
        }
        await trx
          .insertInto('batch_runs')
          .values(batch.runs.map((run, position) => ({ batch_id: batch.id, run_id: run.runId, position, seed: run.seed })))
          .execute();
      });
    },

    /** Marks every run of a batch whose workflow could not start as failed. */
    async markFailed(batchId: string, error: string) {
      await db
        .updateTable('runs')
        .set({ status: 'failed', error, finished_at: new Date() })
        .where('id', 'in', (eb) => eb.selectFrom('batch_runs').select('run_id').where('batch_id', '=', batchId))
        .where('status', '=', 'queued')
        .execute();
    },

    async find(userId: string, id: string): Promise<Wire<typeof Batch> | undefined> {
      const batch = await db
        .selectFrom('batches as b')
        .innerJoin('pipelines as p', 'p.id', 'b.pipeline_id')
        .select(['b.id', 'b.pipeline_id', 'p.name', 'b.pipeline_version', 'b.concurrency', 'b.seeds', 'b.created_at'])
        .where('b.user_id', '=', userId)
        .where('b.id', '=', id)
        .executeTakeFirst();
      if (!batch) return undefined;
      const rows = await db
        .selectFrom('batch_runs as br')
        .innerJoin('runs as r', 'r.id', 'br.run_id')
        .select(['br.run_id', 'br.position', 'br.seed', 'r.status', 'r.inputs', 'r.outputs', 'r.error', 'r.started_at', 'r.finished_at'])
        .where('br.batch_id', '=', id)
        .orderBy('br.position', 'asc')
        .execute();
      const perItem = batch.seeds ?? 1;
      const runs = rows.map((row): Wire<typeof BatchRun> => ({
        runId: row.run_id,
        item: Math.floor(row.position / perItem),
        seed: row.seed,
        status: row.status,
        inputs: row.inputs as RunInputs,
        outputs: row.status === 'succeeded' ? (row.outputs as Record<string, unknown> | null) : null,
        error: row.error,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
      }));
      const counts: Record<RunStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
      for (const run of runs) counts[run.status]++;
      return {
        id: batch.id,
        pipelineId: batch.pipeline_id,
        pipelineName: batch.name,
        pipelineVersion: batch.pipeline_version,
        concurrency: batch.concurrency,
        seeds: batch.seeds,
        status: batchStatus(counts),
        counts,
        runs,
        createdAt: batch.created_at,
      };
    },
  };
}
export type BatchRepository = ReturnType<typeof createBatchRepository>;
