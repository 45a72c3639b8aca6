import { Router } from 'express';
import { ListQuery, ProviderCredentialBody, ProviderParam } from '../contract';
import { handler, notFound, parse } from '../http';
import type { GenerationRepository } from '../repositories/generations';
import type { ProviderSettingsService } from '../services/providers';
import { requireScope } from '../scopes';

/** Provider keys (per user, encrypted at rest; never sent back) and the user's generations with their cost. */
export function settingsRoutes(deps: { providers: ProviderSettingsService; generations: GenerationRepository }): Router {
  const { providers, generations } = deps;
  const router = Router();

  router.get(
    '/providers',
    requireScope('read'),
    handler(async (req, res) => {
      res.json({ providers: await providers.list(req.user!.id) });
    }),
  );
  router.put(
    '/providers/:provider',
    requireScope('admin'),
    handler(async (req, res) => {
      const { provider } = parse(ProviderParam, req.params, 'path');
      const body = parse(ProviderCredentialBody, req.body);
      res.json(await providers.save(req.user!.id, provider, body));
    }),
  );
  router.delete(
    '/providers/:provider',
    requireScope('admin'),
    handler(async (req, res) => {
      const { provider } = parse(ProviderParam, req.params, 'path');
      if (!(await providers.remove(req.user!.id, provider))) throw notFound('Provider key');
      res.status(204).end();
    }),
  );

  router.get(
    '/generations',
    requireScope('read'),
    handler(async (req, res) => {
      const { limit, projectId, before, after } = parse(ListQuery, req.query, 'query');
      res.json({ generations: await generations.list(req.user!.id, { limit, projectId, before, after }) });
    }),
  );
  return router;
}
