import { z } from 'zod';
import { ApprovalDecisionSchema } from '../workflows/pipeline/approvalSchema';
import { RUN_TRIGGER_KINDS } from '../workflows/pipeline/graph';
import { identifier, RunInputsSchema, RunTriggerSchema } from '../workflows/pipeline/graphSchemas';
import { MAX_BATCH_RUNS } from '../workflows/pipeline/seeds';
import { RUN_STATUSES } from '../workflows/pipeline/statuses';
import { CONFIGURABLE_PROVIDERS } from '../workflows/pipeline/providers';
import { WEBHOOK_EVENTS } from '../workflows/pipeline/webhooks';

/**
 * Text that must hold more than whitespace (it is stored trimmed). The pattern says so in the API's description
 * too, where a trimmed length cannot be written.
 */
const Words = (max: number) => z.string().regex(/\S/, 'must not be blank').trim().min(1).max(max);

/**
 * Request bodies of the REST API: the one definition the API validates with and the studio sends.
 * Unknown fields are refused (strict), so a typo never silently does nothing.
 */
export const RegisterBody = z.strictObject({
  // RFC 5321: a mailbox name (before the @) has at most 64 characters; zod's email pattern does not count them.
  email: z
    .email()
    .max(254)
    .refine((email) => email.slice(0, email.lastIndexOf('@')).length <= 64, 'the part before the @ must be at most 64 characters'),
  password: z.string().min(8, 'must be at least 8 characters').max(256),
  username: z.string().min(1).max(64).optional(),
});

export const LoginBody = z.strictObject({
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(256),
});

/** Refresh and logout name the session by its refresh token. */
export const RefreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });

export const ProfilePatch = z.strictObject({
  username: Words(64).nullable().optional(),
  fullName: Words(200).nullable().optional(),
});

export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: RegisterBody.shape.password,
});

/** Defaults a project gives its new nodes. */
export const ProjectSettings = z.strictObject({
  provider: Words(64).optional(),
  voice: Words(120).optional(),
  style: Words(500).optional(),
  /** The budget (USD) of each run of this project's pipelines, unless its start names one. */
  budgetUsd: z.number().nonnegative().max(1_000_000).optional(),
});

export const PROJECT_STATUSES = ['draft', 'active', 'archived'] as const;

export const ProjectBody = z.strictObject({
  name: Words(120),
  description: z.string().max(2000).optional(),
  type: Words(40).optional(),
  status: z.enum(PROJECT_STATUSES, { message: "must be one of 'draft', 'active', 'archived'" }).optional(),
  settings: ProjectSettings.optional(),
});

/** `isPublic: true` opens the project's public page at a new unguessable URL; `false` closes it (the URL dies). */
export const ProjectPatch = ProjectBody.partial().extend({ isPublic: z.boolean().optional() });

/** The unguessable part of a public project page's URL. */
export const PublicTokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'must be a public page token') });
export const PublicMediaParam = PublicTokenParam.extend({ mediaId: z.uuid('must be a valid id') });

/** The unguessable part of a share link (256 random bits, base64url). */
export const ShareTokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a share link token') });
/** The n-th picture, sound or text of a share page, counted from 0 as the page lists them. */
export const ShareMediaParam = ShareTokenParam.extend({
  index: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,3})$/, "must be the number of one of the share page's files (0, 1, 2…)")
    .transform(Number),
});
/** A share link takes nothing but the run it shows. */
export const CreateShareBody = z.strictObject({});

/** The graph itself is checked by validateGraph, which reports every problem with its node or edge. */
const PipelineGraph = z
  .unknown()
  .describe('The pipeline graph, {schemaVersion, nodes, edges} as in Pipeline.graph; each problem is answered with its node or edge');

export const CreatePipelineBody = z.strictObject({
  name: Words(120),
  projectId: z.uuid().optional(),
  graph: PipelineGraph,
});

export const UpdatePipelineBody = z.strictObject({
  name: Words(120).optional(),
  graph: PipelineGraph.optional(),
});

/** Version numbers are PostgreSQL integers: a larger one would fail in the database, not here. */
const MAX_INT = 2147483647;
const Version = z.number().int().positive().max(MAX_INT);

/** A draft is stored whatever graph it holds (its problems are reported, not refused): only its envelope is checked. */
export const SaveDraftBody = z.strictObject({
  graph: z.record(z.string(), z.unknown(), { error: 'must be a JSON object (the pipeline graph: {nodes, edges})' }),
});

/** Recording a version takes the stored draft; the body carries nothing. */
export const RecordVersionBody = z.strictObject({});

export const StartRunBody = z.strictObject({
  inputs: RunInputsSchema.default({}),
  version: Version.optional(),
  /** Stops the run before a model call that would cross it (that node fails with budget_exceeded); the project's budget when absent. */
  budgetUsd: z.number().nonnegative().max(1_000_000).optional(),
  /** `fresh`: compute every node again instead of reusing cached outputs (what it computes is still kept). */
  cache: z.enum(['use', 'fresh']).optional(),
});

/** A re-run of a finished, failed or cancelled run: from a node, the nodes that did not succeed, or both. */
export const RerunBody = z.strictObject({
  fromNodeId: z.string().min(1).max(200).optional(),
  onlyFailed: z.boolean().optional(),
  /** Replace these of the parent's inputs (input nodes whose value changes are run again). */
  inputs: RunInputsSchema.optional(),
});

/**
 * A batch: one run per item, or with `seeds: N` N runs per item, each with its own seed (the same N seeds for
 * every item, so variation k of each item is comparable): items.length × seeds runs in all, at most MAX_BATCH_RUNS.
 */
export const StartBatchBody = z
  .strictObject({
    items: z
      .array(z.strictObject({ inputs: RunInputsSchema.default({}) }), { error: 'must be a list of {inputs}' })
      .min(1, 'must hold at least one item')
      .max(MAX_BATCH_RUNS, `must hold at most ${MAX_BATCH_RUNS} items`),
    seeds: z.number().int('must be a whole number').min(1).max(MAX_BATCH_RUNS).optional(),
  })
  .superRefine((body, ctx) => {
    const runs = body.items.length * (body.seeds ?? 1);
    if (body.seeds !== undefined && runs > MAX_BATCH_RUNS) {
      ctx.addIssue({
        code: 'custom',
        path: ['seeds'],
        message: `${body.items.length} items × ${body.seeds} seeds make ${runs} runs; a batch makes at most ${MAX_BATCH_RUNS}`,
      });
    }
  });

/** What a run of the pipeline (its latest version, `version`, or the editor's unrecorded `graph`) with these inputs is estimated to cost. */
export const EstimateRunBody = z
  .strictObject({
    inputs: RunInputsSchema.default({}),
    version: Version.optional(),
    /** The graph on the editor's canvas, checked as a version would be: what Run would record and run. */
    graph: z.record(z.string(), z.unknown(), { error: 'must be a JSON object (the pipeline graph: {nodes, edges})' }).optional(),
  })
  .refine((b) => b.version === undefined || b.graph === undefined, { message: 'give a version or a graph, not both', path: ['graph'] });

/**
 * `?wait=N`: hold the answer up to N seconds (at most 60) until the run ends. The body's hash, not this, is what
 * an Idempotency-Key compares: a retry may wait longer or not at all.
 */
export const StartRunQuery = z.object({ wait: z.coerce.number().int('must be whole seconds').min(0).max(60).optional() });

/** Makes a retried start start one run: printable ASCII, as Stripe and the IETF draft use it. */
export const IdempotencyKey = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[\x20-\x7e]*$/, 'must be printable ASCII');

/** A query value is text: coerced, with the same bounds (written out, so that the API's description shows them). */
export const VersionQuery = z.object({ version: z.coerce.number().int().positive().max(MAX_INT).optional() });

const EARLIEST = Date.parse('1970-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const IN_RANGE = 'must be between 1970-01-01 and 9999-12-31';

/** An instant with its offset, between 1970 and 9999. */
const Instant = z.iso
  .datetime({ offset: true })
  // The year's range as a pattern too, so that the API's description says it; the instant (with its offset) is checked after.
  .regex(/^(?:19[7-9]\d|[2-9]\d{3})-/, IN_RANGE)
  .refine((s) => Date.parse(s) >= EARLIEST && Date.parse(s) <= LATEST, IN_RANGE);

export const ListQuery = z.object({
  projectId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Items made (runs, media) or changed (pipelines) before this instant. */
  before: Instant.optional(),
  /** Keyset cursor: items after this one in the list's order (exact, unlike a timestamp). */
  after: z.uuid('must be the id of the last item you have').optional(),
});

/**
 * The run lists: ListQuery, and what started the runs (`scheduleId`: one schedule's runs), their status, their
 * pipeline, text their inputs contain (`q`), and `from`: made at or after this instant (with `before`, a date range).
 */
export const RunListQuery = ListQuery.extend({
  trigger: z.enum(RUN_TRIGGER_KINDS, { message: `must be one of ${RUN_TRIGGER_KINDS.map((k) => `'${k}'`).join(', ')}` }).optional(),
  scheduleId: RunTriggerSchema.shape.scheduleId.unwrap().min(1).optional(),
  status: z.enum(RUN_STATUSES, { message: `must be one of ${RUN_STATUSES.map((s) => `'${s}'`).join(', ')}` }).optional(),
  pipelineId: z.uuid('must be the id of one of your pipelines').optional(),
  q: z.string().trim().max(200, 'must be at most 200 characters').optional().describe("Text the run's input values contain (any case)"),
  from: Instant.optional().describe('Runs made at or after this instant'),
  waiting: z
    .enum(['true', 'false'], { message: "must be 'true' or 'false'" })
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only runs with a step waiting for a person (an approval); false: only the others'),
});
/** One pipeline's runs: the pipeline is the path's. */
export const PipelineRunListQuery = RunListQuery.omit({ pipelineId: true });

/** Where a resumed event stream starts: the `id:` of the last event the client has (event seqs are integers). */
export const LastEventId = z.coerce.number().int('must be the id of an event').min(0).max(MAX_INT);

export const IdParam = z.object({ id: z.uuid('must be a valid id') });
/** A node of a run, by its id in the run's graph. */
export const RunNodeParams = IdParam.extend({ nodeId: identifier });
/** A decision on a waiting approval step: approve (optionally with an edited text or JSON value) or reject, with a comment. */
export const DecisionBody = ApprovalDecisionSchema;
export const VersionParams = IdParam.extend({ version: z.coerce.number().int().positive().max(MAX_INT) });
/** Restoring takes the stored version; the body carries nothing. */
export const RestoreVersionBody = z.strictObject({});

export const ProviderParam = z.object({
  provider: z.enum(CONFIGURABLE_PROVIDERS, { message: `must be one of ${CONFIGURABLE_PROVIDERS.map((p) => `'${p}'`).join(', ')}` }),
});

/**
 * Why a user's outbound URL (a provider base URL, a webhook) is refused on its face, or null; where it resolves
 * to is checked apart. `userInfo` says where credentials go instead of the URL.
 */
function outboundUrlProblem(value: string, userInfo: string): string | null {
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) return 'must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return `must not contain a user name or password (${userInfo})`;
  if (!url.hostname) return 'must name a host';
  return null;
}

/**
 * A cloud provider takes `apiKey` (and optionally `baseUrl`); an image server (ComfyUI, AUTOMATIC1111) takes
 * `baseUrl` and optionally `authorization`. Which applies is the provider's to say: the settings service checks it.
 */
export const ProviderCredentialBody = z.strictObject({
  apiKey: Words(500).optional(),
  /**
   * For OpenAI-compatible servers (Ollama, vLLM, LM Studio…), a vendor proxy, or the image server's address;
   * public addresses only unless the operator allows more.
   */
  baseUrl: z.string().max(500).superRefine(refineOutboundUrl('the key goes in apiKey, a password in authorization')).optional(),
  /** Image servers: the Authorization header to send, e.g. `Basic dXNlcjpwYXNz` for AUTOMATIC1111's --api-auth. */
  authorization: z
    .string()
    .max(1000)
    .regex(/^[\x21-\x7e][\x20-\x7e]*$/, 'must be one header value in printable ASCII, e.g. "Basic dXNlcjpwYXNz" or "Bearer …"')
    .optional(),
});

/** A connection test takes nothing: it tries what is saved (yours, else the install's). */
export const ProviderTestBody = z.strictObject({});

function refineOutboundUrl(userInfo: string) {
  return (value: string, ctx: z.RefinementCtx) => {
    const problem = outboundUrlProblem(value, userInfo);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}

/** A pipeline's webhook: where its runs' events go (public addresses only unless the operator allows more). */
export const WebhookBody = z.strictObject({
  url: z.string().max(2000).superRefine(refineOutboundUrl('deliveries are signed with the webhook secret instead')),
  events: z
    .array(z.enum(WEBHOOK_EVENTS, { message: `must be one of ${WEBHOOK_EVENTS.map((e) => `'${e}'`).join(', ')}` }))
    .min(1, 'must name at least one event')
    .max(WEBHOOK_EVENTS.length)
    .refine((events) => new Set(events).size === events.length, 'must not name an event twice'),
});

/** A test event takes nothing but the webhook it goes to. */
export const SendTestEventBody = z.strictObject({});

/** What the media library can be filtered by: a stored kind, or `video` (any `video/*` file). */
export const MEDIA_KIND_FILTERS = ['image', 'audio', 'video', 'text', 'json', 'file'] as const;

/** The media library: ListQuery, a search in titles (name, pipeline name, run inputs), a kind and a pipeline. */
export const MediaListQuery = ListQuery.extend({
  q: z.string().trim().max(200, 'must be at most 200 characters').optional(),
  kind: z.enum(MEDIA_KIND_FILTERS, { message: `must be one of ${MEDIA_KIND_FILTERS.map((k) => `'${k}'`).join(', ')}` }).optional(),
  pipelineId: z.uuid('must be a valid id').optional(),
});

/** A media item's own name; null gives it back its default title (pipeline · input · step). */
export const MediaRenameBody = z.strictObject({ name: Words(200).nullable() });

/** The most items one zip may hold, and the most bytes their files may add up to. */
export const MEDIA_ARCHIVE_MAX_ITEMS = 200;
export const MEDIA_ARCHIVE_MAX_BYTES = 2 * 1024 ** 3;

/** Media items to download as one zip. */
export const MediaArchiveBody = z.strictObject({
  ids: z
    .array(z.uuid('must be a valid id'))
    .min(1, 'must name at least one media item')
    .max(MEDIA_ARCHIVE_MAX_ITEMS, `must name at most ${MEDIA_ARCHIVE_MAX_ITEMS} media items`),
});

/** Paths of stored objects to open with signed links: `/api/media/<id>/content`, `/api/runs/<id>/artifacts/<key>`, `/api/runs/<id>/archive`. */
export const SignUrlsBody = z.strictObject({
  paths: z.array(z.string().max(1000)).min(1).max(200),
});

/** What an API key may do, each scope including the ones before it (see api/scopes.ts). */
export const API_KEY_SCOPES = ['read', 'run', 'admin'] as const;

export const ApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  scope: z.enum(API_KEY_SCOPES, { message: `must be one of ${API_KEY_SCOPES.map((s) => `'${s}'`).join(', ')}` }),
});

/** Paging a webhook's delivery log (newest first). */
export const DeliveryListQuery = ListQuery.omit({ projectId: true });

/** What a schedule does when a firing comes while its previous run is still going (Temporal's overlap policies). */
export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'buffer_all', 'cancel_other', 'allow_all'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

const DURATION_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^([1-9]\d{0,5})([smhd])$/;

/** Milliseconds of a duration written as `30s`, `15m`, `1h` or `1d`. */
export function durationMs(text: string): number {
  const [, n, unit] = DURATION.exec(text)!;
  return Number(n) * DURATION_UNITS_MS[unit as keyof typeof DURATION_UNITS_MS];
}

/** A duration written back with the largest unit that divides it (`90000` → `90s`, `3600000` → `1h`). */
export function durationText(ms: number): string {
  for (const [unit, size] of Object.entries(DURATION_UNITS_MS).reverse()) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

const Duration = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(DURATION, "must be a whole number and a unit: '30s', '15m', '1h' or '1d'")
    .refine(
      (text) => !DURATION.test(text) || (durationMs(text) >= DURATION_UNITS_MS.s * min && durationMs(text) <= DURATION_UNITS_MS.d * max),
      what,
    );

const Every = Duration(1, 366, 'must be between 1s and 366d');
/** Temporal takes catch-up windows of 10 s or more. */
const CatchupWindow = Duration(10, 366, 'must be between 10s and 366d');

/** Temporal reads the expression (5–7 fields or @daily…, and says what is wrong); here only what it must not hold. */
const Cron = z
  .string()
  .trim()
  .min(1, 'must be a cron expression, e.g. "0 9 * * MON"')
  .max(200)
  .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), 'must not contain control characters')
  .refine((text) => !/^(CRON_)?TZ=/i.test(text), 'must not name a time zone: give it in timezone')
  .refine((text) => !/^@every\b/i.test(text), "must not be an interval: give it in every, e.g. every: '15m'");

/**
 * An IANA zone name as the time-zone database spells it: `Europe/Paris`, `UTC`, `America/Argentina/Buenos_Aires`.
 * Temporal loads it from its own copy of the database, exactly spelled, and has the last word.
 */
export const TimeZone = z
  .string()
  .max(64)
  .superRefine((zone, ctx) => {
    const problem = timeZoneProblem(zone);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

function timeZoneProblem(zone: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return "must be an IANA time zone name, e.g. 'Europe/Paris' or 'UTC'";
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return `unknown time zone '${zone}': use an IANA name, e.g. 'Europe/Paris' or 'UTC'`;
  }
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) return `must be spelled exactly: '${resolved}'`;
  return null;
}

/** A pinned version number, or `latest`: the pipeline's current version at each firing. */
export const ScheduleVersion = z.union([Version, z.literal('latest')], { message: "must be a version number or 'latest'" });

const Overlap = z.enum(OVERLAP_POLICIES, { message: `must be one of ${OVERLAP_POLICIES.map((p) => `'${p}'`).join(', ')}` });
const ScheduleNote = z.string().trim().max(500);

const scheduleFields = {
  cron: Cron.optional(),
  every: Every.optional(),
  timezone: TimeZone.optional(),
  inputs: RunInputsSchema.optional(),
  version: ScheduleVersion.optional(),
  overlap: Overlap.optional(),
  catchupWindow: CatchupWindow.optional(),
};

const oneSpec = (required: boolean) => (body: { cron?: string; every?: string }, ctx: z.RefinementCtx) => {
  if (body.cron !== undefined && body.every !== undefined)
    ctx.addIssue({ code: 'custom', path: ['every'], message: 'give either cron or every, not both' });
  if (required && body.cron === undefined && body.every === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['cron'],
      message: "required: a cron expression (cron: '0 9 * * MON') or an interval (every: '15m')",
    });
  }
};

export const CreateScheduleBody = z
  .strictObject({
    pipelineId: z.uuid('must be the id of one of your pipelines'),
    ...scheduleFields,
    paused: z.boolean().optional(),
    note: ScheduleNote.optional(),
  })
  .superRefine(oneSpec(true));

/** Only what is given changes; a new cron or every replaces the spec (the zone stays unless given). */
export const UpdateScheduleBody = z.strictObject({ ...scheduleFields, note: ScheduleNote.optional() }).superRefine(oneSpec(false));

export const ScheduleNoteBody = z.strictObject({ note: ScheduleNote.optional() });
export const TriggerScheduleBody = z.strictObject({});

export const ScheduleListQuery = z.object({ pipelineId: z.uuid().optional() });

/** An artifact of a run: its key below `runs/<id>/`, which may contain `/`. */
export const ArtifactParams = IdParam.extend({ path: z.string().min(1).describe('The artifact key below runs/<id>/ (may contain /)') });

/** Stored bytes may be asked for in part, so audio and video can seek. */
export const RangeHeaders = z.object({
  Range: z
    .string()
    .optional()
    .describe('bytes=<first>-[<last>] or bytes=-<suffix>: one range (206); any other form is ignored (the whole file)'),
});

/** Where a resumed event stream starts: either way of giving it. */
export const EventsQuery = z.object({
  lastEventId: LastEventId.optional().describe('The id of the last event you have (as Last-Event-ID)'),
});
export const EventsHeaders = z.object({
  'Last-Event-ID': LastEventId.optional().describe('The id of the last event you have: the stream resumes after it'),
});

/** What one route reads from a request besides its credentials, each part one schema. */
export interface RouteRequest {
  /** One line for the API's description. */
  summary: string;
  /** More, when the line is not enough. */
  description?: string;
  /** Answers without credentials; every other route needs `Authorization: Bearer <session token or API key>`. */
  public?: true;
  /** The resource it is listed under, when not the first segment of its path after /api. */
  tag?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
}

const SIGNED_LINK =
  'Also opens with a signed link instead of the Authorization header (?uid&exp&sig, from POST /api/signed-urls), for <img>, <audio> and plain links.';

/**
 * Every route of the API, by `METHOD path` as Express writes it, with what it reads: with `responses` in
 * schemas.ts (keyed the same) this table is the whole description of the API, served as OpenAPI at
 * /api/openapi.json (api/openapi.ts). A route missing here fails api/openapi.test.ts.
 */
export const requests = {
  'GET /api/health': { summary: 'Whether the database, Temporal and the event bus answer', public: true },
  'POST /api/auth/register': { summary: 'Create an account; answers a session token', public: true, body: RegisterBody },
  'POST /api/auth/login': { summary: 'Log in; answers a session token', public: true, body: LoginBody },
  'GET /api/auth/me': { summary: 'The account the credentials belong to' },
  'PATCH /api/auth/me': { summary: 'Change your username or full name (null clears it)', body: ProfilePatch },
  'POST /api/auth/refresh': {
    summary: 'Spend a refresh token for a new access token and refresh token',
    description: 'Each refresh token works once: a spent one coming back ends its whole session (401).',
    public: true,
    body: RefreshBody,
  },
  'POST /api/auth/logout': { summary: 'End the session a refresh token belongs to', public: true, body: RefreshBody },
  'POST /api/auth/password': {
    summary: 'Change your password: every session ends, and a new one is answered',
    description: 'A wrong currentPassword answers 403 invalid_credentials.',
    body: ChangePasswordBody,
  },
  'GET /api/public/projects/:token': {
    summary: "A public project page: the project's name, description and type, and its media (no login; the token is the key)",
    public: true,
    params: PublicTokenParam,
  },
  'GET /api/public/projects/:token/media/:mediaId/content': {
    summary: "The bytes of a public project's media item",
    public: true,
    params: PublicMediaParam,
    headers: RangeHeaders,
  },
  'GET /api/nodes': { summary: 'The node catalog: each node type with its ports and the JSON Schema of its params', public: true },
  'GET /api/projects': { summary: 'Your projects' },
  'POST /api/projects': { summary: 'Create a project', body: ProjectBody },
  'GET /api/projects/:id': { summary: 'One project', params: IdParam },
  'PATCH /api/projects/:id': {
    summary: "Change a project's fields; isPublic opens (at a new unguessable URL) or closes its public page",
    params: IdParam,
    body: ProjectPatch,
  },
  'GET /api/pipelines': { summary: 'Your pipelines, most recently changed first', query: ListQuery },
  'POST /api/pipelines': {
    summary: 'Create a pipeline from a valid graph (version 1)',
    description: 'An invalid graph answers 400 invalid_graph with every problem, naming its node or edge.',
    body: CreatePipelineBody,
  },
  'GET /api/pipelines/:id': {
    summary: 'A pipeline with the graph of its current version (or ?version), and its draft',
    params: IdParam,
    query: VersionQuery,
  },
  'PUT /api/pipelines/:id': {
    summary: 'Rename a pipeline or save a valid graph as its next version',
    params: IdParam,
    body: UpdatePipelineBody,
  },
  'DELETE /api/pipelines/:id': { summary: 'Delete a pipeline (409 while one of its runs is active)', params: IdParam },
  'GET /api/pipelines/:id/versions': { summary: "A pipeline's versions", params: IdParam },
  'POST /api/pipelines/:id/versions': {
    summary: 'Record the draft as the next version (200 when it equals the current one)',
    params: IdParam,
    body: RecordVersionBody,
  },
  'GET /api/pipelines/:id/versions/:version': {
    summary: 'One version of a pipeline with its graph and what it changed against the version before',
    params: VersionParams,
  },
  'POST /api/pipelines/:id/versions/:version/restore': {
    summary: 'Record an old version as the new latest one (200 when it equals the latest); discards the draft',
    description: 'A version that no longer passes validation (its node types changed since) answers 400 invalid_graph.',
    params: VersionParams,
    body: RestoreVersionBody,
  },
  'PUT /api/pipelines/:id/draft': {
    summary: "Autosave the editor's draft, valid or not; answers its problems",
    params: IdParam,
    body: SaveDraftBody,
  },
  'POST /api/pipelines/:id/runs': {
    summary: 'Start a run of the current version (or `version`) with inputs',
    description:
      'With `Idempotency-Key`, a retried call starts one run (201, then 200 with the same run; another body: 409). `?wait=N` holds the answer until the run ends (or 202).',
    params: IdParam,
    query: StartRunQuery,
    headers: z.object({ 'Idempotency-Key': IdempotencyKey.optional() }),
    body: StartRunBody,
  },
  'POST /api/pipelines/:id/batches': {
    summary: 'Start a batch: one run per item (or `seeds` runs per item, each with its own seed), a few at a time',
    description: `Each run is an ordinary run (listed with the others, with its batchId); at most ${MAX_BATCH_RUNS} runs (items × seeds). Each counts against the plan's concurrent runs.`,
    tag: 'batches',
    params: IdParam,
    body: StartBatchBody,
  },
  'GET /api/batches/:id': {
    summary: "A batch with each of its runs' status, inputs, seed and outputs, and counts by status",
    params: IdParam,
  },
  'POST /api/batches/:id/cancel': {
    summary: 'Cancel a batch: its runs in flight are cancelled and the waiting ones never start (409 once all ended)',
    params: IdParam,
  },
  'POST /api/pipelines/:id/estimate': {
    summary: 'What a run with these inputs is estimated to cost, per node and in total (USD)',
    description:
      "From the price table and each node's params (words to write, characters to narrate, pictures and their size, a split's bound); local models cost 0. An estimate: the charge is what the provider reports.",
    params: IdParam,
    body: EstimateRunBody,
  },
  'GET /api/keys': { summary: 'Your API keys: name, scope, prefix, created and last used (never the secret)' },
  'POST /api/keys': { summary: 'Create an API key (`read`, `run` or `admin`); its secret is in this answer only', body: ApiKeyBody },
  'DELETE /api/keys/:id': { summary: 'Revoke an API key: refused from the next request on', params: IdParam },
  'GET /api/pipelines/:id/runs': {
    summary: "A pipeline's runs, newest first, filtered as GET /api/runs",
    params: IdParam,
    query: PipelineRunListQuery,
  },
  'POST /api/pipelines/:id/webhooks': {
    summary: "Add a webhook to a pipeline: its runs' events are POSTed, signed, to the URL",
    description: 'The answer holds the signing secret, shown this once. URLs of private addresses are refused.',
    tag: 'webhooks',
    params: IdParam,
    body: WebhookBody,
  },
  'GET /api/pipelines/:id/webhooks': { summary: "A pipeline's webhooks (without their secrets)", tag: 'webhooks', params: IdParam },
  'DELETE /api/webhooks/:id': { summary: 'Remove a webhook', params: IdParam },
  'GET /api/webhooks/:id/deliveries': { summary: "A webhook's delivery attempts, newest first", params: IdParam, query: DeliveryListQuery },
  'POST /api/webhooks/:id/test': {
    summary: 'Send a test event to a webhook (delivered in the background)',
    params: IdParam,
    body: SendTestEventBody,
  },
  'GET /api/schedules': { summary: "Your schedules (or one pipeline's, ?pipelineId)", query: ScheduleListQuery },
  'POST /api/schedules': {
    summary: 'Schedule a pipeline: a cron expression or an interval, in a time zone',
    description: 'Give either cron or every. Each firing starts an ordinary run (trigger kind schedule) under the overlap policy.',
    body: CreateScheduleBody,
  },
  'GET /api/schedules/:id': { summary: 'A schedule with its next times and recent runs', params: IdParam },
  'PATCH /api/schedules/:id': { summary: 'Change a schedule: only what is given changes', params: IdParam, body: UpdateScheduleBody },
  'POST /api/schedules/:id/pause': { summary: 'Pause a schedule, with an optional note', params: IdParam, body: ScheduleNoteBody },
  'POST /api/schedules/:id/resume': { summary: 'Resume a paused schedule, with an optional note', params: IdParam, body: ScheduleNoteBody },
  'POST /api/schedules/:id/trigger': {
    summary: 'Fire a schedule once now, under its overlap policy',
    params: IdParam,
    body: TriggerScheduleBody,
  },
  'DELETE /api/schedules/:id': { summary: 'Delete a schedule: it fires no more', params: IdParam },
  'GET /api/runs': {
    summary: 'Your runs, newest first, each with its inputs, a thumbnail and its cost',
    description: '?pipelineId, ?status, ?trigger, ?scheduleId, ?from and ?before filter them; ?q finds text in their input values.',
    query: RunListQuery,
  },
  'GET /api/runs/:id': { summary: 'A run with the state and output of each node', params: IdParam },
  'POST /api/runs/:id/cancel': { summary: 'Cancel a run in progress (409 once it has finished)', params: IdParam },
  'POST /api/runs/:id/rerun': {
    summary: "Run again from a node (fromNodeId) or the nodes that failed (onlyFailed), reusing the rest's recorded outputs",
    description:
      "Runs the pipeline's current version. A node upstream of the chosen ones is reused (no call, no cost: its state's `cached` says from which run and what it saved) unless its type, params, incoming edges or input value changed since. 409 while the run is active.",
    params: IdParam,
    body: RerunBody,
  },
  'POST /api/runs/:id/nodes/:nodeId/decision': {
    summary: 'Approve or reject a waiting approval step',
    description:
      'Approving may replace a text (or JSON) with an edited `value`, which flows on; media can only be approved or rejected. Rejecting fails the step and the run, with the comment. 409 when the step is not waiting (not yet, or already decided or timed out).',
    params: RunNodeParams,
    body: DecisionBody,
  },
  'GET /api/runs/:id/events': {
    summary: "A run's events as Server-Sent Events, from the start or after Last-Event-ID; ends after its final status",
    params: IdParam,
    query: EventsQuery,
    headers: EventsHeaders,
  },
  'GET /api/runs/:id/artifacts/*path': {
    summary: 'The bytes of an artifact a run made (a narration, an illustration…)',
    description: SIGNED_LINK,
    params: ArtifactParams,
    headers: RangeHeaders,
  },
  'GET /api/media': {
    summary: 'Your media, newest first: search titles with q, filter by kind and pipeline',
    description: 'q matches the name, the pipeline name and the text of the run inputs (case-insensitive).',
    query: MediaListQuery,
  },
  'GET /api/runs/:id/archive': {
    summary: "Everything a run made, as one zip: its media, its steps' artifacts, its texts (.txt) and manifest.json",
    description: `manifest.json holds the run's status, inputs and outputs, its steps and each file. ${SIGNED_LINK}`,
    params: IdParam,
  },
  'POST /api/runs/:id/share': {
    summary: 'Make a share link of a finished run: a read-only page of its pictures, sound and texts for anyone holding it',
    description: 'The link (url, relative to this server) is in this answer only: only a hash of it is kept. 409 while the run is active.',
    params: IdParam,
    body: CreateShareBody,
  },
  'GET /api/runs/:id/shares': { summary: "A run's live share links (not the links themselves: they are shown once)", params: IdParam },
  'DELETE /api/shares/:id': { summary: 'Revoke a share link: its page and files answer 404 from then on', params: IdParam },
  'GET /api/public/shares/:token': {
    summary: "A share link's page (HTML, no login): the run's pictures, sound and texts, nothing else",
    description: 'A client that prefers HTML gets its errors (a revoked or mistyped link) as a page too.',
    public: true,
    params: ShareTokenParam,
  },
  'GET /api/public/shares/:token/media/:index': {
    summary: "The bytes of a share page's n-th file",
    public: true,
    params: ShareMediaParam,
    headers: RangeHeaders,
  },
  'GET /api/media/:id': { summary: 'One media item, with a signed link to its bytes', params: IdParam },
  'PATCH /api/media/:id': { summary: 'Rename a media item (null: back to its default title)', params: IdParam, body: MediaRenameBody },
  'DELETE /api/media/:id': { summary: 'Delete a media item and its stored bytes; its content answers 404 afterwards', params: IdParam },
  'POST /api/media/archive': {
    summary: 'Several media items as one zip',
    description: `At most ${MEDIA_ARCHIVE_MAX_ITEMS} items and ${MEDIA_ARCHIVE_MAX_BYTES / 1024 ** 3} GiB; an id that is not yours answers 404.`,
    body: MediaArchiveBody,
  },
  'GET /api/media/:id/content': { summary: "A media item's bytes", description: SIGNED_LINK, params: IdParam, headers: RangeHeaders },
  'GET /api/settings/providers': { summary: 'Which cloud providers have a key, and whose (never the key)' },
  'PUT /api/settings/providers/:provider': {
    summary: 'Store your key (and base URL) for a provider, encrypted; it is never sent back',
    params: ProviderParam,
    body: ProviderCredentialBody,
  },
  'DELETE /api/settings/providers/:provider': { summary: 'Remove your key for a provider', params: ProviderParam },
  'POST /api/settings/providers/:provider/test': {
    summary: "Try a provider's saved settings (yours, else the install's) with a cheap authenticated call",
    description:
      'Lists what the server offers where it can: models (OpenAI-compatible, ElevenLabs; ComfyUI and AUTOMATIC1111 checkpoints) and samplers. A failure is an answer too: `ok: false` with what to do next.',
    params: ProviderParam,
    body: ProviderTestBody,
  },
  'GET /api/settings/generations': { summary: 'Your calls to models, with what each cost, newest first', query: ListQuery },
  'GET /api/cache': { summary: 'Your output cache: node outputs a later identical execution reuses, newest first (at most 500)' },
  'DELETE /api/cache': { summary: 'Clear your output cache: the next runs compute every node again' },
  'DELETE /api/cache/:id': { summary: 'Drop one cache entry', params: IdParam },
  'GET /api/settings/usage': { summary: "Your plan, and how much of each of its limits this period's use has taken" },
  'POST /api/signed-urls': {
    summary: 'Signed links to your stored objects, for elements that cannot send the Authorization header',
    description: 'Paths of objects that are not yours are left out of the answer.',
    body: SignUrlsBody,
  },
  'GET /api/openapi.json': { summary: 'This description of the API (OpenAPI 3.1)', public: true, tag: 'docs' },
  'GET /api/docs': { summary: 'This description as a page to read', public: true },
  'GET /api/docs/docs.js': { summary: "The docs page's script", public: true },
  'GET /api/docs/docs.css': { summary: "The docs page's style sheet", public: true },
} satisfies Record<string, RouteRequest>;
