import { Router } from 'express';
import { newApiKey } from '../apiKeys';
import { ApiKeyBody, IdParam } from '../contract';
import { handler, notFound, parse } from '../http';
import type { ApiKeyRepository } from '../repositories/apiKeys';
import { requireScope } from '../scopes';

/** The user's API keys, managed from a login session only. The secret is in the create answer and nowhere else. */
export function keyRoutes(apiKeys: ApiKeyRepository): Router {
  const router = Router();

  router.get(
    '/',
    requireScope('session'),
    handler(async (req, res) => {
      res.json({ keys: await apiKeys.list(req.user!.id) });
    }),
  );

  router.post(
    '/',
    requireScope('session'),
    handler(async (req, res) => {
      const body = parse(ApiKeyBody, req.body);
      const { key, prefix, hash } = newApiKey();
      const created = await apiKeys.create(req.user!.id, { ...body, prefix, hash });
      res.status(201).json({ id: created.id, name: created.name, scope: created.scope, prefix: created.prefix, key });
    }),
  );

  router.delete(
    '/:id',
    requireScope('session'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      if (!(await apiKeys.revoke(req.user!.id, id))) throw notFound('API key');
      res.status(204).end();
    }),
  );

  return router;
}
