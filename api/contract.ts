import { z } from 'zod';
import { RunInputsSchema } from '../workflows/pipeline/graph';

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

export const ProjectBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  description: z.string().max(2000).optional(),
});

export const ProjectPatch = ProjectBody.partial();

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
  version: z.number().int().positive().optional(),
});

export const ListQuery = z.object({
  projectId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime({ offset: true }).optional(),
  /** Keyset cursor: items after this one in the list's order (exact, unlike a timestamp). */
  after: z.uuid('must be the id of the last item you have').optional(),
});

export const IdParam = z.object({ id: z.uuid('must be a valid id') });

export const ProviderParam = z.object({
  provider: z.enum(['openai', 'elevenlabs', 'stability'], { message: "must be one of 'openai', 'elevenlabs', 'stability'" }),
});

export const ProviderCredentialBody = z.strictObject({
  apiKey: z.string().trim().min(1).max(500),
  /** For OpenAI-compatible servers (Ollama, vLLM, LM Studio…) or a vendor proxy. */
  baseUrl: z.url().max(500).optional(),
});
