import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, ProjectStatus } from '../../infra/db/schema';
import type { Project, Wire } from '../schemas';

type ProjectFields = {
  name?: string;
  description?: string;
  type?: string;
  status?: ProjectStatus;
  settings?: { provider?: string; voice?: string; style?: string; budgetUsd?: number };
};

const newPublicToken = () => randomBytes(24).toString('base64url');

/** Where a public project page lives: the studio route, which reads GET /api/public/projects/<token>. */
export const publicProjectPath = (token: string) => `/p/${token}`;

export function createProjectRepository(db: Kysely<Database>) {
  const columns = [
    'id',
    'name',
    'description',
    'type',
    'status',
    'settings',
    'is_public',
    'public_token',
    'created_at as createdAt',
    'updated_at as updatedAt',
  ] as const;
  type Row = Pick<
    Selectable<Database['projects']>,
    'id' | 'name' | 'description' | 'type' | 'status' | 'settings' | 'is_public' | 'public_token'
  > & {
    createdAt: Date;
    updatedAt: Date;
  };
  const present = ({ is_public, public_token, settings, ...row }: Row): Wire<typeof Project> => ({
    ...row,
    settings: settings as Wire<typeof Project>['settings'],
    isPublic: is_public,
    publicPath: is_public && public_token ? publicProjectPath(public_token) : null,
  });
  const select = db.selectFrom('projects').select(columns);
  return {
    async list(userId: string): Promise<Wire<typeof Project>[]> {
      return (await select.where('user_id', '=', userId).orderBy('created_at', 'asc').execute()).map(present);
    },
    async find(userId: string, id: string): Promise<Wire<typeof Project> | undefined> {
      const row = await select.where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return row && present(row);
    },
    /** The project things land in when the caller names none: the user's oldest. */
    async defaultFor(userId: string): Promise<Wire<typeof Project> | undefined> {
      const row = await select.where('user_id', '=', userId).orderBy('created_at', 'asc').limit(1).executeTakeFirst();
      return row && present(row);
    },
    async create(userId: string, p: ProjectFields & { name: string }): Promise<Wire<typeof Project>> {
      const { settings, ...fields } = p;
      return present(
        await db
          .insertInto('projects')
          .values({
            id: randomUUID(),
            user_id: userId,
            ...fields,
            description: p.description ?? null,
            settings: JSON.stringify(settings ?? {}),
          })
          .returning(columns)
          .executeTakeFirstOrThrow(),
      );
    },
    /** Turning isPublic on gives the page a new token; turning it off drops the token, so the old URL answers 404. */
    async update(userId: string, id: string, p: ProjectFields & { isPublic?: boolean }): Promise<Wire<typeof Project> | undefined> {
      const { settings, isPublic, ...fields } = p;
      const current = await db
        .selectFrom('projects')
        .select(['is_public'])
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!current) return undefined;
      const visibility =
        isPublic === undefined || isPublic === current.is_public
          ? {}
          : { is_public: isPublic, public_token: isPublic ? newPublicToken() : null };
      const row = await db
        .updateTable('projects')
        .set({ ...fields, ...visibility, ...(settings ? { settings: JSON.stringify(settings) } : {}), updated_at: new Date() })
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .returning(columns)
        .executeTakeFirst();
      return row && present(row);
    },
    /** A public project by its page token: only while it is public. */
    findPublic(token: string) {
      return db
        .selectFrom('projects')
        .select(['id', 'name', 'description', 'type'])
        .where('public_token', '=', token)
        .where('is_public', '=', true)
        .executeTakeFirst();
    },
  };
}
export type ProjectRepository = ReturnType<typeof createProjectRepository>;
