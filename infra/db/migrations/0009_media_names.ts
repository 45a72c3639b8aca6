import type { Kysely } from 'kysely';

/**
 * Media library: a name the user gives an item (null: it is titled after its pipeline, run input and step).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('media').addColumn('name', 'text').execute();
}
