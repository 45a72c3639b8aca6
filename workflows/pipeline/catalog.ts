import { z } from 'zod';
import { RESERVED_NAMES, type GraphNode, type PortKind, type RunInputs } from './graph';
import { identifierSchema } from './identifier';
import { COMFY_MARKERS, parseComfyWorkflow } from './comfyWorkflow';
import { IMAGE_PROVIDERS, SPEECH_PROVIDERS, TEXT_PROVIDERS } from './providers';
import { fillTemplate, placeholders } from './template';
import { CACHE_CHOICES } from './cacheKey';

/** A typed port of a node. `handle` is React Flow's handle id. */
export interface PortSpec {
  handle: string;
  kind: PortKind;
  label?: string;
  /** An optional input may be left unconnected. */
  optional?: boolean;
}

export interface RetrySpec {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** Error types (ApplicationFailure.type) that are never retried. */
  nonRetryableErrorTypes?: string[];
}

/** Pure nodes run inside the workflow (in an activity when their values are too big for it); deterministic and cheap. */
export interface InlineExecution<P> {
  mode: 'inline';
  run(params: P, inputs: Record<string, unknown>, ctx: { pipelineInputs: RunInputs }): Record<string, unknown>;
}

/** I/O nodes run as the activity of the same name, with these timeouts and retries. */
export interface ActivityExecution<A extends string = string> {
  mode: 'activity';
  activity: A;
  startToCloseMs: number;
  heartbeatMs?: number;
  retry: RetrySpec;
}

/** Approval nodes wait inside the workflow for a person's decision (a Temporal update), or for their timeout. */
export interface ApprovalExecution {
  mode: 'approval';
}

type Execution<P> = InlineExecution<P> | ActivityExecution | ApprovalExecution;

export interface NodeDefinition<P = Record<string, unknown>> {
  type: string;
  title: string;
  description: string;
  category: 'inputs' | 'text' | 'media' | 'flow' | 'outputs';
  params: z.ZodType<P>;
  inputs(params: P): PortSpec[];
  outputs(params: P): PortSpec[];
  execution: Execution<P>;
  /**
   * The input whose value the output passes on (`any` ports): the output carries the kind connected to the input,
   * and a list arrives whole (no run per item).
   */
  passesThrough?: { input: string; output: string };
  /** What an activity node's live state says it is doing while its step runs quietly ("Reading aloud"). */
  working?: string;
}

const DEFAULT_RETRY: RetrySpec = {
  maximumAttempts: 3,
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30_000,
  nonRetryableErrorTypes: ['InvalidInput', 'Unauthorized'],
};

type ParamsSchema = z.ZodType<Record<string, unknown>>;

/** A node type as defined: its params schema (so its params type, defaults applied) and its execution kept. */
type DefinedNode<S extends ParamsSchema, E extends Execution<z.output<S>>> = Omit<NodeDefinition<z.output<S>>, 'params' | 'execution'> & {
  params: S;
  execution: E;
};

/**
 * Its params schema is built on first use, not as this module loads: a workflow's sandbox loads its modules afresh
 * for every run and reads only the executions, ports and inline steps.
 */
function define<S extends ParamsSchema, E extends Execution<z.output<S>>>(
  definition: Omit<DefinedNode<S, E>, 'params'> & { params: () => S },
): DefinedNode<S, E> {
  const { params, ...rest } = definition;
  let schema: S | undefined;
  return Object.defineProperty(rest, 'params', { enumerable: true, get: () => (schema ??= params()) }) as DefinedNode<S, E>;
}

function activityExecution<A extends string>(activity: A, timing: Omit<ActivityExecution, 'mode' | 'activity'>): ActivityExecution<A> {
  return { mode: 'activity', activity, ...timing };
}

export const inputNode = define({
  type: 'input',
  title: 'Input',
  description: 'A value given when the pipeline is run.',
  category: 'inputs',
  params: () =>
    z.strictObject({
      name: identifierSchema().default('prompt').describe('Name of the pipeline input'),
      kind: z.enum(['text', 'json']).default('text').describe('Kind of value'),
      required: z.boolean().default(true),
      default: z.unknown().optional().describe('Used when the run gives no value'),
      description: z.string().max(500).optional(),
    }),
  inputs: () => [],
  outputs: (p) => [{ handle: 'value', kind: p.kind }],
  execution: {
    mode: 'inline',
    run: (p, _inputs, ctx) => ({ value: Object.hasOwn(ctx.pipelineInputs, p.name) ? ctx.pipelineInputs[p.name] : p.default }),
  },
});

export const templateNode = define({
  type: 'template',
  title: 'Template',
  description: 'Fills {{name}} placeholders with its inputs; each placeholder is an input.',
  category: 'text',
  params: () =>
    z.strictObject({
      template: z
        .string()
        .max(100_000)
        .superRefine((template, ctx) => {
          for (const name of placeholders(template)) {
            if (RESERVED_NAMES.has(name))
              ctx.addIssue({ code: 'custom', message: `{{${name}}} is a reserved name: call the placeholder something else` });
          }
        })
        .default('{{text}}')
        .describe('Text with {{placeholders}}'),
    }),
  inputs: (p) => placeholders(p.template).map((name) => ({ handle: name, kind: 'any' as const })),
  outputs: () => [{ handle: 'text', kind: 'text' }],
  execution: { mode: 'inline', run: (p, inputs) => ({ text: fillTemplate(p.template, inputs) }) },
});

export const delayNode = define({
  type: 'delay',
  title: 'Delay',
  description: 'Waits, then passes its input through.',
  category: 'flow',
  params: () =>
    z.strictObject({
      ms: z
        .number()
        .int()
        .min(0)
        .max(24 * 3600_000)
        .default(1000)
        .describe('Milliseconds to wait'),
    }),
  inputs: () => [{ handle: 'in', kind: 'any' }],
  outputs: () => [{ handle: 'out', kind: 'any' }],
  working: 'Waiting',
  execution: activityExecution('delay', { startToCloseMs: 24 * 3600_000 + 60_000, heartbeatMs: 5_000, retry: DEFAULT_RETRY }),
});

export const approvalNode = define({
  type: 'approval',
  title: 'Approval',
  description:
    'Pauses the run until you approve or reject what reaches it, in the studio or over the API; a text can be edited before it goes on.',
  category: 'flow',
  params: () =>
    z.strictObject({
      instructions: z.string().max(2000).default('Check this before the run goes on.').describe('What the approver should check'),
      timeoutMinutes: z
        .number()
        .positive()
        .max(30 * 24 * 60)
        .optional()
        .describe('Decide by itself after this many minutes (fractions allowed); empty: wait as long as it takes'),
      onTimeout: z.enum(['approve', 'reject']).default('reject').describe('The decision when the time is up'),
    }),
  inputs: () => [{ handle: 'in', kind: 'any' }],
  outputs: () => [{ handle: 'out', kind: 'any' }],
  passesThrough: { input: 'in', output: 'out' },
  execution: { mode: 'approval' },
});

export const uploadNode = define({
  type: 'upload',
  title: 'Upload',
  description: "Publishes a text or file to storage and adds it to the project's media library.",
  category: 'outputs',
  params: () =>
    z.strictObject({
      // Named `key` for the graphs already saved with it; it is only a file name now: the server picks the folder.
      key: z
        .string()
        .max(300)
        .default('{{node}}{{ext}}')
        .describe(
          'File name of the published copy, kept in a folder of its own in your storage ("/" becomes "-"); placeholders: {{user}}, {{project}}, {{pipeline}}, {{run}}, {{node}}, {{ext}}',
        ),
    }),
  inputs: () => [{ handle: 'file', kind: 'any' }],
  outputs: () => [{ handle: 'media', kind: 'json' }],
  working: 'Publishing to the media library',
  execution: activityExecution('upload', { startToCloseMs: 5 * 60_000, retry: DEFAULT_RETRY }),
});

/** AI calls: slow, rate-limited, sometimes flaky; retried with back-off, never on a rejected request. */
const AI_RETRY: RetrySpec = {
  maximumAttempts: 5,
  initialIntervalMs: 2000,
  backoffCoefficient: 2,
  maximumIntervalMs: 60_000,
  nonRetryableErrorTypes: ['InvalidInput', 'Unauthorized', 'ProviderRejected'],
};

export const IMAGE_SIZES = ['256x256', '512x512', '768x768', '1024x1024', '1024x768', '768x1024'] as const;
/** Every provider draws each of these, the local sketch renderer included. */
export const IMAGE_STYLES = ['watercolor', 'ink', 'flat', 'photographic', 'digital-art'] as const;

const seed = () =>
  z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional()
    .describe('Same seed, same result (where the provider supports it)');
const model = () =>
  z.string().max(200).optional().describe("Model name (local: a .gguf file in data/models); the provider's default when empty");
/** Reuse of an earlier identical execution's output; absent means auto. */
const cache = () =>
  z
    .enum(CACHE_CHOICES)
    .optional()
    .describe('Reuse an identical earlier result: auto = only with a fixed seed; off; for 1 hour; for 1 day; always');
const temperature = () => z.number().min(0).max(2).default(0.8).describe('Higher is more inventive');

function aiExecution<A extends string>(activity: A, minutes: number): ActivityExecution<A> {
  return activityExecution(activity, { startToCloseMs: minutes * 60_000, heartbeatMs: 30_000, retry: AI_RETRY });
}

export const storyNode = define({
  type: 'story',
  title: 'Story',
  description: 'Writes a story from a prompt with a language model; the text streams in as it is written.',
  category: 'text',
  params: () =>
    z.strictObject({
      instructions: z
        .string()
        .max(4000)
        .default(
          'You are a warm, vivid storyteller. Write a complete short story with a beginning, middle and end. Plain prose, no preamble.',
        )
        .describe('System prompt'),
      words: z.number().int().min(20).max(2000).default(150).describe('Target length in words'),
      temperature: temperature(),
      seed: seed(),
      provider: z.enum(TEXT_PROVIDERS).default('local'),
      model: model(),
      cache: cache(),
    }),
  inputs: () => [{ handle: 'prompt', kind: 'text' }],
  outputs: () => [{ handle: 'text', kind: 'text' }],
  working: 'Writing the story',
  execution: aiExecution('story', 30),
});

export const llmNode = define({
  type: 'llm',
  title: 'LLM',
  description: 'Transforms text with a language model: summarise, title, translate, write an image prompt…',
  category: 'text',
  params: () =>
    z.strictObject({
      instruction: z
        .string()
        .max(4000)
        .default('Write a one-sentence image prompt describing the main scene of this text:\n\n{{text}}')
        .describe('What to do; {{text}} is the input'),
      maxTokens: z.number().int().min(1).max(4000).default(200).describe('Longest answer, in tokens'),
      temperature: z.number().min(0).max(2).default(0.3).describe('Higher is more inventive'),
      seed: seed(),
      provider: z.enum(TEXT_PROVIDERS).default('local'),
      model: model(),
      cache: cache(),
    }),
  inputs: () => [{ handle: 'text', kind: 'text' }],
  outputs: () => [{ handle: 'text', kind: 'text' }],
  working: 'Writing',
  execution: aiExecution('llm', 30),
});

export const narrationNode = define({
  type: 'narration',
  title: 'Narration',
  description:
    'Reads text aloud; long texts are split at sentence boundaries and joined seamlessly. Given a list of scenes, it reads each one: a list of audio in scene order.',
  category: 'media',
  params: () =>
    z.strictObject({
      voice: z
        .string()
        .max(100)
        .optional()
        .describe("Who reads: a voice of the provider (local: joe, or slt, rms, awb, kal); the provider's default when empty"),
      speed: z.number().min(0.5).max(2).default(1).describe('1 is normal speed'),
      pauseMs: z.number().int().min(0).max(3000).default(200).describe('Silence between sentences, in milliseconds'),
      provider: z.enum(SPEECH_PROVIDERS).default('local'),
      model: z.string().max(200).optional().describe("The provider's speech model; its default when empty"),
      cache: cache(),
    }),
  inputs: () => [{ handle: 'text', kind: 'text' }],
  outputs: () => [{ handle: 'audio', kind: 'audio' }],
  working: 'Reading aloud',
  execution: aiExecution('narration', 60),
});

export const illustrationNode = define({
  type: 'illustration',
  title: 'Illustration',
  description:
    'Draws a picture from a prompt. The offline default is a procedural sketch, labelled as such; set a provider for AI images (a cloud one, or your own ComfyUI or AUTOMATIC1111 / Forge server).',
  category: 'media',
  params: () =>
    z.strictObject({
      size: z.enum(IMAGE_SIZES).default('512x512'),
      steps: z.number().int().min(1).max(100).default(20).describe('More steps, more detail (slower)'),
      seed: seed(),
      style: z.enum(IMAGE_STYLES).default('watercolor'),
      provider: z.enum(IMAGE_PROVIDERS).default('local'),
      model: z
        .string()
        .max(200)
        .optional()
        .describe("Model name (ComfyUI, AUTOMATIC1111: a checkpoint from the server's list); the provider's default when empty"),
      negativePrompt: z.string().max(2000).optional().describe('ComfyUI, AUTOMATIC1111: what the picture should not show'),
      sampler: z
        .string()
        .max(100)
        .optional()
        .describe("ComfyUI, AUTOMATIC1111: the sampler (from the server's list); the default when empty"),
      cache: cache(),
      workflow: z
        .string()
        .max(200_000)
        .superRefine((text, ctx) => {
          const parsed = parseComfyWorkflow(text);
          if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
        })
        .optional()
        .describe(
          `ComfyUI: your workflow exported with "Export (API)", with ${COMFY_MARKERS.map((m) => `{{${m}}}`).join(' ')} as the values they fill; empty: the built-in text-to-image graph`,
        ),
    }),
  inputs: () => [{ handle: 'prompt', kind: 'text' }],
  outputs: () => [{ handle: 'image', kind: 'image' }],
  working: 'Drawing',
  execution: aiExecution('illustration', 30),
});

export const splitNode = define({
  type: 'split',
  title: 'Split',
  description: 'Splits text into a list (paragraphs, sentences or lines); the next node runs once per item.',
  category: 'flow',
  params: () =>
    z.strictObject({
      by: z.enum(['paragraphs', 'sentences', 'lines']).default('paragraphs'),
      maxItems: z.number().int().min(1).max(100).default(10).describe('At most this many items (the rest is merged into the last)'),
    }),
  inputs: () => [{ handle: 'text', kind: 'text' }],
  outputs: () => [{ handle: 'items', kind: 'text[]' }],
  execution: { mode: 'inline', run: (p, inputs) => ({ items: splitText(String(inputs.text ?? ''), p.by, p.maxItems) }) },
});

export const joinNode = define({
  type: 'join',
  title: 'Join',
  description: 'Joins a list of texts into one text.',
  category: 'flow',
  params: () =>
    z.strictObject({
      separator: z.string().max(100).default('\n\n').describe('Put between items'),
    }),
  inputs: () => [{ handle: 'items', kind: 'text[]' }],
  outputs: () => [{ handle: 'text', kind: 'text' }],
  execution: {
    mode: 'inline',
    run: (p, inputs) => ({ text: (Array.isArray(inputs.items) ? inputs.items : [inputs.items]).map(String).join(p.separator) }),
  },
});

export const storybookNode = define({
  type: 'storybook',
  title: 'Storybook',
  description:
    "Puts a story together from its text (one scene per paragraph) or its scenes, their pictures and the narration (one, or one per scene): a book (one HTML page that works offline and reads along with the narration) and a video (each scene's picture for the length of its narration, with subtitles).",
  category: 'outputs',
  params: () =>
    z.strictObject({
      video: z.boolean().default(true).describe('Also make an MP4 video'),
      subtitles: z
        .enum(['none', 'vtt', 'burned'])
        .default('vtt')
        .describe('Video subtitles: none, a WebVTT file, or burned into the picture'),
      width: z.number().int().min(160).max(1920).multipleOf(2).default(960).describe('Video width in pixels'),
      height: z.number().int().min(120).max(1080).multipleOf(2).default(540).describe('Video height in pixels'),
    }),
  inputs: () => [
    { handle: 'title', kind: 'text', optional: true },
    { handle: 'text', kind: 'text', optional: true },
    { handle: 'scenes', kind: 'text[]', optional: true },
    { handle: 'images', kind: 'image[]', optional: true },
    { handle: 'narration', kind: 'audio[]', optional: true },
  ],
  outputs: (p) => [
    { handle: 'book', kind: 'html' },
    ...(p.video ? [{ handle: 'video', kind: 'video' as const }] : []),
    ...(p.video && p.subtitles !== 'none' ? [{ handle: 'subtitles', kind: 'any' as const }] : []),
  ],
  working: 'Putting the storybook together',
  execution: activityExecution('storybook', { startToCloseMs: 30 * 60_000, heartbeatMs: 30_000, retry: DEFAULT_RETRY }),
});

export function splitText(text: string, by: 'paragraphs' | 'sentences' | 'lines', maxItems: number): string[] {
  const pattern = by === 'paragraphs' ? /\n\s*\n/ : by === 'lines' ? /\n/ : /(?<=[.!?…])\s+/;
  const items = text
    .split(pattern)
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length <= maxItems) return items;
  const joiner = by === 'paragraphs' ? '\n\n' : by === 'lines' ? '\n' : ' ';
  return [...items.slice(0, maxItems - 1), items.slice(maxItems - 1).join(joiner)];
}

const definitions = [
  inputNode,
  templateNode,
  storyNode,
  llmNode,
  narrationNode,
  illustrationNode,
  splitNode,
  joinNode,
  delayNode,
  approvalNode,
  uploadNode,
  storybookNode,
] as const;

export const catalog: ReadonlyMap<string, NodeDefinition> = new Map(definitions.map((d) => [d.type, d]));

/** Input and output ports of a node whose params are already valid. */
export function portsOf(node: GraphNode): { inputs: PortSpec[]; outputs: PortSpec[] } {
  const definition = catalog.get(node.type);
  if (!definition) return { inputs: [], outputs: [] };
  return { inputs: definition.inputs(node.params), outputs: definition.outputs(node.params) };
}

type ActivityNodeDefinition = Extract<(typeof definitions)[number], { execution: { mode: 'activity' } }>;

/** The name of each activity a node type runs: the activities a worker must implement. */
export type ActivityNodeType = ActivityNodeDefinition['execution']['activity'];

/** Each activity node type's params as its schema parses them: every default applied. */
export type ActivityNodeParams = { [D in ActivityNodeDefinition as D['execution']['activity']]: z.output<D['params']> };

/** Activity names the worker must implement, derived from the catalog. */
export const activityNodeTypes: ActivityNodeType[] = definitions.flatMap((d) =>
  d.execution.mode === 'activity' ? [d.execution.activity] : [],
);

/** The node type that runs the activity `name`. */
export function activityNodeDefinition<A extends ActivityNodeType>(name: A): NodeDefinition<ActivityNodeParams[A]> {
  const definition = definitions.find((d) => d.execution.mode === 'activity' && d.execution.activity === name);
  if (!definition) throw new Error(`No node type runs the activity '${name}'`);
  return definition as NodeDefinition as NodeDefinition<ActivityNodeParams[A]>;
}
