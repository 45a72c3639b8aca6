import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../infra/db/schema';

export type UserRow = Selectable<Database['users']>;

export function createUserRepository(db: Kysely<Database>) {
  return {
    findByEmail(email: string) {
      return db
        .selectFrom('users')
        .selectAll()
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .executeTakeFirst();
    },
    findById(id: string) {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Who a token or link names, by primary key: cheap enough for every request. */
    findIdentity(id: string) {
      return db.selectFrom('users').select(['id', 'email', 'is_active', 'session_epoch', 'plan']).where('id', '=', id).executeTakeFirst();
    },
    async recordLogin(id: string): Promise<void> {
      await db.updateTable('users').set({ last_login_at: new Date() }).where('id', '=', id).execute();
    },
    updateProfile(id: string, p: { username?: string | null; fullName?: string | null }) {
      return db
        .updateTable('users')
        .set({ username: p.username, full_name: p.fullName, updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },
    /** The new password, and a new session epoch: every access token issued before now stops working. */
    setPassword(id: string, passwordHash: string) {
      return db
        .updateTable('users')
        .set((eb) => ({ password_hash: passwordHash, session_epoch: eb('session_epoch', '+', 1), updated_at: new Date() }))
        .where('id', '=', id)
        .returning(['id', 'email', 'session_epoch'])
        .executeTakeFirst();
    },
    /** The plan a user is on (what the rate limits and quotas read). */
    async findPlan(id: string): Promise<string | undefined> {
      return (await db.selectFrom('users').select('plan').where('id', '=', id).executeTakeFirst())?.plan;
    },
    /** Creates the user and their first project together; undefined when the email is taken. */
    async create(user: { email: string; username?: string; passwordHash: string }): Promise<UserRow | undefined> {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('users')
          .values({ id: randomUUID(), email: user.email, username: user.username ?? null, password_hash: user.passwordHash })
          .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        await trx.insertInto('projects').values({ id: randomUUID(), user_id: row.id, name: 'My first project' }).execute();
        return row;
      });
    },
  };
}
export type UserRepository = ReturnType<typeof createUserRepository>;
