import type { Kysely } from 'kysely';
import type { Database } from '../infra/db/schema';
import type { RunEvent } from '../workflows/pipeline';
import type { BatchActivities } from './contract';

/**
 * A batch's runs are recorded as queued by the API before its workflow starts; those the workflow never started
 * (the batch was cancelled first) end here as cancelled, with the final status event their streams wait for.
 * Idempotent: a run no longer queued is left as it is.
 */
export function createBatchActivities(db: Kysely<Database>): BatchActivities {
  return {
    async cancelQueuedRuns(runIds) {
      if (runIds.length === 0) return;
      const at = new Date();
      await db.transaction().execute(async (trx) => {
        const cancelled = await trx
          .updateTable('runs')
          .set({ status: 'cancelled', finished_at: at, error: 'Cancelled with its batch before it started' })
          .where('id', 'in', runIds)
          .where('status', '=', 'queued')
          .returning('id')
          .execute();
        const ids = cancelled.map((r) => r.id);
        if (ids.length === 0) return;
        await trx.updateTable('run_nodes').set({ status: 'cancelled', finished_at: at }).where('run_id', 'in', ids).execute();
        await trx
          .insertInto('run_events')
          .values(
            ids.map((runId) => {
              const event: RunEvent = { seq: 1, type: 'run.status', at: at.toISOString(), status: 'cancelled' };
              return { run_id: runId, seq: 1, type: event.type, data: JSON.stringify(event) };
            }),
          )
          .onConflict((oc) => oc.columns(['run_id', 'seq']).doNothing())
          .execute();
      });
    },
  };
}
