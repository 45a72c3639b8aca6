import type { Graph, RunInputs } from '../../../workflows/pipeline';

/** A pipeline input as a form asks for it. */
export interface InputField {
  /** The input node's id (where a problem with it points). */
  id: string;
  name: string;
  kind: string;
  required: boolean;
  default: unknown;
  description?: string;
}

export function inputFieldsOf(graph: Graph): InputField[] {
  return graph.nodes
    .filter((n) => n.type === 'input')
    .map((n) => ({
      id: n.id,
      name: String(n.params.name),
      kind: String(n.params.kind),
      required: n.params.required !== false,
      default: n.params.default,
      description: n.params.description as string | undefined,
    }));
}

const asText = (value: unknown) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

/** What the form's text boxes start with: the given inputs, else each input's default. */
export function initialValues(fields: InputField[], given?: RunInputs): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.name, asText(given && Object.hasOwn(given, f.name) ? given[f.name] : f.default)]));
}

/** The inputs the form's text boxes say (JSON inputs parsed), or which one is not valid JSON. */
export function inputsFrom(
  fields: InputField[],
  values: Record<string, string>,
): { inputs: RunInputs } | { error: string; nodeId: string } {
  const inputs: RunInputs = {};
  for (const f of fields) {
    const raw = values[f.name] ?? '';
    if (raw === '' && !f.required) continue;
    if (f.kind !== 'json') inputs[f.name] = raw;
    else if (raw.trim() !== '') {
      try {
        inputs[f.name] = JSON.parse(raw);
      } catch (err) {
        return { error: `inputs.${f.name}: not valid JSON (${(err as Error).message})`, nodeId: f.id };
      }
    }
  }
  return { inputs };
}
