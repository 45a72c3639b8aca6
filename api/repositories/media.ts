import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import { mediaUrl } from '../../workflows/pipeline';
import type { MediaItem, Wire } from '../schemas';

/** A media item as stored; the route adds its short-lived `signedUrl`. */
type StoredMedia = Omit<Wire<typeof MediaItem>, 'signedUrl'>;

export function createMediaRepository(db: Kysely<Database>) {
  const base = db
    .selectFrom('media')
    .select([
      'id',
      'project_id as projectId',
      'run_id as runId',
      'node_id as nodeId',
      'kind',
      'mime_type as mimeType',
      'size',
      'storage_key as storageKey',
      'created_at as createdAt',
    ]);
  const present = <T extends { id: string; size: number | string }>(row: T) => ({ ...row, size: Number(row.size), url: mediaUrl(row.id) });
  return {
    async list(userId: string, opts: { projectId?: string; limit: number; before?: string; after?: string }): Promise<StoredMedia[]> {
      let query = base.where('user_id', '=', userId);
      if (opts.projectId) query = query.where('project_id', '=', opts.projectId);
      if (opts.before) query = query.where('created_at', '<', new Date(opts.before));
      if (opts.after) {
        // Compared at the database's own (microsecond) precision, so items made in the same millisecond are never skipped.
        query = query.where(
          sql<boolean>`(media.created_at, media.id) < (select m.created_at, m.id from media m where m.id = ${opts.after})`,
        );
      }
      return (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute()).map(present);
    },
    /** Which of these media items belong to the user. */
    async ownedIds(userId: string, ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom('media').select('id').where('user_id', '=', userId).where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },
    /** A public project page's media, newest first (a page of them: the page shows the latest). */
    async listOfProject(projectId: string, limit: number): Promise<StoredMedia[]> {
      return (
        await base.where('project_id', '=', projectId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
      ).map(present);
    },
    async findInProject(projectId: string, id: string): Promise<StoredMedia | undefined> {
      const row = await base.where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
      return row ? present(row) : undefined;
    },
    async find(userId: string, id: string): Promise<StoredMedia | undefined> {
      const row = await base.where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return row ? present(row) : undefined;
    },
  };
}
