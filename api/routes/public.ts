import { Router } from 'express';
import type { BlobStore } from '../../infra/blobs';
import { PublicMediaParam, PublicTokenParam } from '../contract';
import { handler, notFound, parse } from '../http';
import type { createMediaRepository } from '../repositories/media';
import type { ProjectRepository } from '../repositories/projects';
import type { PublicProject, Wire } from '../schemas';
import { sendBlob } from '../sendBlob';
import { requireScope } from '../scopes';

const PAGE_SIZE = 200;

/**
 * A public project page, no login: the token in the URL is the only key. It shows the project's name and its
 * media, nothing else (no owner, no pipelines, no runs). The token dies when the owner turns the page off.
 */
export function publicRoutes(deps: {
  projects: ProjectRepository;
  media: ReturnType<typeof createMediaRepository>;
  blobs: BlobStore;
}): Router {
  const { projects, media, blobs } = deps;
  const router = Router();
  const publicProject = async (token: string) => {
    const project = await projects.findPublic(token);
    if (!project) throw notFound('Public project');
    return project;
  };

  router.get(
    '/projects/:token',
    requireScope('public'),
    handler(async (req, res) => {
      const { token } = parse(PublicTokenParam, req.params, 'path');
      const project = await publicProject(token);
      const items = await media.listOfProject(project.id, PAGE_SIZE);
      const body: Wire<typeof PublicProject> = {
        project: { name: project.name, description: project.description, type: project.type },
        media: items.map((m) => ({
          id: m.id,
          kind: m.kind,
          mimeType: m.mimeType,
          size: m.size,
          url: `/api/public/projects/${token}/media/${m.id}/content`,
          createdAt: m.createdAt,
        })),
      };
      res.set('cache-control', 'no-store').json(body);
    }),
  );

  router.get(
    '/projects/:token/media/:mediaId/content',
    requireScope('public'),
    handler(async (req, res) => {
      const { token, mediaId } = parse(PublicMediaParam, req.params, 'path');
      const project = await publicProject(token);
      const item = await media.findInProject(project.id, mediaId);
      if (!item) throw notFound('Media');
      await sendBlob(req, res, blobs, { key: item.storageKey, mimeType: item.mimeType, size: item.size });
    }),
  );
  return router;
}
