import type { Kysely } from 'kysely';
import type { Database } from '../infra/db/schema';
import type { RunReport } from './contract';

export interface MediaRow {
  id: string;
  mimeType: string;
  size: number;
}

export interface NewMedia {
  id: string;
  userId: string;
  projectId: string;
  runId: string;
  nodeId: string;
  itemIndex: number;
  storageKey: string;
  mimeType: string;
  size: number;
  sha256: string;
  kind: string;
}

/** The slice of the database the activities may touch. */
export interface RunStore {
  applyReport(report: RunReport): Promise<void>;
  recordAttempt(runId: string, nodeId: string, attempt: number): Promise<void>;
  findMedia(runId: string, nodeId: string, itemIndex: number): Promise<MediaRow | undefined>;
  /** Inserts, or returns the row already recorded for the same (run, node, item). */
  saveMedia(media: NewMedia): Promise<MediaRow>;
}

export function createRunStore(db: Kysely<Database>): RunStore {
  const findMedia = async (runId: string, nodeId: string, itemIndex: number) => {
    const row = await db
      .selectFrom('media')
      .select(['id', 'mime_type', 'size'])
      .where('run_id', '=', runId)
      .where('node_id', '=', nodeId)
      .where('item_index', '=', itemIndex)
      .executeTakeFirst();
    return row ? { id: row.id, mimeType: row.mime_type, size: Number(row.size) } : undefined;
  };

  return {
    async applyReport({ runId, events, outputs }) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('run_events')
          .values(events.map((e) => ({ run_id: runId, seq: e.seq, type: e.type, data: JSON.stringify(e) })))
          .onConflict((oc) => oc.columns(['run_id', 'seq']).doNothing())
          .execute();
        for (const event of events) {
          if (event.type === 'node.status') {
            const s = event.state;
            const row = {
              status: s.status,
              attempts: s.attempts,
              started_at: s.startedAt ? new Date(s.startedAt) : null,
              finished_at: s.finishedAt ? new Date(s.finishedAt) : null,
              output: s.output === null ? null : JSON.stringify(s.output),
              error: s.error,
            };
            await trx
              .insertInto('run_nodes')
              .values({ run_id: runId, node_id: event.nodeId, ...row })
              .onConflict((oc) =>
                oc.columns(['run_id', 'node_id']).doUpdateSet((eb) => ({
                  ...row,
                  attempts: eb.fn('greatest', [eb.ref('run_nodes.attempts'), eb.ref('excluded.attempts')]),
                })),
              )
              .execute();
          } else {
            const terminal = event.status !== 'running';
            await trx
              .updateTable('runs')
              .set((eb) => ({
                status: event.status,
                error: event.error ?? null,
                started_at: eb.fn.coalesce('started_at', eb.val(new Date(event.at))),
                ...(terminal ? { finished_at: new Date(event.at), outputs: outputs === null ? null : JSON.stringify(outputs) } : {}),
              }))
              .where('id', '=', runId)
              .execute();
          }
        }
      });
    },

    async recordAttempt(runId, nodeId, attempt) {
      await db
        .updateTable('run_nodes')
        .set((eb) => ({ attempts: eb.fn('greatest', [eb.ref('attempts'), eb.val(attempt)]) }))
        .where('run_id', '=', runId)
        .where('node_id', '=', nodeId)
        .execute();
    },

    findMedia,

    async saveMedia(m) {
      await db
        .insertInto('media')
        .values({
          id: m.id,
          user_id: m.userId,
          project_id: m.projectId,
          run_id: m.runId,
          node_id: m.nodeId,
          item_index: m.itemIndex,
          storage_key: m.storageKey,
          mime_type: m.mimeType,
          size: m.size,
          sha256: m.sha256,
          kind: m.kind,
        })
        .onConflict((oc) => oc.columns(['run_id', 'node_id', 'item_index']).doNothing())
        .execute();
      return (await findMedia(m.runId, m.nodeId, m.itemIndex))!;
    },
  };
}
