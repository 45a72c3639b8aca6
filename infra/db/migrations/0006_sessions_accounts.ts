import { sql, type Kysely } from 'kysely';

/**
 * Sessions and the seed's account/project fields.
 * - users: full name, active flag, last login, and `session_epoch`: bumping it (password change) makes every
 *   access token issued before it invalid, and goes with revoking every refresh token.
 * - refresh_tokens: only SHA-256 hashes are stored; a token is spent when used (rotation), and replaying a
 *   spent one revokes its whole family (every token descended from the same login).
 * - projects: type, status, settings (defaults for new nodes), and a public page behind `public_token`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .alterTable('users')
    .addColumn('full_name', 'text')
    .addColumn('is_active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('last_login_at', 'timestamptz')
    .addColumn('session_epoch', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('family_id', 'uuid', (col) => col.notNull())
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('spent_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('refresh_tokens_family_idx').on('refresh_tokens').column('family_id').execute();
  await db.schema.createIndex('refresh_tokens_user_idx').on('refresh_tokens').column('user_id').execute();

  await db.schema
    .alterTable('projects')
    .addColumn('type', 'text', (col) => col.notNull().defaultTo('general'))
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('active'))
    .addColumn('settings', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('is_public', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('public_token', 'text', (col) => col.unique())
    .execute();
  await db.schema
    .alterTable('projects')
    .addCheckConstraint('projects_status_check', sql`status in ('draft', 'active', 'archived')`)
    .execute();
}
