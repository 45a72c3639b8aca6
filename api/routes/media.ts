import { Router } from 'express';
import type { BlobStore } from '../../infra/blobs';
import { IdParam, ListQuery } from '../contract';
import { handler, HttpError, notFound, parse } from '../http';
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
      const range = parseRange(req.get('range'), item.size);
      const blob = await blobs.stream(item.storageKey, range ?? undefined);
      if (!blob) throw new HttpError(410, 'gone', 'The media file is missing from storage');
      res.setHeader('Content-Type', item.mimeType.startsWith('text/') ? `${item.mimeType}; charset=utf-8` : item.mimeType);
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('Cache-Control', 'private, max-age=3600');
      if (range) {
        const end = range.end ?? item.size - 1;
        res.status(206).setHeader('Content-Range', `bytes ${range.start}-${end}/${item.size}`);
        res.setHeader('Content-Length', String(end - range.start + 1));
      } else {
        res.setHeader('Content-Length', String(item.size));
      }
      blob.stream.pipe(res);
    }),
  );

  return router;
}

function parseRange(header: string | undefined, size: number): { start: number; end?: number } | null {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Math.min(Number(match[2]), size);
    return { start: size - suffix, end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start > end || start >= size) throw new HttpError(416, 'range_not_satisfiable', `range: bytes ${start}-${end} is outside 0-${size - 1}`);
  return { start, end };
}
