import { Router } from 'express';
import { z } from 'zod';
import { catalog } from '../../workflows/pipeline';
import type { NodeInfo } from '../schemas';
import { requireScope } from '../scopes';

/** The node catalog as the studio and scripts see it; computed once, it never changes at run time. */
export function nodeCatalogResponse(): NodeInfo[] {
  return [...catalog.values()].map((d) => {
    const defaults = d.params.parse({});
    return {
      type: d.type,
      title: d.title,
      description: d.description,
      category: d.category,
      execution: d.execution.mode,
      params: z.toJSONSchema(d.params, { io: 'input', unrepresentable: 'any' }),
      defaults,
      inputs: d.inputs(defaults),
      outputs: d.outputs(defaults),
    };
  });
}

export function nodeRoutes(): Router {
  const body = nodeCatalogResponse();
  const router = Router();
  router.get('/', requireScope('public'), (_req, res) => {
    res.json({ nodes: body });
  });
  return router;
}
