import { Router } from 'express';
import { IdParam } from '../contract';
import { handler, notFound, parse } from '../http';
import type { CacheEntryRepository } from '../repositories/cacheEntries';
import { requireScope } from '../scopes';

/** The user's output cache: list what is kept, clear it all or one entry (the next run computes those nodes again). */
export function cacheRoutes(deps: { cacheEntries: CacheEntryRepository }): Router {
  const { cacheEntries } = deps;
  const router = Router();

  router.get(
    '/',
    requireScope('read'),
    handler(async (req, res) => {
      res.json({ entries: await cacheEntries.list(req.user!.id) });
    }),
  );
  router.delete(
    '/',
    requireScope('admin'),
    handler(async (req, res) => {
      await cacheEntries.clear(req.user!.id);
      res.status(204).end();
    }),
  );
  router.delete(
    '/:id',
    requireScope('admin'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      if (!(await cacheEntries.remove(req.user!.id, id))) throw notFound('Cache entry');
      res.status(204).end();
    }),
  );
  return router;
}
