import { sql, type Kysely } from 'kysely';

/**
 * The initial schema. Migrations are forward-only and typed against `Kysely<any>` on purpose: they
 * describe the database as it was at that point, not the current `Database` interface.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const uuidPk = (name: string) =>
    db.schema.createTable(name).addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`));
  const now = sql`now()`;

  await uuidPk('users')
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('username', 'text')
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('plan', 'text', (col) => col.notNull().defaultTo('free'))
    .addColumn('total_generations', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('monthly_generations', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('monthly_period', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('users_email_lower_key')
    .on('users')
    .unique()
    .expression(sql`lower(email)`)
    .execute();

  await uuidPk('projects')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('projects_user_created_idx').on('projects').columns(['user_id', 'created_at']).execute();

  await uuidPk('pipelines')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('project_id', 'uuid', (col) => col.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('current_version', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('pipelines_user_updated_idx').on('pipelines').columns(['user_id', 'updated_at desc']).execute();
  await db.schema.createIndex('pipelines_project_idx').on('pipelines').column('project_id').execute();

  await db.schema
    .createTable('pipeline_versions')
    .addColumn('pipeline_id', 'uuid', (col) => col.notNull().references('pipelines.id').onDelete('cascade'))
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('graph', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('pipeline_versions_pkey', ['pipeline_id', 'version'])
    .execute();

  await uuidPk('runs')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('project_id', 'uuid', (col) => col.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('pipeline_id', 'uuid', (col) => col.notNull())
    .addColumn('pipeline_version', 'integer', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('trigger', 'text', (col) => col.notNull().defaultTo('api'))
    .addColumn('inputs', 'jsonb', (col) => col.notNull())
    .addColumn('outputs', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addForeignKeyConstraint(
      'runs_pipeline_version_fkey',
      ['pipeline_id', 'pipeline_version'],
      'pipeline_versions',
      ['pipeline_id', 'version'],
      (fk) => fk.onDelete('cascade'),
    )
    .addCheckConstraint('runs_status_check', sql`status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`)
    .execute();
  await db.schema.createIndex('runs_pipeline_created_idx').on('runs').columns(['pipeline_id', 'created_at desc']).execute();
  await db.schema.createIndex('runs_user_created_idx').on('runs').columns(['user_id', 'created_at desc']).execute();
  // Runs listed per project, and what deleting a project cascades through.
  await db.schema.createIndex('runs_project_created_idx').on('runs').columns(['project_id', 'created_at desc']).execute();

  await db.schema
    .createTable('run_nodes')
    .addColumn('run_id', 'uuid', (col) => col.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('node_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('output', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('progress', 'jsonb')
    .addPrimaryKeyConstraint('run_nodes_pkey', ['run_id', 'node_id'])
    .execute();

  await db.schema
    .createTable('run_events')
    .addColumn('run_id', 'uuid', (col) => col.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('data', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('run_events_pkey', ['run_id', 'seq'])
    .execute();

  await uuidPk('media')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('project_id', 'uuid', (col) => col.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('run_id', 'uuid', (col) => col.references('runs.id').onDelete('set null'))
    .addColumn('node_id', 'text')
    .addColumn('item_index', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('storage_key', 'text', (col) => col.notNull())
    .addColumn('mime_type', 'text', (col) => col.notNull())
    .addColumn('size', 'bigint', (col) => col.notNull())
    .addColumn('sha256', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    // What makes a retried upload idempotent: insert ... on conflict (run_id, node_id, item_index) do nothing.
    .addUniqueConstraint('media_run_node_item_key', ['run_id', 'node_id', 'item_index'])
    .addCheckConstraint('media_kind_check', sql`kind in ('text', 'audio', 'image', 'json', 'file')`)
    .execute();
  await db.schema.createIndex('media_project_created_idx').on('media').columns(['project_id', 'created_at desc']).execute();
  await db.schema.createIndex('media_user_created_idx').on('media').columns(['user_id', 'created_at desc']).execute();

  await uuidPk('generations')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    // Usage records outlive the project/run/media they came from.
    .addColumn('project_id', 'uuid', (col) => col.references('projects.id').onDelete('set null'))
    .addColumn('run_id', 'uuid', (col) => col.references('runs.id').onDelete('set null'))
    .addColumn('node_id', 'text')
    .addColumn('item_index', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('ai_service', 'text', (col) => col.notNull())
    .addColumn('model', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('prompt', 'text')
    .addColumn('result', 'text')
    .addColumn('media_id', 'uuid', (col) => col.references('media.id').onDelete('set null'))
    .addColumn('parameters', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('processing_time', 'integer')
    .addColumn('tokens_used', 'integer')
    .addColumn('cost_usd', 'numeric(12, 6)', (col) => col.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addUniqueConstraint('generations_run_node_item_key', ['run_id', 'node_id', 'item_index'])
    .addCheckConstraint('generations_type_check', sql`type in ('text', 'audio', 'image')`)
    .execute();
  await db.schema.createIndex('generations_user_created_idx').on('generations').columns(['user_id', 'created_at desc']).execute();
  await db.schema.createIndex('generations_run_idx').on('generations').column('run_id').execute();
  // Lets deleting a media row (set null) find its generations without a scan.
  await db.schema.createIndex('generations_media_idx').on('generations').column('media_id').execute();

  await uuidPk('api_keys')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('prefix', 'text', (col) => col.notNull())
    .addColumn('key_hash', 'text', (col) => col.notNull().unique())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_keys_user_idx').on('api_keys').column('user_id').execute();

  await db.schema
    .createTable('provider_credentials')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('encrypted', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('provider_credentials_pkey', ['user_id', 'provider'])
    .execute();
}
