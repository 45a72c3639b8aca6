import { z } from 'zod';
import type { PortKind, RunInputs } from './graph';
import { fillTemplate, placeholders } from './template';

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

/** Pure nodes run inside the workflow; they must be deterministic and cheap. */
export interface InlineExecution<P> {
  mode: 'inline';
  run(params: P, inputs: Record<string, unknown>, ctx: { pipelineInputs: RunInputs }): Record<string, unknown>;
}

/** I/O nodes run as the activity of the same name, with these timeouts and retries. */
export interface ActivityExecution {
  mode: 'activity';
  activity: string;
  startToCloseMs: number;
  heartbeatMs?: number;
  retry: RetrySpec;
}

export interface NodeDefinition<P = Record<string, unknown>> {
  type: string;
  title: string;
  description: string;
  category: 'inputs' | 'text' | 'media' | 'flow' | 'outputs';
  params: z.ZodType<P>;
  inputs(params: P): PortSpec[];
  outputs(params: P): PortSpec[];
  execution: InlineExecution<P> | ActivityExecution;
}

const DEFAULT_RETRY: RetrySpec = {
  maximumAttempts: 3,
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30_000,
  nonRetryableErrorTypes: ['InvalidInput', 'Unauthorized'],
};

function define<S extends z.ZodType<Record<string, unknown>>>(
  definition: Omit<NodeDefinition<z.output<S>>, 'params'> & { params: S },
): NodeDefinition {
  return definition as unknown as NodeDefinition;
}

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must be an identifier (letters, digits, _ and -)');

export const inputNode = define({
  type: 'input',
  title: 'Input',
  description: 'A value given when the pipeline is run.',
  category: 'inputs',
  params: z.strictObject({
    name: identifier.default('prompt').describe('Name of the pipeline input'),
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
  params: z.strictObject({
    template: z.string().max(100_000).default('{{text}}').describe('Text with {{placeholders}}'),
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
  params: z.strictObject({
    ms: z.number().int().min(0).max(24 * 3600_000).default(1000).describe('Milliseconds to wait'),
  }),
  inputs: () => [{ handle: 'in', kind: 'any' }],
  outputs: () => [{ handle: 'out', kind: 'any' }],
  execution: {
    mode: 'activity',
    activity: 'delay',
    startToCloseMs: 24 * 3600_000 + 60_000,
    heartbeatMs: 5_000,
    retry: DEFAULT_RETRY,
  },
});

export const uploadNode = define({
  type: 'upload',
  title: 'Upload',
  description: "Publishes a text or file to storage and adds it to the project's media library.",
  category: 'outputs',
  params: z.strictObject({
    key: z
      .string()
      .max(300)
      .default('{{project}}/{{run}}/{{node}}{{ext}}')
      .describe('Storage key; placeholders: {{user}}, {{project}}, {{pipeline}}, {{run}}, {{node}}, {{ext}}'),
  }),
  inputs: () => [{ handle: 'file', kind: 'any' }],
  outputs: () => [{ handle: 'media', kind: 'json' }],
  execution: { mode: 'activity', activity: 'upload', startToCloseMs: 5 * 60_000, retry: DEFAULT_RETRY },
});

const definitions: NodeDefinition[] = [inputNode, templateNode, delayNode, uploadNode];

export const catalog: ReadonlyMap<string, NodeDefinition> = new Map(definitions.map((d) => [d.type, d]));

/** Activity names the worker must implement, derived from the catalog. */
export const activityNodeTypes = definitions.flatMap((d) => (d.execution.mode === 'activity' ? [d.execution.activity] : []));
