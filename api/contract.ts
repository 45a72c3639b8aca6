import { z } from 'zod';
import { RUN_TRIGGER_KINDS, RunInputsSchema, RunTriggerSchema } from '../workflows/pipeline/graph';
import { CLOUD_PROVIDERS } from '../workflows/pipeline/providers';
import { WEBHOOK_EVENTS } from '../workflows/pipeline/webhooks';

/**
 * Request bodies of the REST API: the one definition the API validates with and the studio sends.
 * Unknown fields are refused (strict), so a typo never silently does nothing.
 */
export const RegisterBody = z.strictObject({
  email: z.email().max(254),
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
  username: z.string().trim().min(1).max(64).nullable().optional(),
  fullName: z.string().trim().min(1).max(200).nullable().optional(),
});

export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: RegisterBody.shape.password,
});

/** Defaults a project gives its new nodes. */
export const ProjectSettings = z.strictObject({
  provider: z.string().trim().min(1).max(64).optional(),
  voice: z.string().trim().min(1).max(120).optional(),
  style: z.string().trim().min(1).max(500).optional(),
});

export const PROJECT_STATUSES = ['draft', 'active', 'archived'] as const;

export const ProjectBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  description: z.string().max(2000).optional(),
  type: z.string().trim().min(1).max(40).optional(),
  status: z.enum(PROJECT_STATUSES, { message: "must be one of 'draft', 'active', 'archived'" }).optional(),
  settings: ProjectSettings.optional(),
});

/** `isPublic: true` opens the project's public page at a new unguessable URL; `false` closes it (the URL dies). */
export const ProjectPatch = ProjectBody.partial().extend({ isPublic: z.boolean().optional() });

/** The unguessable part of a public project page's URL. */
export const PublicTokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'must be a public page token') });
export const PublicMediaParam = PublicTokenParam.extend({ mediaId: z.uuid('must be a valid id') });

/** The graph itself is checked by validateGraph, which reports every problem with its node or edge. */
export const CreatePipelineBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  projectId: z.uuid().optional(),
  graph: z.unknown(),
});

export const UpdatePipelineBody = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  graph: z.unknown().optional(),
});

/** Version numbers are PostgreSQL integers: a larger one would fail in the database, not here. */
const Version = z.number().int().positive().max(2147483647);

/** A draft is stored whatever graph it holds (its problems are reported, not refused): only its envelope is checked. */
export const SaveDraftBody = z.strictObject({
  graph: z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
    message: 'must be a JSON object (the pipeline graph: {nodes, edges})',
  }),
});

/** Recording a version takes the stored draft; the body carries nothing. */
export const RecordVersionBody = z.strictObject({});

export const StartRunBody = z.strictObject({
  inputs: RunInputsSchema.default({}),
  version: Version.optional(),
});

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

export const VersionQuery = z.object({ version: z.coerce.number().pipe(Version).optional() });

const EARLIEST = Date.parse('1970-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

export const ListQuery = z.object({
  projectId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Items made (runs, media) or changed (pipelines) before this instant. */
  before: z.iso
    .datetime({ offset: true })
    .refine((s) => Date.parse(s) >= EARLIEST && Date.parse(s) <= LATEST, 'must be between 1970-01-01 and 9999-12-31')
    .optional(),
  /** Keyset cursor: items after this one in the list's order (exact, unlike a timestamp). */
  after: z.uuid('must be the id of the last item you have').optional(),
});

/** The run lists: ListQuery, and what started the runs (`scheduleId`: one schedule's runs). */
export const RunListQuery = ListQuery.extend({
  trigger: z.enum(RUN_TRIGGER_KINDS, { message: `must be one of ${RUN_TRIGGER_KINDS.map((k) => `'${k}'`).join(', ')}` }).optional(),
  scheduleId: RunTriggerSchema.shape.scheduleId.unwrap().min(1).optional(),
});

/** Where a resumed event stream starts: the `id:` of the last event the client has (event seqs are integers). */
export const LastEventId = z.coerce.number().int('must be the id of an event').min(0).max(2147483647);

export const IdParam = z.object({ id: z.uuid('must be a valid id') });

export const ProviderParam = z.object({
  provider: z.enum(CLOUD_PROVIDERS, { message: `must be one of ${CLOUD_PROVIDERS.map((p) => `'${p}'`).join(', ')}` }),
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

export const ProviderCredentialBody = z.strictObject({
  apiKey: z.string().trim().min(1).max(500),
  /** For OpenAI-compatible servers (Ollama, vLLM, LM Studio…) or a vendor proxy; public addresses only unless the operator allows more. */
  baseUrl: z
    .string()
    .max(500)
    .superRefine(refineOutboundUrl('the key goes in apiKey'))
    .optional(),
});

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

/** Paths of stored objects to open with signed links: `/api/media/<id>/content`, `/api/runs/<id>/artifacts/<key>`. */
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
    .refine((text) => !DURATION.test(text) || (durationMs(text) >= DURATION_UNITS_MS.s * min && durationMs(text) <= DURATION_UNITS_MS.d * max), what);

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
  if (body.cron !== undefined && body.every !== undefined) ctx.addIssue({ code: 'custom', path: ['every'], message: 'give either cron or every, not both' });
  if (required && body.cron === undefined && body.every === undefined) {
    ctx.addIssue({ code: 'custom', path: ['cron'], message: "required: a cron expression (cron: '0 9 * * MON') or an interval (every: '15m')" });
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
