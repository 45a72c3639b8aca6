import { z } from 'zod';
import { PORT_KINDS, type PortKind } from '../workflows/pipeline/graph';
import { CostEstimateSchema, GraphSchema, RunInputsSchema, RunTriggerSchema } from '../workflows/pipeline/graphSchemas';
import { ProblemSchema, RunStateSchema, RunStatusSchema } from '../workflows/pipeline/reports';
import { WEBHOOK_EVENTS, WEBHOOK_TEST_EVENT } from '../workflows/pipeline/webhooks';
import { ApiKeyBody, OVERLAP_POLICIES, ProjectSettings, ProviderParam } from './contract';

/**
 * Response bodies of the REST API, one schema per shape (request bodies are in contract.ts). Each schema
 * doubles as its type: the server's repositories return them (as `Wire`), the studio imports them (as types only, so
 * none of this is bundled), tests check every response against them (checkResponses.ts), and the route
 * table at the end says which route answers with which. Objects are strict: a field the schema doesn't
 * name is a leak or a drift.
 */

/** An instant, ISO 8601. Branded on the input side only, so that `Wire` can let server code hold a Date. */
const Timestamp = z.iso.datetime({ offset: true }).brand<'Timestamp', 'in'>();
const Id = z.uuid();

type Jsonable<T> =
  T extends z.core.$brand<'Timestamp'>
    ? string | Date
    : T extends readonly (infer U)[]
      ? Jsonable<U>[]
      : T extends object
        ? { [K in keyof T]: Jsonable<T[K]> }
        : T;

/**
 * What server code may hand res.json for the response schema `S`: anything `S` accepts, with a Date
 * wherever it takes a timestamp (res.json writes the ISO string). Repositories and services return these,
 * so a field that drifts from its schema fails to compile.
 */
export type Wire<S extends z.ZodType> = Jsonable<z.input<S>>;

export const ErrorBody = z.strictObject({
  error: z.string(),
  message: z.string(),
  /** Where an invalid graph or run input is wrong. */
  problems: z.array(ProblemSchema).optional(),
  /** 402 quota_exceeded: which limit of the plan (e.g. 'monthlyGenerations'), its value, how much is used, when it resets (null: never by itself). */
  quota: z.string().optional(),
  limit: z.number().optional(),
  used: z.number().optional(),
  resetsAt: Timestamp.nullable().optional(),
});
export type ErrorBody = z.output<typeof ErrorBody>;

export const Health = z.strictObject({
  /** `degraded`: only live events are away (runs still run); `unavailable` (503): the database or Temporal is. */
  status: z.enum(['ok', 'degraded', 'unavailable']),
  database: z.string(),
  temporal: z.string(),
  bus: z.string(),
  backends: z.strictObject({ database: z.string(), bus: z.string(), blobs: z.string() }),
});
export type Health = z.output<typeof Health>;

export const User = z.strictObject({
  id: Id,
  email: z.string(),
  username: z.string().nullable(),
  plan: z.string(),
  totalGenerations: z.number().int(),
  monthlyGenerations: z.number().int(),
  fullName: z.string().nullable(),
  active: z.boolean(),
  lastLoginAt: Timestamp.nullable(),
});
export type User = z.output<typeof User>;

const QuotaUsage = z.strictObject({ used: z.number().nonnegative(), limit: z.number().nonnegative() });
/** What the user has used of their plan's limits; the monthly ones count the calendar month (UTC) until `resetsAt`. */
export const PlanUsage = z.strictObject({
  plan: z.string(),
  period: z.string(),
  resetsAt: Timestamp,
  usage: z.strictObject({
    monthlyGenerations: QuotaUsage,
    concurrentRuns: QuotaUsage,
    storageBytes: QuotaUsage,
    monthlySpendUsd: QuotaUsage,
  }),
  nodesPerPipeline: z.number().int().nonnegative(),
});
export type PlanUsage = z.output<typeof PlanUsage>;

/**
 * `token`: a short-lived access token (Authorization: Bearer). `refreshToken`: exchanged once at
 * POST /api/auth/refresh for a new pair; reusing a spent one signs the session out.
 */
export const Registered = z.strictObject({ user: User, token: z.string(), refreshToken: z.string() });
export type Registered = z.output<typeof Registered>;
export const LoggedIn = z.strictObject({ token: z.string(), refreshToken: z.string(), user: User.pick({ id: true, email: true }) });
export type LoggedIn = z.output<typeof LoggedIn>;
export const Session = z.strictObject({ token: z.string(), refreshToken: z.string() });
export type Session = z.output<typeof Session>;
export const Me = z.strictObject({ user: User });

const PortSpec = z.strictObject({
  handle: z.string(),
  kind: z.enum(PORT_KINDS.flatMap((k): PortKind[] => (k === 'any' ? [k] : [k, `${k}[]`]))),
  label: z.string().optional(),
  optional: z.boolean().optional(),
});

/** A node type of the catalog as the studio draws and configures it. */
export const NodeInfo = z.strictObject({
  type: z.string(),
  title: z.string(),
  description: z.string(),
  category: z.enum(['inputs', 'text', 'media', 'flow', 'outputs']),
  execution: z.enum(['inline', 'activity', 'approval']),
  /** JSON Schema of the node's params (input side: what a form may send). */
  params: z.record(z.string(), z.unknown()),
  defaults: z.record(z.string(), z.unknown()),
  inputs: z.array(PortSpec),
  outputs: z.array(PortSpec),
});
export type NodeInfo = z.output<typeof NodeInfo>;
export const NodeCatalog = z.strictObject({ nodes: z.array(NodeInfo) });

export const Project = z.strictObject({
  id: Id,
  name: z.string(),
  description: z.string().nullable(),
  type: z.string(),
  status: z.enum(['draft', 'active', 'archived']),
  settings: ProjectSettings,
  isPublic: z.boolean(),
  /** The read-only public page of the project's media while isPublic (`/p/<token>`), else null. */
  publicPath: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Project = z.output<typeof Project>;
export const ProjectList = z.strictObject({ projects: z.array(Project) });

/** A public project page: its name and its media with their public content URLs, nothing else. */
export const PublicMediaItem = z.strictObject({
  id: Id,
  kind: z.enum(['text', 'audio', 'image', 'json', 'file']),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  url: z.string(),
  createdAt: Timestamp,
});
export const PublicProject = z.strictObject({
  project: z.strictObject({ name: z.string(), description: z.string().nullable(), type: z.string() }),
  media: z.array(PublicMediaItem),
});
export type PublicProject = z.output<typeof PublicProject>;

export const PipelineSummary = z.strictObject({
  id: Id,
  name: z.string(),
  projectId: Id,
  /** The current version. */
  version: z.number().int().positive(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type PipelineSummary = z.output<typeof PipelineSummary>;
export const PipelineList = z.strictObject({ pipelines: z.array(PipelineSummary) });

export const Pipeline = PipelineSummary.extend({
  graph: GraphSchema,
  /** The version `graph` belongs to (the one asked for, or the current one). */
  graphVersion: z.number().int().positive(),
  /** The editor's autosaved work, valid or not; null once it is recorded as a version. */
  draft: z
    .strictObject({
      /** Any JSON the editor (or an API client) saved; the studio loads it with `editableGraph`. */
      graph: z.unknown(),
      problems: z.array(ProblemSchema),
      savedAt: Timestamp,
    })
    .nullable(),
});
export const SavedDraft = z.strictObject({ savedAt: Timestamp, problems: z.array(ProblemSchema) });
export type Pipeline = z.output<typeof Pipeline>;

/** What creating or saving a pipeline answers: the version now current. */
export const SavedPipeline = z.strictObject({ id: Id, version: z.number().int().positive() });
export type SavedPipeline = z.output<typeof SavedPipeline>;

/** What a version changed against the one before it, by node id (version 1: every node added). */
export const GraphChanges = z.strictObject({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  /** Type, params, label or incoming connections differ. */
  changed: z.array(z.string()),
  /** Only the canvas position differs. */
  moved: z.array(z.string()),
});
export const PipelineVersion = z.strictObject({ version: z.number().int().positive(), createdAt: Timestamp, changes: GraphChanges });
export type PipelineVersion = z.output<typeof PipelineVersion>;
export const PipelineVersionList = z.strictObject({ versions: z.array(PipelineVersion) });
/** One version with its graph, read-only; `currentVersion` tells whether it is the latest. */
export const PipelineVersionDetail = PipelineVersion.extend({
  pipelineId: Id,
  graph: GraphSchema,
  currentVersion: z.number().int().positive(),
});
export type PipelineVersionDetail = z.output<typeof PipelineVersionDetail>;

export const RunSummary = z.strictObject({
  id: Id,
  status: RunStatusSchema,
  pipelineId: Id,
  pipelineName: z.string(),
  pipelineVersion: z.number().int().positive(),
  trigger: RunTriggerSchema,
  error: z.string().nullable(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  inputs: RunInputsSchema,
  /** Where the bytes of the run's first published image are served (a media URL), or null when it published none. */
  thumbnail: z.string().nullable(),
  /** The same bytes without a header, for <img>, for a few minutes; null with `thumbnail`. */
  thumbnailSignedUrl: z.string().nullable(),
  /** What the run's model calls cost in USD so far; null when it called none. */
  costUsd: z.number().nonnegative().nullable(),
});
export type RunSummary = z.output<typeof RunSummary>;
export const RunList = z.strictObject({ runs: z.array(RunSummary) });

export const RunDetail = RunStateSchema.extend({
  id: Id,
  /** The batch the run is an item of (GET /api/batches/:id), or null. */
  batchId: Id.nullable(),
  pipelineId: Id,
  pipelineVersion: z.number().int().positive(),
  projectId: Id,
  trigger: RunTriggerSchema,
  /** The run this one re-ran (POST /api/runs/:id/rerun), or null. */
  parentRunId: Id.nullable(),
  inputs: RunInputsSchema,
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  /** What each node's model calls cost in USD so far, by node id; nodes that called no model are absent. */
  costs: z.record(z.string(), z.number().nonnegative()),
  /** GET /api/runs/:id: the run's workflow in the Temporal Web UI, when the install has one (TEMPORAL_UI_URL or the dev server's). */
  workflowUrl: z.string().optional(),
  /** The run's budget (USD): it stops before a model call that would cross it; null: none. */
  budgetUsd: z.number().nonnegative().nullable(),
  /** What the run was estimated to cost when it started, to compare with `costs`; null for runs from before estimates. */
  estimate: CostEstimateSchema.nullable(),
});
export type RunDetail = z.output<typeof RunDetail>;

export const StartedRun = z.strictObject({ id: Id });
export type StartedRun = z.output<typeof StartedRun>;
/** A start: `{id}`, or with `?wait` the run itself (with its outputs once it ended). */
export const StartRunAnswer = z.union([StartedRun, RunDetail]);
export const CancellingRun = z.strictObject({ id: Id, status: z.literal('cancelling') });
export type CancellingRun = z.output<typeof CancellingRun>;
/** A decision an approval step took. */
export const ApprovalAnswer = z.strictObject({ id: Id, nodeId: z.string(), decision: z.enum(['approved', 'rejected']) });
export type ApprovalAnswer = z.output<typeof ApprovalAnswer>;

/** What starting a batch answers: its id and its runs' ids, in order (item-major, each item's seeds in turn). */
export const StartedBatch = z.strictObject({ id: Id, runIds: z.array(Id) });
export type StartedBatch = z.output<typeof StartedBatch>;

const Count = z.number().int().nonnegative();

/** One run of a batch, as the batch view shows it. */
export const BatchRun = z.strictObject({
  runId: Id,
  /** Which item of the request it runs (0-based). */
  item: z.number().int().nonnegative(),
  /** The seed its seeded nodes ran with, or null: the pipeline's own params. */
  seed: z.number().int().nonnegative().nullable(),
  status: RunStatusSchema,
  inputs: RunInputsSchema,
  /** The run's outputs by output name once it succeeded (values, or artifact references), else null. */
  outputs: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
});
export type BatchRun = z.output<typeof BatchRun>;

export const Batch = z.strictObject({
  id: Id,
  pipelineId: Id,
  pipelineName: z.string(),
  pipelineVersion: z.number().int().positive(),
  /** Runs in flight at once. */
  concurrency: z.number().int().positive(),
  /** Variations per item, or null: one run per item. */
  seeds: z.number().int().positive().nullable(),
  /** `running` while any run is queued or running; then `succeeded` (all did), `cancelled` (any was) or `failed`. */
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  /** How many of its runs are in each status. */
  counts: z.strictObject({ queued: Count, running: Count, succeeded: Count, failed: Count, cancelled: Count }),
  runs: z.array(BatchRun),
  createdAt: Timestamp,
});
export type Batch = z.output<typeof Batch>;
export const CancellingBatch = z.strictObject({ id: Id, status: z.literal('cancelling') });
export type CancellingBatch = z.output<typeof CancellingBatch>;

export const MediaItem = z.strictObject({
  id: Id,
  projectId: Id,
  runId: Id.nullable(),
  nodeId: z.string().nullable(),
  kind: z.enum(['text', 'audio', 'image', 'json', 'file']),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  storageKey: z.string(),
  createdAt: Timestamp,
  /** The user's name for it, or null. */
  name: z.string().nullable(),
  /** What the library shows: the name, or `pipeline · input · step` from where it was made. */
  title: z.string(),
  /** The pipeline whose run made it, and that pipeline's name (null once the run or pipeline is gone). */
  pipelineId: Id.nullable(),
  pipelineName: z.string().nullable(),
  /** The start of the run's main text input, or null. */
  inputExcerpt: z.string().nullable(),
  /** The step that made it: the upload's label, else the label or type of the step it published (null when unknown). */
  nodeLabel: z.string().nullable(),
  /** Where the bytes are served, with the Authorization header. */
  url: z.string(),
  /** The same bytes without a header, for <img>/<audio>/links, for a few minutes. */
  signedUrl: z.string(),
});
export const SignedUrls = z.strictObject({
  urls: z.array(z.strictObject({ path: z.string(), url: z.string() })),
  expiresAt: Timestamp,
});
export type MediaItem = z.output<typeof MediaItem>;
export const MediaList = z.strictObject({ media: z.array(MediaItem) });

/** Whether a provider is set up (a cloud key, an image server's address), and by whom: a key is never sent back. */
export const ProviderSetting = z.strictObject({
  provider: ProviderParam.shape.provider,
  configured: z.boolean(),
  source: z.enum(['user', 'environment']).nullable(),
  baseUrl: z.string().nullable(),
  updatedAt: Timestamp.nullable(),
});
export type ProviderSetting = z.output<typeof ProviderSetting>;
export const ProviderSettingList = z.strictObject({ providers: z.array(ProviderSetting) });
export const SavedProviderSetting = ProviderSetting.omit({ updatedAt: true });
export type SavedProviderSetting = z.output<typeof SavedProviderSetting>;

/** What a connection test found: whether the provider answered, in words, and what it offers where it says. */
export const ProviderTestResult = z.strictObject({
  ok: z.boolean(),
  detail: z.string(),
  models: z.array(z.string()).optional(),
  samplers: z.array(z.string()).optional(),
});
export type ProviderTestResult = z.output<typeof ProviderTestResult>;

/** An API key as listed: the secret itself is shown once, when it is created, and never stored. */
export const ApiKeyInfo = z.strictObject({
  id: Id,
  name: z.string(),
  scope: ApiKeyBody.shape.scope,
  /** The start of the key (`cf_…`), to tell keys apart. */
  prefix: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
});
export type ApiKeyInfo = z.output<typeof ApiKeyInfo>;
export const ApiKeyList = z.strictObject({ keys: z.array(ApiKeyInfo) });
export const CreatedApiKey = ApiKeyInfo.pick({ id: true, name: true, scope: true, prefix: true }).extend({
  /** The whole secret, for `Authorization: Bearer`: only in this answer. */
  key: z.string(),
});
export type CreatedApiKey = z.output<typeof CreatedApiKey>;

/** One call to a model, with what it cost. */
export const Generation = z.strictObject({
  id: Id,
  projectId: Id.nullable(),
  runId: Id.nullable(),
  nodeId: z.string().nullable(),
  itemIndex: z.number().int().nonnegative(),
  type: z.enum(['text', 'audio', 'image']),
  aiService: z.string(),
  model: z.string().nullable(),
  status: z.string(),
  prompt: z.string().nullable(),
  result: z.string().nullable(),
  parameters: z.unknown(),
  processingMs: z.number().nullable(),
  tokensUsed: z.number().int().nullable(),
  costUsd: z.number().nonnegative(),
  createdAt: Timestamp,
});
export type Generation = z.output<typeof Generation>;
export const GenerationList = z.strictObject({ generations: z.array(Generation) });

/** A node output kept in the output cache: a later identical execution reuses it instead of calling the provider. */
export const CacheEntry = z.strictObject({
  id: Id,
  nodeId: z.string(),
  nodeType: z.string(),
  /** The run that computed it. */
  runId: Id,
  pipelineId: Id.nullable(),
  pipelineName: z.string().nullable(),
  /** What computing it cost: what each reuse saves. */
  savedUsd: z.number().nonnegative(),
  createdAt: Timestamp,
});
export type CacheEntry = z.output<typeof CacheEntry>;
export const CacheEntryList = z.strictObject({ entries: z.array(CacheEntry) });

const WebhookEvents = z.array(z.enum(WEBHOOK_EVENTS));

/** A pipeline's webhook, without its secret (shown once, when it is made). */
export const Webhook = z.strictObject({
  id: Id,
  pipelineId: Id,
  url: z.string(),
  events: WebhookEvents,
  createdAt: Timestamp,
});
export type Webhook = z.output<typeof Webhook>;
export const WebhookList = z.strictObject({ webhooks: z.array(Webhook) });
/** What making a webhook answers: the only time its signing secret (`whsec_…`) is shown. */
export const CreatedWebhook = z.strictObject({ id: Id, url: z.string(), events: WebhookEvents, secret: z.string() });
export type CreatedWebhook = z.output<typeof CreatedWebhook>;

/** One attempt to deliver one message: the receiver's status code and how long it took, or why there was none. */
export const WebhookDeliveryAttempt = z.strictObject({
  id: Id,
  /** The `webhook-id` header, the same on every attempt of one message. */
  messageId: z.string(),
  event: z.enum([...WEBHOOK_EVENTS, WEBHOOK_TEST_EVENT]),
  runId: Id.nullable(),
  attempt: z.number().int().positive(),
  statusCode: z.number().int().nullable(),
  responseMs: z.number().int().nonnegative().nullable(),
  error: z.string().nullable(),
  createdAt: Timestamp,
});
export type WebhookDeliveryAttempt = z.output<typeof WebhookDeliveryAttempt>;
export const WebhookDeliveryList = z.strictObject({ deliveries: z.array(WebhookDeliveryAttempt) });
export const TestEventSent = z.strictObject({ messageId: z.string(), event: z.literal(WEBHOOK_TEST_EVENT) });
export type TestEventSent = z.output<typeof TestEventSent>;
/** A schedule: the spec as written and its plain-words summary, and Temporal's view of when it fires and what it started. */
export const Schedule = z.strictObject({
  id: Id,
  pipelineId: Id,
  pipelineName: z.string(),
  spec: z.union([z.strictObject({ cron: z.string(), timezone: z.string() }), z.strictObject({ every: z.string(), timezone: z.string() })]),
  summary: z.string(),
  overlap: z.enum(OVERLAP_POLICIES),
  catchupWindow: z.string(),
  /** The version each firing runs: a pinned number, or the pipeline's current one at fire time. */
  version: z.union([z.number().int().positive(), z.literal('latest')]),
  inputs: RunInputsSchema,
  paused: z.boolean(),
  note: z.string().nullable(),
  /** The next (up to 5) fire times; none while paused. */
  nextRuns: z.array(Timestamp),
  /** The runs it started lately (Temporal keeps the last 10), newest first. */
  recentRuns: z.array(z.strictObject({ runId: Id, scheduledAt: Timestamp, status: RunStatusSchema })),
  createdAt: Timestamp,
});
export type Schedule = z.output<typeof Schedule>;
export const ScheduleList = z.strictObject({ schedules: z.array(Schedule) });

/** A share link as its owner sees it later: not the link itself (only its hash is kept). */
export const ShareInfo = z.strictObject({
  id: Id,
  createdAt: Timestamp,
  /** How many times its page was opened. */
  views: z.number().int().nonnegative(),
  lastViewedAt: Timestamp.nullable(),
});
export type ShareInfo = z.output<typeof ShareInfo>;
export const ShareList = z.strictObject({ shares: z.array(ShareInfo) });
/** A new share link: `url` (relative to the server) is shown this once. */
export const CreatedShare = z.strictObject({ id: Id, url: z.string() });
export type CreatedShare = z.output<typeof CreatedShare>;

/** An OpenAPI document (api/openapi.ts makes it; only its frame is checked here). */
export const OpenApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/** An answer that is not JSON: bytes of `mediaType` (a stored file, an event stream, a page), or no body at all. */
export interface NotJson {
  notJson: true;
  mediaType: string | null;
  description: string;
}
const notJson = (mediaType: string | null, description: string): NotJson => ({ notJson: true, mediaType, description });
export const NoContent = notJson(null, 'Done; no content');
/** Stored bytes: their own content type, whatever it is. */
const StoredBytes = notJson('*/*', 'The bytes, with their stored content type');
const StoredRange = notJson('*/*', 'The range of the bytes that was asked for (Content-Range says which)');

/**
 * What each route answers, by status: a schema for the JSON body, or what it sends instead (NotJson). Every
 * route of the app has an entry (api/openapi.test.ts checks), and JSON that a route answers with a status not
 * listed fails the tests (checkResponses.ts), except errors: any 4xx/5xx not listed here is an ErrorBody.
 */
export const responses = {
  'GET /api/health': { 200: Health, 503: Health },
  'POST /api/auth/register': { 201: Registered },
  'POST /api/auth/login': { 200: LoggedIn },
  'POST /api/auth/refresh': { 200: Session },
  'POST /api/auth/logout': { 204: NoContent },
  'POST /api/auth/password': { 200: Session },
  'GET /api/auth/me': { 200: Me },
  'PATCH /api/auth/me': { 200: Me },
  'GET /api/public/projects/:token': { 200: PublicProject },
  'GET /api/public/projects/:token/media/:mediaId/content': { 200: StoredBytes, 206: StoredRange, 416: ErrorBody },
  'GET /api/nodes': { 200: NodeCatalog },
  'GET /api/projects': { 200: ProjectList },
  'POST /api/projects': { 201: Project },
  'GET /api/projects/:id': { 200: Project },
  'PATCH /api/projects/:id': { 200: Project },
  'GET /api/pipelines': { 200: PipelineList },
  'POST /api/pipelines': { 201: SavedPipeline },
  'GET /api/pipelines/:id': { 200: Pipeline },
  'PUT /api/pipelines/:id': { 200: SavedPipeline },
  'DELETE /api/pipelines/:id': { 204: NoContent },
  'GET /api/pipelines/:id/versions': { 200: PipelineVersionList },
  'POST /api/pipelines/:id/versions': { 200: SavedPipeline, 201: SavedPipeline },
  'GET /api/pipelines/:id/versions/:version': { 200: PipelineVersionDetail },
  'POST /api/pipelines/:id/versions/:version/restore': { 200: SavedPipeline, 201: SavedPipeline },
  'PUT /api/pipelines/:id/draft': { 200: SavedDraft },
  'POST /api/pipelines/:id/runs': { 200: StartRunAnswer, 201: StartRunAnswer, 202: RunDetail, 402: ErrorBody },
  'POST /api/pipelines/:id/estimate': { 200: CostEstimateSchema },
  'GET /api/pipelines/:id/runs': { 200: RunList },
  'GET /api/runs': { 200: RunList },
  'GET /api/runs/:id': { 200: RunDetail },
  'POST /api/runs/:id/cancel': { 202: CancellingRun },
  'POST /api/runs/:id/rerun': { 201: StartedRun },
  'POST /api/runs/:id/nodes/:nodeId/decision': { 200: ApprovalAnswer },
  'GET /api/runs/:id/events': {
    200: notJson(
      'text/event-stream',
      'Events (`id:` its sequence number, `event:` its type, `data:` the event as JSON), until the final run.status',
    ),
  },
  'GET /api/runs/:id/artifacts/*path': { 200: StoredBytes, 206: StoredRange, 416: ErrorBody },
  'POST /api/pipelines/:id/batches': { 201: StartedBatch, 402: ErrorBody },
  'GET /api/batches/:id': { 200: Batch },
  'POST /api/batches/:id/cancel': { 202: CancellingBatch },
  'GET /api/runs/:id/archive': { 200: notJson('application/zip', 'The zip, streamed as it is made') },
  'POST /api/runs/:id/share': { 201: CreatedShare },
  'GET /api/runs/:id/shares': { 200: ShareList },
  'DELETE /api/shares/:id': { 204: NoContent },
  'GET /api/public/shares/:token': { 200: notJson('text/html', 'The page') },
  'GET /api/public/shares/:token/media/:index': { 200: StoredBytes, 206: StoredRange, 416: ErrorBody },
  'GET /api/media': { 200: MediaList },
  'GET /api/media/:id': { 200: MediaItem },
  'PATCH /api/media/:id': { 200: MediaItem },
  'DELETE /api/media/:id': { 204: NoContent },
  'POST /api/media/archive': { 200: notJson('application/zip', 'A zip of the files, one per item, named after their titles') },
  'GET /api/media/:id/content': { 200: StoredBytes, 206: StoredRange, 416: ErrorBody },
  'GET /api/settings/providers': { 200: ProviderSettingList },
  'PUT /api/settings/providers/:provider': { 200: SavedProviderSetting },
  'DELETE /api/settings/providers/:provider': { 204: NoContent },
  'POST /api/settings/providers/:provider/test': { 200: ProviderTestResult },
  'GET /api/settings/generations': { 200: GenerationList },
  'GET /api/cache': { 200: CacheEntryList },
  'DELETE /api/cache': { 204: NoContent },
  'DELETE /api/cache/:id': { 204: NoContent },
  'GET /api/settings/usage': { 200: PlanUsage },
  'POST /api/signed-urls': { 200: SignedUrls },
  'GET /api/keys': { 200: ApiKeyList },
  'POST /api/keys': { 201: CreatedApiKey },
  'DELETE /api/keys/:id': { 204: NoContent },
  'POST /api/pipelines/:id/webhooks': { 201: CreatedWebhook },
  'GET /api/pipelines/:id/webhooks': { 200: WebhookList },
  'GET /api/webhooks/:id/deliveries': { 200: WebhookDeliveryList },
  'DELETE /api/webhooks/:id': { 204: NoContent },
  'POST /api/webhooks/:id/test': { 202: TestEventSent },
  'GET /api/schedules': { 200: ScheduleList },
  'POST /api/schedules': { 201: Schedule },
  'GET /api/schedules/:id': { 200: Schedule },
  'PATCH /api/schedules/:id': { 200: Schedule },
  'POST /api/schedules/:id/pause': { 200: Schedule },
  'POST /api/schedules/:id/resume': { 200: Schedule },
  'POST /api/schedules/:id/trigger': { 202: Schedule },
  'DELETE /api/schedules/:id': { 204: NoContent },
  'GET /api/openapi.json': { 200: OpenApiDocument },
  'GET /api/docs': { 200: notJson('text/html', 'The page') },
  'GET /api/docs/docs.js': { 200: notJson('text/javascript', 'The script') },
  'GET /api/docs/docs.css': { 200: notJson('text/css', 'The style sheet') },
} satisfies ResponseTable;
export type ResponseTable = Record<string, Partial<Record<number, z.ZodType | NotJson>>>;
