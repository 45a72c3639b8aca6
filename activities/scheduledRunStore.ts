import type { Kysely } from 'kysely';
import type { Database } from '../infra/db/schema';
import { checkRunStart, type QuotaRefusal } from '../infra/quotas';
import type { RunEvent, RunInputs, RunStatus, RunTrigger } from '../workflows/pipeline';

export interface ScheduledPipeline {
  projectId: string;
  version: number;
  graph: unknown;
  /** The project's budget for each run (settings.budgetUsd), when it sets one. */
  budgetUsd?: number;
}

export interface NewScheduledRun {
  id: string;
  userId: string;
  projectId: string;
  pipelineId: string;
  version: number;
  inputs: RunInputs;
  trigger: RunTrigger;
}

/** The slice of the database a scheduled run's first activity touches: it reads the pipeline and records the run. */
export interface ScheduledRunStore {
  /** The first plan limit a run of `nodeCount` nodes would pass for the user, if any (the API's check at run start). */
  quotaRefusal(userId: string, nodeCount: number): Promise<QuotaRefusal | undefined>;
  /** The owner and pipeline of a schedule, or undefined once it is deleted (or its pipeline is). */
  findSchedule(scheduleId: string): Promise<{ userId: string; pipelineId: string } | undefined>;
  findRun(runId: string): Promise<{ status: RunStatus; version: number } | undefined>;
  /** The user's pipeline at `version` (default: the current one). */
  findPipeline(userId: string, pipelineId: string, version?: number): Promise<ScheduledPipeline | undefined>;
  /** Records the run as queued with one queued row per node; a run already recorded is left as it is. */
  createQueuedRun(run: NewScheduledRun, nodeIds: string[]): Promise<void>;
  /** Records a run that could not start, with its final status event (so its event stream ends); once. */
  createRefusedRun(run: NewScheduledRun, error: string): Promise<void>;
}

/**
 * How a trigger is written to runs.trigger. One place, so that moving the column to jsonb changes nothing here:
 * JSON text is what a jsonb column takes on write, and what a text column holds.
 */
const storedTrigger = (trigger: RunTrigger) => JSON.stringify(trigger);

export function createScheduledRunStore(db: Kysely<Database>): ScheduledRunStore {
  const quotaRefusal = (userId: string, nodeCount: number) => checkRunStart(db, userId, nodeCount);
  const runRow = (run: NewScheduledRun) => ({
    id: run.id,
    user_id: run.userId,
    project_id: run.projectId,
    pipeline_id: run.pipelineId,
    pipeline_version: run.version,
    trigger: storedTrigger(run.trigger),
    inputs: JSON.stringify(run.inputs),
  });

  return {
    quotaRefusal,
    async findSchedule(scheduleId) {
      const row = await db.selectFrom('schedules').select(['user_id', 'pipeline_id']).where('id', '=', scheduleId).executeTakeFirst();
      return row && { userId: row.user_id, pipelineId: row.pipeline_id };
    },

    async findRun(runId) {
      const row = await db.selectFrom('runs').select(['status', 'pipeline_version']).where('id', '=', runId).executeTakeFirst();
      return row && { status: row.status, version: row.pipeline_version };
    },

    async findPipeline(userId, pipelineId, version) {
      const row = await db
        .selectFrom('pipelines as p')
        .innerJoin('pipeline_versions as v', (join) =>
          join.onRef('v.pipeline_id', '=', 'p.id').on((eb) => eb('v.version', '=', version ?? eb.ref('p.current_version'))),
        )
        .innerJoin('projects as pr', 'pr.id', 'p.project_id')
        .select(['p.project_id', 'v.version', 'v.graph', 'pr.settings'])
        .where('p.user_id', '=', userId)
        .where('p.id', '=', pipelineId)
        .executeTakeFirst();
      if (!row) return undefined;
      const budget = (row.settings as { budgetUsd?: unknown } | null)?.budgetUsd;
      return {
        projectId: row.project_id,
        version: row.version,
        graph: row.graph,
        ...(typeof budget === 'number' ? { budgetUsd: budget } : {}),
      };
    },

    async createQueuedRun(run, nodeIds) {
      await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('runs')
          .values({ ...runRow(run), status: 'queued' })
          .onConflict((oc) => oc.column('id').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted || nodeIds.length === 0) return;
        await trx
          .insertInto('run_nodes')
          .values(nodeIds.map((nodeId) => ({ run_id: run.id, node_id: nodeId, status: 'queued', attempts: 0 })))
          .execute();
      });
    },

    async createRefusedRun(run, error) {
      const at = new Date();
      const event: RunEvent = { seq: 1, type: 'run.status', at: at.toISOString(), status: 'failed', error };
      await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('runs')
          .values({ ...runRow(run), status: 'failed', error, finished_at: at })
          .onConflict((oc) => oc.column('id').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) return;
        await trx
          .insertInto('run_events')
          .values({ run_id: run.id, seq: 1, type: event.type, data: JSON.stringify(event) })
          .execute();
      });
    },
  };
}
