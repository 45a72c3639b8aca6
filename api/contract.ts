import { z } from 'zod';
import { RunInputsSchema } from '../workflows/pipeline/graph';
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

/** Paging a webhook's delivery log (newest first). */
export const DeliveryListQuery = ListQuery.omit({ projectId: true });
