import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import type { RunStatus } from '../../workflows/pipeline';

export interface ScheduleRow {
  id: string;
  pipelineId: string;
  pipelineName: string;
  cron: string | null;
  every: string | null;
  createdAt: Date;
}

/** Which schedules a user owns, with the spec as they wrote it; the rest of a schedule is Temporal's. */
export function createScheduleRepository(db: Kysely<Database>) {
  const rows = (userId: string) =>
    db
      .selectFrom('schedules as s')
      .innerJoin('pipelines as p', 'p.id', 's.pipeline_id')
      .select(['s.id', 's.pipeline_id as pipelineId', 'p.name as pipelineName', 's.cron', 's.every', 's.created_at as createdAt'])
      .where('s.user_id', '=', userId);

  return {
    /** Oldest first (the order they were made in), at most 500. */
    list(userId: string, opts: { pipelineId?: string } = {}): Promise<ScheduleRow[]> {
      let query = rows(userId);
      if (opts.pipelineId) query = query.where('s.pipeline_id', '=', opts.pipelineId);
      return query.orderBy('s.created_at', 'asc').orderBy('s.id', 'asc').limit(500).execute();
    },

    find(userId: string, id: string): Promise<ScheduleRow | undefined> {
      return rows(userId).where('s.id', '=', id).executeTakeFirst();
    },

    async create(row: { id: string; userId: string; pipelineId: string; cron: string | null; every: string | null }): Promise<void> {
      await db
        .insertInto('schedules')
        .values({ id: row.id, user_id: row.userId, pipeline_id: row.pipelineId, cron: row.cron, every: row.every })
        .execute();
    },

    async updateSpec(id: string, spec: { cron: string | null; every: string | null }): Promise<void> {
      await db
        .updateTable('schedules')
        .set({ ...spec, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },

    async remove(id: string): Promise<void> {
      await db.deleteFrom('schedules').where('id', '=', id).execute();
    },

    /** The status of each of these runs that belongs to the user. */
    async runStatuses(userId: string, runIds: string[]): Promise<Map<string, RunStatus>> {
      if (runIds.length === 0) return new Map();
      const found = await db.selectFrom('runs').select(['id', 'status']).where('user_id', '=', userId).where('id', 'in', runIds).execute();
      return new Map(found.map((r) => [r.id, r.status]));
    },
  };
}
export type ScheduleRepository = ReturnType<typeof createScheduleRepository>;
