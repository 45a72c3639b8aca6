import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import { mediaUrl } from '../../workflows/pipeline';
import type { MEDIA_KIND_FILTERS } from '../contract';
import type { MediaItem, Wire } from '../schemas';

/** A media item as stored; the route adds its short-lived `signedUrl`. */
type StoredMedia = Omit<Wire<typeof MediaItem>, 'signedUrl'>;

export interface MediaFilter {
  projectId?: string;
  /** Words to find in the name, the pipeline's name or the run's inputs. */
  q?: string;
  kind?: (typeof MEDIA_KIND_FILTERS)[number];
  pipelineId?: string;
  limit: number;
  before?: string;
  after?: string;
}

const EXCERPT_LENGTH = 80;

/** `%`, `_` and `\` match themselves in a LIKE pattern. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The default title: `pipeline · input · step`, from what is known; the file's name when nothing is. */
function defaultTitle(item: {
  pipelineName: string | null;
  inputExcerpt: string | null;
  nodeLabel: string | null;
  nodeId: string | null;
  storageKey: string;
}): string {
  const parts = [item.pipelineName, item.inputExcerpt, item.nodeLabel ?? item.nodeId].filter((p): p is string => !!p);
  return parts.length ? parts.join(' · ') : (item.storageKey.split('/').pop() ?? 'Untitled');
}

function excerpt(text: string | null): string | null {
  const flat = text?.replace(/\s+/g, ' ').trim();
  if (!flat) return null;
  if (flat.length <= EXCERPT_LENGTH) return flat;
  const cut = flat.slice(0, EXCERPT_LENGTH - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > EXCERPT_LENGTH / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

export function createMediaRepository(db: Kysely<Database>) {
  /**
   * Media with where it came from: the run's pipeline (and its name), the step that made it (from the graph
   * of the version that ran: the upload's label, else the label or type of the step whose output it
   * published) and the run's main text input (the first input node's, in the graph's order; else any text).
   */
  const described = db
    .selectFrom('media')
    .leftJoin('runs', 'runs.id', 'media.run_id')
    .leftJoin('pipelines', 'pipelines.id', 'runs.pipeline_id')
    .leftJoin('pipeline_versions as pv', (join) =>
      join.onRef('pv.pipeline_id', '=', 'runs.pipeline_id').onRef('pv.version', '=', 'runs.pipeline_version'),
    )
    .select([
      'media.id',
      'media.project_id as projectId',
      'media.run_id as runId',
      'media.node_id as nodeId',
      'media.kind',
      'media.mime_type as mimeType',
      'media.size',
      'media.storage_key as storageKey',
      'media.created_at as createdAt',
      'media.name',
      'runs.pipeline_id as pipelineId',
      'pipelines.name as pipelineName',
      sql<string | null>`(
        select coalesce(
          nullif(trim(n->>'label'), ''),
          (
            select coalesce(nullif(trim(s->>'label'), ''), s->>'type')
            from jsonb_array_elements(pv.graph->'edges') as e
            join jsonb_array_elements(pv.graph->'nodes') as s on s->>'id' = e->>'source'
            where e->>'target' = media.node_id and e->>'targetHandle' = 'file'
            limit 1
          ),
          n->>'type'
        )
        from jsonb_array_elements(pv.graph->'nodes') as n
        where n->>'id' = media.node_id
        limit 1
      )`.as('nodeLabel'),
      sql<string | null>`left(coalesce(
        (
          select runs.inputs->>(n->'params'->>'name')
          from jsonb_array_elements(pv.graph->'nodes') with ordinality as g(n, i)
          where n->>'type' = 'input' and jsonb_typeof(runs.inputs->(n->'params'->>'name')) = 'string'
          order by i
          limit 1
        ),
        (select e.value #>> '{}' from jsonb_each(runs.inputs) as e where jsonb_typeof(e.value) = 'string' limit 1)
      ), 400)`.as('inputText'),
    ]);
  type Row = Awaited<ReturnType<typeof described.executeTakeFirstOrThrow>>;
  const present = ({ inputText, ...row }: Row): StoredMedia => {
    const item = {
      ...row,
      size: Number(row.size),
      url: mediaUrl(row.id),
      pipelineId: row.pipelineId ?? null,
      pipelineName: row.pipelineName ?? null,
      inputExcerpt: excerpt(inputText),
      nodeLabel: row.nodeLabel ?? null,
    };
    return { ...item, title: item.name ?? defaultTitle(item) };
  };
  /** The bare row, for serving bytes (no joins). */
  const stored = db.selectFrom('media').select(['id', 'storage_key as storageKey', 'mime_type as mimeType', 'size']);

  return {
    /**
     * A page of the user's items, newest first. The page is picked on the media rows alone (the index
     * walks them in order and stops at `limit`), and only its items are then described: the cost of a page
     * does not grow with the size of the library.
     */
    async list(userId: string, opts: MediaFilter): Promise<StoredMedia[]> {
      let page = db.selectFrom('media').select('media.id').where('media.user_id', '=', userId);
      if (opts.projectId) page = page.where('media.project_id', '=', opts.projectId);
      // Lookups per item in the list's order, not joins: a join lets a planner without fresh statistics
      // (a bulk import, PGlite) visit every item of the user before it sorts.
      if (opts.pipelineId)
        page = page.where(sql<boolean>`(select r.pipeline_id from runs r where r.id = media.run_id) = ${opts.pipelineId}`);
      if (opts.kind === 'video') page = page.where('media.mime_type', 'like', 'video/%');
      else if (opts.kind === 'file') page = page.where('media.kind', '=', 'file').where('media.mime_type', 'not like', 'video/%');
      else if (opts.kind) page = page.where('media.kind', '=', opts.kind);
      if (opts.q) {
        const pattern = likePattern(opts.q);
        page = page.where(
          sql<boolean>`(
            media.name ilike ${pattern}
            or media.node_id ilike ${pattern}
            or exists (
              select 1 from runs r left join pipelines p on p.id = r.pipeline_id
              where r.id = media.run_id
                and (p.name ilike ${pattern} or exists (select 1 from jsonb_each_text(r.inputs) as e where e.value ilike ${pattern}))
            )
          )`,
        );
      }
      if (opts.before) page = page.where('media.created_at', '<', new Date(opts.before));
      if (opts.after) {
        // Compared at the database's own (microsecond) precision, so items made in the same millisecond are never skipped.
        page = page.where(sql<boolean>`(media.created_at, media.id) < (select m.created_at, m.id from media m where m.id = ${opts.after})`);
      }
      const ids = (await page.orderBy('media.created_at', 'desc').orderBy('media.id', 'desc').limit(opts.limit).execute()).map((r) => r.id);
      if (ids.length === 0) return [];
      const rows = await described.where('media.id', 'in', ids).orderBy('media.created_at', 'desc').orderBy('media.id', 'desc').execute();
      return rows.map(present);
    },
    /** Which of these media items belong to the user. */
    async ownedIds(userId: string, ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom('media').select('id').where('user_id', '=', userId).where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },
    /** A public project page's media, newest first (a page of them: the page shows the latest). */
    async listOfProject(projectId: string, limit: number): Promise<StoredMedia[]> {
      const ids = (
        await db
          .selectFrom('media')
          .select('id')
          .where('project_id', '=', projectId)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) return [];
      return (await described.where('media.id', 'in', ids).orderBy('media.created_at', 'desc').orderBy('media.id', 'desc').execute()).map(
        present,
      );
    },
    async findInProject(projectId: string, id: string) {
      const row = await stored.where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
      return row ? { ...row, size: Number(row.size) } : undefined;
    },
    async find(userId: string, id: string): Promise<StoredMedia | undefined> {
      const row = await described.where('media.user_id', '=', userId).where('media.id', '=', id).executeTakeFirst();
      return row ? present(row) : undefined;
    },
    /** Where the bytes of the user's item are, or undefined when it is not theirs (or gone). */
    async findStored(userId: string, id: string) {
      const row = await stored.where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return row ? { ...row, size: Number(row.size) } : undefined;
    },
    /** The user's items among `ids`, described, in the order asked. */
    async findMany(userId: string, ids: string[]): Promise<StoredMedia[]> {
      if (ids.length === 0) return [];
      const rows = (await described.where('media.user_id', '=', userId).where('media.id', 'in', ids).execute()).map(present);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },
    /** Renames the user's item (null: back to its default title); undefined when it is not theirs. */
    async rename(userId: string, id: string, name: string | null): Promise<StoredMedia | undefined> {
      const updated = await db.updateTable('media').set({ name }).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return undefined;
      return this.find(userId, id);
    },
    /**
     * Deletes the user's item. `dropBytes` runs first (the row stays if it throws, so a retry finds it again)
     * and only when no other item of theirs keeps the same stored object.
     */
    async remove(userId: string, id: string, dropBytes: (storageKey: string) => Promise<void>): Promise<boolean> {
      const row = await stored.where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      if (!row) return false;
      const shared = await db
        .selectFrom('media')
        .select('id')
        .where('user_id', '=', userId)
        .where('storage_key', '=', row.storageKey)
        .where('id', '!=', id)
        .executeTakeFirst();
      if (!shared) await dropBytes(row.storageKey);
      await db.deleteFrom('media').where('user_id', '=', userId).where('id', '=', id).execute();
      return true;
    },
  };
}
