import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Row types for Kysely. Conventions:
 * - `Generated<T>`: the database has a default (ids default to gen_random_uuid(), but app code
 *   normally supplies its own), so the column is optional on insert.
 * - timestamps are `timestamptz`, read back as `Date` by both drivers.
 * - jsonb is read back parsed (`JsonValue`), and written as JSON text: pass `JSON.stringify(value)`.
 *   (node-postgres would turn a JS array into a Postgres array literal, so raw values are not
 *   accepted on write.)
 * - `bigint` columns come back as JS numbers, `numeric` as strings (exact decimals).
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** jsonb not null: parsed on read, JSON text on write. */
export type Json = ColumnType<JsonValue, string, string>;
/** jsonb not null with a default. */
export type JsonWithDefault = ColumnType<JsonValue, string | undefined, string>;
/** jsonb null. */
export type NullableJson = ColumnType<JsonValue | null, string | null | undefined, string | null>;

/** timestamptz not null default now(). */
export type CreatedAt = Generated<Date>;

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type MediaKind = 'text' | 'audio' | 'image' | 'json' | 'file';
export type GenerationType = 'text' | 'audio' | 'image';
export type ApiKeyScope = 'read' | 'run' | 'admin';

export interface UsersTable {
  id: Generated<string>;
  /** Unique case-insensitively (index on lower(email)): look up with `lower(email) = lower($1)`. */
  email: string;
  username: string | null;
  password_hash: string;
  plan: Generated<string>;
  total_generations: Generated<number>;
  monthly_generations: Generated<number>;
  /** The month `monthly_generations` counts, e.g. '2026-11'. */
  monthly_period: string | null;
  full_name: string | null;
  /** An inactive user can't log in, and every token and key of theirs stops working. */
  is_active: Generated<boolean>;
  last_login_at: Date | null;
  /** Access tokens carry the epoch they were issued in; bumping it (password change) invalidates them all. */
  session_epoch: Generated<number>;
  /** What the user's media weigh together (bytes), kept by a trigger on media (migration 0016). */
  storage_bytes: Generated<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** Rotating refresh tokens, stored as SHA-256 hashes; one family per login. */
export interface RefreshTokensTable {
  id: Generated<string>;
  user_id: string;
  family_id: string;
  token_hash: string;
  expires_at: Date;
  /** Set when the token was exchanged for a new one; using it again is a replay. */
  spent_at: Date | null;
  revoked_at: Date | null;
  created_at: CreatedAt;
}

export type ProjectStatus = 'draft' | 'active' | 'archived';

export interface ProjectsTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  description: string | null;
  type: Generated<string>;
  status: Generated<ProjectStatus>;
  /** Defaults for new nodes (provider, voice, style): a JSON object. */
  settings: JsonWithDefault;
  is_public: Generated<boolean>;
  /** The unguessable part of the public page's URL while is_public; a new one each time it is turned on. */
  public_token: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface PipelinesTable {
  id: Generated<string>;
  user_id: string;
  project_id: string;
  name: string;
  current_version: number;
  /** The editor's autosaved graph, valid or not (null when there is none); any JSON the client sent. */
  draft_graph: NullableJson;
  draft_saved_at: Date | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface PipelineVersionsTable {
  pipeline_id: string;
  version: number;
  graph: Json;
  created_at: CreatedAt;
}

export interface RunsTable {
  id: Generated<string>;
  user_id: string;
  project_id: string;
  pipeline_id: string;
  pipeline_version: number;
  status: RunStatus;
  /** What started the run: a `RunTrigger` ({kind, keyName?, scheduleId?}), as jsonb. */
  trigger: JsonWithDefault;
  inputs: Json;
  outputs: NullableJson;
  error: string | null;
  created_at: CreatedAt;
  started_at: Date | null;
  finished_at: Date | null;
  /** The run this one re-ran (POST /api/runs/:id/rerun), or null. */
  parent_run_id: Generated<string | null>;
}

/** A run of a pipeline over several inputs or seeds; its runs are in batch_runs. */
export interface BatchesTable {
  id: Generated<string>;
  user_id: string;
  pipeline_id: string;
  pipeline_version: number;
  /** Runs of the batch in flight at once. */
  concurrency: number;
  /** Variations per item (each with its own seed), or null: one run per item with the pipeline's own params. */
  seeds: number | null;
  created_at: CreatedAt;
}

export interface BatchRunsTable {
  batch_id: string;
  run_id: string;
  /** The run's place in the batch: item-major (item 0 seed 0, item 0 seed 1, …). */
  position: number;
  seed: number | null;
}

export interface RunNodesTable {
  run_id: string;
  node_id: string;
  status: string;
  attempts: Generated<number>;
  started_at: Date | null;
  finished_at: Date | null;
  output: NullableJson;
  error: string | null;
  progress: NullableJson;
  /** Reused from an earlier run instead of computed: `{fromRunId, savedUsd}`, or null. */
  cached: NullableJson;
}

export interface RunEventsTable {
  run_id: string;
  seq: number;
  type: string;
  data: Json;
  created_at: CreatedAt;
}

export interface MediaTable {
  id: Generated<string>;
  user_id: string;
  project_id: string;
  run_id: string | null;
  node_id: string | null;
  item_index: Generated<number>;
  storage_key: string;
  mime_type: string;
  /** bigint, read back as a JS number. */
  size: number;
  sha256: string;
  /** A check constraint limits it to `MediaKind`; writes accept any string so callers can pass through. */
  kind: ColumnType<MediaKind, string, string>;
  /** The user's name for it; null: the library titles it after its pipeline, run input and step. */
  name: string | null;
  created_at: CreatedAt;
}

export interface GenerationsTable {
  id: Generated<string>;
  user_id: string;
  project_id: string | null;
  run_id: string | null;
  node_id: string | null;
  item_index: Generated<number>;
  /** A check constraint limits it to `GenerationType`. */
  type: ColumnType<GenerationType, string, string>;
  ai_service: string;
  model: string | null;
  status: string;
  prompt: string | null;
  result: string | null;
  media_id: string | null;
  parameters: JsonWithDefault;
  /** Milliseconds. */
  processing_time: number | null;
  tokens_used: number | null;
  /** numeric(12,6): read back as a string to stay exact; write a string or a number. */
  cost_usd: ColumnType<string, string | number | undefined, string | number>;
  error: string | null;
  created_at: CreatedAt;
}

export interface ApiKeysTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  /** The visible start of the key, for display. */
  prefix: string;
  /** SHA-256 (hex) of the whole secret; the secret itself is never stored. */
  key_hash: string;
  /** 'read' | 'run' | 'admin' (a check constraint). */
  scope: ColumnType<ApiKeyScope, string, string>;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** A REST start's Idempotency-Key: the run it started and a hash of the request, for 24 hours. */
export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  request_hash: string;
  run_id: string;
  created_at: CreatedAt;
}

/** Ownership of a Temporal schedule (which holds everything else about it), and its spec as written. */
export interface SchedulesTable {
  id: string;
  user_id: string;
  pipeline_id: string;
  /** Exactly one of cron and every is set (a check constraint). */
  cron: string | null;
  every: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ProviderCredentialsTable {
  user_id: string;
  provider: string;
  encrypted: string;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface WebhooksTable {
  id: Generated<string>;
  user_id: string;
  pipeline_id: string;
  url: string;
  /** The events it is sent (`run.succeeded`…), a JSON array. */
  events: Json;
  /** The `whsec_` signing secret, sealed (infra/secrets.ts) with the credentials key. */
  secret_sealed: string;
  created_at: CreatedAt;
}

/** One attempt to deliver one message to one webhook. */
export interface WebhookDeliveriesTable {
  id: Generated<string>;
  webhook_id: string;
  message_id: string;
  event: string;
  run_id: string | null;
  attempt: number;
  /** The receiver's answer; null when there was none (refused, timed out, no such host). */
  status_code: number | null;
  response_ms: number | null;
  error: string | null;
  created_at: CreatedAt;
}

/** A share link of one run's outputs; only the SHA-256 (hex) of its token is stored. */
export interface SharesTable {
  id: Generated<string>;
  user_id: string;
  run_id: string;
  token_hash: string;
  /** How many times the page was opened. */
  views: Generated<number>;
  last_viewed_at: Date | null;
  created_at: CreatedAt;
  /** Set when the owner revokes it: the link answers 404 from then on. */
  revoked_at: Date | null;
}

/** A node's output kept for reuse by a later execution with the same key (see workflows/pipeline/cacheKey.ts). */
export interface CacheEntriesTable {
  id: Generated<string>;
  user_id: string;
  key: string;
  run_id: string;
  pipeline_id: string | null;
  node_id: string;
  node_type: string;
  output: Json;
  /** What the node's calls cost in the run that made it: what each reuse saves. */
  cost_usd: ColumnType<string, string | number | undefined, string | number>;
  created_at: CreatedAt;
}

export interface Database {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  projects: ProjectsTable;
  pipelines: PipelinesTable;
  pipeline_versions: PipelineVersionsTable;
  runs: RunsTable;
  run_nodes: RunNodesTable;
  run_events: RunEventsTable;
  media: MediaTable;
  generations: GenerationsTable;
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  provider_credentials: ProviderCredentialsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  schedules: SchedulesTable;
  batches: BatchesTable;
  batch_runs: BatchRunsTable;
  shares: SharesTable;
  cache_entries: CacheEntriesTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Project = Selectable<ProjectsTable>;
export type Pipeline = Selectable<PipelinesTable>;
export type PipelineVersion = Selectable<PipelineVersionsTable>;
export type Run = Selectable<RunsTable>;
export type RunNode = Selectable<RunNodesTable>;
export type RunEventRow = Selectable<RunEventsTable>;
export type Media = Selectable<MediaTable>;
export type NewMedia = Insertable<MediaTable>;
export type Generation = Selectable<GenerationsTable>;
export type NewGeneration = Insertable<GenerationsTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type ProviderCredential = Selectable<ProviderCredentialsTable>;
export type Schedule = Selectable<SchedulesTable>;
