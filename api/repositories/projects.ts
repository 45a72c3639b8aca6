import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';

export function createProjectRepository(db: Kysely<Database>) {
  const columns = ['id', 'name', 'description', 'created_at as createdAt', 'updated_at as updatedAt'] as const;
  return {
    list(userId: string) {
      return db.selectFrom('projects').select(columns).where('user_id', '=', userId).orderBy('created_at', 'asc').execute();
    },
    find(userId: string, id: string) {
      return db.selectFrom('projects').select(columns).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    },
    /** The project things land in when the caller names none: the user's oldest. */
    defaultFor(userId: string) {
      return db.selectFrom('projects').select(columns).where('user_id', '=', userId).orderBy('created_at', 'asc').limit(1).executeTakeFirst();
    },
    create(userId: string, p: { name: string; description?: string }) {
      return db
        .insertInto('projects')
        .values({ id: randomUUID(), user_id: userId, name: p.name, description: p.description ?? null })
        .returning(columns)
        .executeTakeFirstOrThrow();
    },
    update(userId: string, id: string, p: { name?: string; description?: string }) {
      return db
        .updateTable('projects')
        .set({ ...p, updated_at: new Date() })
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .returning(columns)
        .executeTakeFirst();
    },
  };
}
export type ProjectRepository = ReturnType<typeof createProjectRepository>;
