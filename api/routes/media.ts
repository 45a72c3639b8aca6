import { Router } from 'express';
import type { BlobStore } from '../../infra/blobs';
import { IdParam, MEDIA_ARCHIVE_MAX_BYTES, MediaArchiveBody, MediaListQuery, MediaRenameBody } from '../contract';
import { handler, HttpError, notFound, parse } from '../http';
import { sendBlob } from '../sendBlob';
import type { createMediaRepository } from '../repositories/media';
import type { UrlSigner } from '../signedUrls';
import { requireScope } from '../scopes';
import { safeArchivePath, sendZip, type ZipEntry } from '../zipStream';

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
      const { q, ...query } = parse(MediaListQuery, req.query, 'query');
      const exp = signer.expiry();
      const items = await media.list(req.user!.id, { ...query, q: q || undefined });
      res.json({ media: items.map((item) => withSignedUrl(item, req.user!.id, exp)) });
    }),
  );

  /** Several items as one zip, each file named after its title; every id must be the caller's (else 404). */
  router.post(
    '/archive',
    requireScope('read'),
    handler(async (req, res) => {
      const ids = [...new Set(parse(MediaArchiveBody, req.body).ids)];
      const items = await media.findMany(req.user!.id, ids);
      const missing = ids.find((id) => !items.some((item) => item.id === id));
      if (missing) throw new HttpError(404, 'not_found', `Media not found: ${missing}`);
      const total = items.reduce((sum, item) => sum + item.size, 0);
      if (total > MEDIA_ARCHIVE_MAX_BYTES)
        throw new HttpError(
          413,
          'payload_too_large',
          `ids: these files add up to ${total} bytes, more than the ${MEDIA_ARCHIVE_MAX_BYTES} one zip may hold; pick fewer`,
        );
      const entries: ZipEntry[] = items.map((item) => ({
        name: withExtension(item.title, item.storageKey),
        // Gone from storage: left out, like a deleted item.
        open: async () => ((await blobs.stream(item.storageKey))?.stream as AsyncIterable<Uint8Array> | undefined) ?? null,
        modifiedAt: new Date(item.createdAt),
      }));
      const fileName = items.length === 1 ? `${items[0].title}.zip` : `media-${items.length}-items.zip`;
      await sendZip(res, safeArchivePath(fileName).replace(/\//g, '_'), entries);
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

  router.patch(
    '/:id',
    requireScope('admin'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const { name } = parse(MediaRenameBody, req.body);
      const item = await media.rename(req.user!.id, id, name);
      if (!item) throw notFound('Media');
      res.json(withSignedUrl(item, req.user!.id));
    }),
  );

  /** The row and its bytes: a run output, a usage record or a public page that pointed at it finds nothing (404). */
  router.delete(
    '/:id',
    requireScope('admin'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      if (!(await media.remove(req.user!.id, id, (key) => blobs.delete(key)))) throw notFound('Media');
      res.status(204).end();
    }),
  );

  /** The bytes, to their owner only (by header or signed link), with Range support so audio can seek. */
  router.get(
    '/:id/content',
    requireScope('read'),
    handler(async (req, res) => {
      const item = await media.findStored(req.user!.id, parse(IdParam, req.params, 'path').id);
      if (!item) throw notFound('Media');
      await sendBlob(req, res, blobs, { key: item.storageKey, mimeType: item.mimeType, size: item.size });
    }),
  );

  return router;
}

/** The title with the stored file's extension (`.png`), so an unpacked zip opens each with the right program. */
function withExtension(title: string, storageKey: string): string {
  const ext =
    storageKey
      .split('/')
      .pop()
      ?.match(/\.[A-Za-z0-9]{1,8}$/)?.[0] ?? '';
  return title.toLowerCase().endsWith(ext.toLowerCase()) ? title : `${title}${ext}`;
}
