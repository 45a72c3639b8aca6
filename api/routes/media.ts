import { Router } from 'express';
import type { BlobStore } from '../../infra/blobs';
import { IdParam, ListQuery } from '../contract';
import { handler, notFound, parse } from '../http';
import { sendBlob } from '../sendBlob';
import type { createMediaRepository } from '../repositories/media';
import type { UrlSigner } from '../signedUrls';
import { requireScope } from '../scopes';

export function mediaRoutes(deps: { media: ReturnType<typeof createMediaRepository>; blobs: BlobStore; signer: UrlSigner }): Router {
  const { media, blobs, signer } = deps;
  const router = Router();
  /** Each item also carries `signedUrl`: its bytes for <img>/<audio>/links, without a header, for a few minutes. */
  const withSignedUrl = <T extends { url: string }>(item: T, userId: string, exp?: number) => ({
    ...item,
    signedUrl: signer.sign(item.url, userId, exp),
  });

  router.get(
    '/',
    requireScope('read'),
    handler(async (req, res) => {
      const query = parse(ListQuery, req.query, 'query');
      const exp = signer.expiry();
      res.json({ media: (await media.list(req.user!.id, query)).map((item) => withSignedUrl(item, req.user!.id, exp)) });
    }),
  );

  router.get(
    '/:id',
    requireScope('read'),
    handler(async (req, res) => {
      const item = await media.find(req.user!.id, parse(IdParam, req.params, 'path').id);
      if (!item) throw notFound('Media');
      res.json(withSignedUrl(item, req.user!.id));
    }),
  );

  /** The bytes, to their owner only (by header or signed link), with Range support so audio can seek. */
  router.get(
    '/:id/content',
    requireScope('read'),
    handler(async (req, res) => {
      const item = await media.find(req.user!.id, parse(IdParam, req.params, 'path').id);
      if (!item) throw notFound('Media');
      await sendBlob(req, res, blobs, { key: item.storageKey, mimeType: item.mimeType, size: item.size });
    }),
  );

  return router;
}
