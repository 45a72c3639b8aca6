import { z } from 'zod';
import { RunInputsSchema } from '../workflows/pipeline/graph';

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

export const ProjectBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  description: z.string().max(2000).optional(),
});

export const ProjectPatch = ProjectBody.partial();

/** The graph itself is checked by validateGraph, which reports every problem with its node or edge. */
const PipelineGraph = z.unknown().describe('The pipeline graph, {schemaVersion, nodes, edges} as in Pipeline.graph; each problem is answered with its node or edge');

export const CreatePipelineBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  projectId: z.uuid().optional(),
  graph: PipelineGraph,
});

export const UpdatePipelineBody = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
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
});

/** A query value is text: coerced, with the same bounds (written out, so that the API's description shows them). */
export const VersionQuery = z.object({ version: z.coerce.number().int().positive().max(MAX_INT).optional() });

const EARLIEST = Date.parse('1970-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const IN_RANGE = 'must be between 1970-01-01 and 9999-12-31';

export const ListQuery = z.object({
  projectId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Items made (runs, media) or changed (pipelines) before this instant. */
  before: z.iso
    .datetime({ offset: true })
    // The year's range as a pattern too, so that the API's description says it; the instant (with its offset) is checked after.
    .regex(/^(?:19[7-9]\d|[2-9]\d{3})-/, IN_RANGE)
    .refine((s) => Date.parse(s) >= EARLIEST && Date.parse(s) <= LATEST, IN_RANGE)
    .optional(),
  /** Keyset cursor: items after this one in the list's order (exact, unlike a timestamp). */
  after: z.uuid('must be the id of the last item you have').optional(),
});

/** Where a resumed event stream starts: the `id:` of the last event the client has (event seqs are integers). */
export const LastEventId = z.coerce.number().int('must be the id of an event').min(0).max(MAX_INT);

export const IdParam = z.object({ id: z.uuid('must be a valid id') });

export const ProviderParam = z.object({
  provider: z.enum(['openai', 'elevenlabs', 'stability'], { message: "must be one of 'openai', 'elevenlabs', 'stability'" }),
});

/** Why a user's provider base URL is refused on its face (where it resolves to is checked by the worker), or null. */
function baseUrlProblem(value: string): string | null {
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) return 'must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not contain a user name or password (the key goes in apiKey)';
  if (!url.hostname) return 'must name a host';
  return null;
}

export const ProviderCredentialBody = z.strictObject({
  apiKey: z.string().trim().min(1).max(500),
  /** For OpenAI-compatible servers (Ollama, vLLM, LM Studio…) or a vendor proxy; public addresses only unless the operator allows more. */
  baseUrl: z
    .string()
    .max(500)
    .superRefine((value, ctx) => {
      const problem = baseUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
});

/** Paths of stored objects to open with signed links: `/api/media/<id>/content`, `/api/runs/<id>/artifacts/<key>`. */
export const SignUrlsBody = z.strictObject({
  paths: z.array(z.string().max(1000)).min(1).max(200),
});

/** An artifact of a run: its key below `runs/<id>/`, which may contain `/`. */
export const ArtifactParams = IdParam.extend({ path: z.string().min(1).describe('The artifact key below runs/<id>/ (may contain /)') });

/** Stored bytes may be asked for in part, so audio and video can seek. */
export const RangeHeaders = z.object({
  Range: z.string().optional().describe('bytes=<first>-[<last>] or bytes=-<suffix>: one range (206); any other form is ignored (the whole file)'),
});

/** Where a resumed event stream starts: either way of giving it. */
export const EventsQuery = z.object({ lastEventId: LastEventId.optional().describe('The id of the last event you have (as Last-Event-ID)') });
export const EventsHeaders = z.object({ 'Last-Event-ID': LastEventId.optional().describe('The id of the last event you have: the stream resumes after it') });

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
  'GET /api/nodes': { summary: 'The node catalog: each node type with its ports and the JSON Schema of its params', public: true },
  'GET /api/projects': { summary: 'Your projects' },
  'POST /api/projects': { summary: 'Create a project', body: ProjectBody },
  'GET /api/projects/:id': { summary: 'One project', params: IdParam },
  'PATCH /api/projects/:id': { summary: 'Rename or describe a project', params: IdParam, body: ProjectPatch },
  'GET /api/pipelines': { summary: 'Your pipelines, most recently changed first', query: ListQuery },
  'POST /api/pipelines': {
    summary: 'Create a pipeline from a valid graph (version 1)',
    description: 'An invalid graph answers 400 invalid_graph with every problem, naming its node or edge.',
    body: CreatePipelineBody,
  },
  'GET /api/pipelines/:id': { summary: 'A pipeline with the graph of its current version (or ?version), and its draft', params: IdParam, query: VersionQuery },
  'PUT /api/pipelines/:id': { summary: 'Rename a pipeline or save a valid graph as its next version', params: IdParam, body: UpdatePipelineBody },
  'DELETE /api/pipelines/:id': { summary: 'Delete a pipeline (409 while one of its runs is active)', params: IdParam },
  'GET /api/pipelines/:id/versions': { summary: "A pipeline's versions", params: IdParam },
  'POST /api/pipelines/:id/versions': {
    summary: 'Record the draft as the next version (200 when it equals the current one)',
    params: IdParam,
    body: RecordVersionBody,
  },
  'PUT /api/pipelines/:id/draft': { summary: "Autosave the editor's draft, valid or not; answers its problems", params: IdParam, body: SaveDraftBody },
  'POST /api/pipelines/:id/runs': { summary: 'Start a run of the current version (or `version`) with inputs', params: IdParam, body: StartRunBody },
  'GET /api/pipelines/:id/runs': { summary: "A pipeline's runs, newest first", params: IdParam, query: ListQuery },
  'GET /api/runs': { summary: 'Your runs, newest first', query: ListQuery },
  'GET /api/runs/:id': { summary: 'A run with the state and output of each node', params: IdParam },
  'POST /api/runs/:id/cancel': { summary: 'Cancel a run in progress (409 once it has finished)', params: IdParam },
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
  'GET /api/media': { summary: 'Your media, newest first', query: ListQuery },
  'GET /api/media/:id': { summary: 'One media item, with a signed link to its bytes', params: IdParam },
  'GET /api/media/:id/content': { summary: "A media item's bytes", description: SIGNED_LINK, params: IdParam, headers: RangeHeaders },
  'GET /api/settings/providers': { summary: 'Which cloud providers have a key, and whose (never the key)' },
  'PUT /api/settings/providers/:provider': {
    summary: "Store your key (and base URL) for a provider, encrypted; it is never sent back",
    params: ProviderParam,
    body: ProviderCredentialBody,
  },
  'DELETE /api/settings/providers/:provider': { summary: 'Remove your key for a provider', params: ProviderParam },
  'GET /api/settings/generations': { summary: 'Your calls to models, with what each cost, newest first', query: ListQuery },
  'POST /api/signed-urls': {
    summary: 'Signed links to your stored objects, for elements that cannot send the Authorization header',
    description: "Paths of objects that are not yours are left out of the answer.",
    body: SignUrlsBody,
  },
  'GET /api/openapi.json': { summary: 'This description of the API (OpenAPI 3.1)', public: true, tag: 'docs' },
  'GET /api/docs': { summary: 'This description as a page to read', public: true },
  'GET /api/docs/docs.js': { summary: "The docs page's script", public: true },
  'GET /api/docs/docs.css': { summary: "The docs page's style sheet", public: true },
} satisfies Record<string, RouteRequest>;
