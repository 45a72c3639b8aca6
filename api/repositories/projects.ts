import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema';
import type { Project, Wire } from '../schemas';

export function createProjectRepository(db: Kysely<Database>) {
  const columns = ['id', 'name', 'description', 'created_at as createdAt', 'updated_at as updatedAt'] as const;
  return {
    list(userId: string): Promise<Wire<typeof Project>[]> {
      return db.selectFrom('projects').select(columns).where('user_id', '=', userId).orderBy('created_at', 'asc').execute();
    },
    find(userId: string, id: string): Promise<Wire<typeof Project> | undefined> {
      return db.selectFrom('projects').select(columns).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    },
    /** The project things land in when the caller names none: the user's oldest. */
    defaultFor(userId: string): Promise<Wire<typeof Project> | undefined> {
      return db.selectFrom('projects').select(columns).where('user_id', '=', userId).orderBy('created_at', 'asc').limit(1).executeTakeFirst();
    },
    create(userId: string, p: { name: string; description?: string }): Promise<Wire<typeof Project>> {
      return db
        .insertInto('projects')
        .values({ id: randomUUID(), user_id: userId, name: p.name, description: p.description ?? null })
        .returning(columns)
        .executeTakeFirstOrThrow();
    },
    update(userId: string, id: string, p: { name?: string; description?: string }): Promise<Wire<typeof Project> | undefined> {
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
