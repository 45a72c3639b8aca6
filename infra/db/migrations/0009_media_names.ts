import type { Kysely } from 'kysely';

/**
 * Media library:
 * - media.name: the name a user gives an item (null: it is titled after its pipeline, run input and step);
 * - the library's order (newest first, the id breaking ties) as an index, so that a page is read in order and
 *   stops at its limit instead of sorting every item of the user (it replaces the index on user and date).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('media').addColumn('name', 'text').execute();
  await db.schema.createIndex('media_user_created_id_idx').on('media').columns(['user_id', 'created_at desc', 'id desc']).execute();
  await db.schema.dropIndex('media_user_created_idx').execute();
}
