import { Router } from 'express';
import { z } from 'zod';
import { installedTextModels, installedVoices, type Choice } from '../../infra/localModels';
import { catalog } from '../../workflows/pipeline';
import type { NodeInfo } from '../schemas';
import { requireScope } from '../scopes';

/** What this install has for a node to pick (infra/localModels.ts): its local text models and voices. */
export interface InstalledChoices {
  textModels: Choice[];
  voices: Choice[];
}

/** Nodes whose `model` param names a text model, and those whose `voice` param names a voice. */
const TEXT_MODEL_NODES = new Set(['story', 'llm']);
const VOICE_NODES = new Set(['narration']);

/**
 * The param's schema with the installed choices as an enum, their labels in `x-enum-labels` (same order), and
 * `x-enum-for: {provider: 'local'}`: the enum lists the local provider's choices; a cloud provider takes its own names.
 */
function withChoices(params: Record<string, unknown>, key: string, choices: Choice[]): Record<string, unknown> {
  const properties = params.properties as Record<string, Record<string, unknown>> | undefined;
  if (!properties?.[key]) return params;
  const prop = {
    ...properties[key],
    enum: choices.map((c) => c.value),
    'x-enum-labels': choices.map((c) => c.label),
    'x-enum-for': { provider: 'local' },
  };
  return { ...params, properties: { ...properties, [key]: prop } };
}

/**
 * The node catalog as the studio and scripts see it. The catalog itself never changes at run time; the installed
 * models and voices do (a large model arrives in the background after start), so they are passed in.
 */
export function nodeCatalogResponse(installed?: InstalledChoices): NodeInfo[] {
  return [...catalog.values()].map((d) => {
    const defaults = d.params.parse({});
    let params = z.toJSONSchema(d.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    if (installed && TEXT_MODEL_NODES.has(d.type)) params = withChoices(params, 'model', installed.textModels);
    if (installed && VOICE_NODES.has(d.type)) params = withChoices(params, 'voice', installed.voices);
    return {
      type: d.type,
      title: d.title,
      description: d.description,
      category: d.category,
      execution: d.execution.mode,
      params,
      defaults,
      inputs: d.inputs(defaults),
      outputs: d.outputs(defaults),
    };
  });
}

/** How long the installed lists are reused (a directory read each time would be wasted on every studio load). */
const INSTALLED_TTL_MS = 5_000;

export function nodeRoutes(opts: { rootDir: string; localModelsDir: string }): Router {
  let cached: { at: number; body: NodeInfo[] } | undefined;
  const body = () => {
    if (!cached || Date.now() - cached.at > INSTALLED_TTL_MS) {
      const installed = { textModels: installedTextModels(opts.rootDir, opts.localModelsDir), voices: installedVoices(opts.rootDir) };
      cached = { at: Date.now(), body: nodeCatalogResponse(installed) };
    }
    return cached.body;
  };
  const router = Router();
  router.get('/', requireScope('public'), (_req, res) => {
    res.json({ nodes: body() });
  });
  return router;
}
