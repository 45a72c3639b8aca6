/**
 * A ComfyUI workflow in API format ("Export (API)" in ComfyUI): `{ "<node id>": { class_type, inputs, _meta? } }`.
 * A user marks where the step's values go by writing a placeholder as the value: `"text": "{{prompt}}"`,
 * `"seed": "{{seed}}"`. A value that is only a placeholder takes the value as it is (a number stays a number);
 * a placeholder inside longer text is replaced in the text.
 */
export const COMFY_MARKERS = ['prompt', 'negative', 'seed', 'width', 'height', 'steps', 'model', 'sampler'] as const;
export type ComfyMarker = (typeof COMFY_MARKERS)[number];
export type ComfyValues = Record<ComfyMarker, string | number>;

export type ComfyGraph = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: { title?: string } }>;

const MARKER = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g;

/** The placeholders a workflow text uses. */
export function comfyMarkers(text: string): Set<string> {
  return new Set([...text.matchAll(MARKER)].map((m) => m[1]));
}

/** The workflow text as a graph, or why it is not one a step can run. */
export function parseComfyWorkflow(text: string): { graph: ComfyGraph } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'must be JSON: export it from ComfyUI with "Export (API)"' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    return { problem: 'must be a ComfyUI workflow in API format (an object of nodes)' };
  }
  for (const [id, node] of Object.entries(parsed)) {
    const n = node as { class_type?: unknown; inputs?: unknown } | null;
    if (!n || typeof n.class_type !== 'string' || !n.inputs || typeof n.inputs !== 'object') {
      return { problem: `node '${id}' has no class_type and inputs: use "Export (API)", not the regular save` };
    }
  }
  const found = comfyMarkers(text);
  const unknown = [...found].filter((name) => !(COMFY_MARKERS as readonly string[]).includes(name));
  if (unknown.length) return { problem: `unknown placeholder {{${unknown[0]}}}: use ${COMFY_MARKERS.map((m) => `{{${m}}}`).join(', ')}` };
  if (!found.has('prompt')) return { problem: 'must mark where the prompt goes: put "{{prompt}}" as the text of the positive prompt node' };
  return { graph: parsed as ComfyGraph };
}

/** A copy of the graph with every placeholder replaced by its value. */
export function fillComfyWorkflow(graph: ComfyGraph, values: ComfyValues): ComfyGraph {
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const whole = /^\{\{\s*([A-Za-z_]\w*)\s*\}\}$/.exec(value);
      if (whole && whole[1] in values) return values[whole[1] as ComfyMarker];
      return value.replace(MARKER, (match, name: string) => (name in values ? String(values[name as ComfyMarker]) : match));
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return fill(graph) as ComfyGraph;
}

/** ComfyUI's GET /object_info[/{class}]: each node class's inputs, a choice input as `[[choices…], options]`. */
export interface ComfyObjectInfo {
  [nodeClass: string]: { input?: { required?: Record<string, unknown[]> } };
}

/** The choices of one input of a node class (checkpoint names, sampler names). */
export function objectInfoChoices(info: ComfyObjectInfo | undefined, nodeClass: string, input: string): string[] {
  const spec = info?.[nodeClass]?.input?.required?.[input];
  const choices = Array.isArray(spec) ? spec[0] : undefined;
  return Array.isArray(choices) ? choices.filter((c): c is string => typeof c === 'string') : [];
}
