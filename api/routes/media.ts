import { Router } from 'express';
import type { BlobStore } from '../../infra/blobs';
import { IdParam, ListQuery } from '../contract';
import { handler, notFound, parse } from '../http';
import { sendBlob } from '../sendBlob';
import type { createMediaRepository } from '../repositories/media';

export function mediaRoutes(deps: { media: ReturnType<typeof createMediaRepository>; blobs: BlobStore }): Router {
  const { media, blobs } = deps;
  const router = Router();

  router.get(
    '/',
    handler(async (req, res) => {
      const query = parse(ListQuery, req.query, 'query');
      res.json({ media: await media.list(req.user!.id, query) });
    }),
  );

  router.get(
    '/:id',
    handler(async (req, res) => {
      const item = await media.find(req.user!.id, parse(IdParam, req.params, 'path').id);
      if (!item) throw notFound('Media');
      res.json(item);
    }),
  );

  /** The bytes, to their owner only, with Range support so audio can seek. */
  router.get(
    '/:id/content',
    handler(async (req, res) => {
      const item = await media.find(req.user!.id, parse(IdParam, req.params, 'path').id);
      if (!item) throw notFound('Media');
      await sendBlob(req, res, blobs, { key: item.storageKey, mimeType: item.mimeType, size: item.size });
    }),
  );

  return router;
}
