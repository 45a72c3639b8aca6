import { Router } from 'express';
import { SignUrlsBody } from '../contract';
import { handler, HttpError, parse } from '../http';
import type { createMediaRepository } from '../repositories/media';
import type { RunRepository } from '../repositories/runs';
import { signableObject, type UrlSigner } from '../signedUrls';
import { requireScope } from '../scopes';

/**
 * Signed links for the caller's own stored objects (media bytes, run artifacts), for elements that cannot
 * send the Authorization header. Paths of objects the caller does not own are left out of the answer.
 */
export function signedUrlRoutes(deps: { signer: UrlSigner; media: ReturnType<typeof createMediaRepository>; runs: RunRepository }): Router {
  const router = Router();
  router.post(
    '/',
    requireScope('read'),
    handler(async (req, res) => {
      const { paths } = parse(SignUrlsBody, req.body);
      const objects = paths.map((path, i) => {
        const object = signableObject(path);
        if (!object)
          throw new HttpError(
            400,
            'invalid_request',
            `Invalid body: paths.${i}: must be /api/media/<id>/content, /api/runs/<id>/artifacts/<key> or /api/runs/<id>/archive`,
          );
        return object;
      });
      const userId = req.user!.id;
      const [media, runs] = await Promise.all([
        deps.media.ownedIds(userId, [...new Set(objects.flatMap((o) => (o.kind === 'media' ? [o.id] : [])))]),
        deps.runs.ownedIds(userId, [...new Set(objects.flatMap((o) => (o.kind !== 'media' ? [o.runId] : [])))]),
      ]);
      const exp = deps.signer.expiry();
      const urls = paths
        .filter((_, i) => {
          const object = objects[i];
          return object.kind === 'media' ? media.has(object.id) : runs.has(object.runId);
        })
        .map((path) => ({ path, url: deps.signer.sign(path, userId, exp) }));
      res.json({ urls, expiresAt: new Date(exp * 1000).toISOString() });
    }),
  );
  return router;
}
