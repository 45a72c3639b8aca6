import { Router } from 'express';
import { IdParam, ProjectBody, ProjectPatch } from '../contract';
import { handler, notFound, parse } from '../http';
import type { ProjectRepository } from '../repositories/projects';
import { requireScope } from '../scopes';

export function projectRoutes(projects: ProjectRepository): Router {
  const router = Router();
  router.get(
    '/',
    requireScope('read'),
    handler(async (req, res) => res.json({ projects: await projects.list(req.user!.id) })),
  );
  router.post(
    '/',
    requireScope('admin'),
    handler(async (req, res) => res.status(201).json(await projects.create(req.user!.id, parse(ProjectBody, req.body)))),
  );
  router.get(
    '/:id',
    requireScope('read'),
    handler(async (req, res) => {
      const project = await projects.find(req.user!.id, parse(IdParam, req.params, 'path').id);
      if (!project) throw notFound('Project');
      res.json(project);
    }),
  );
  router.patch(
    '/:id',
    requireScope('admin'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const project = await projects.update(req.user!.id, id, parse(ProjectPatch, req.body));
      if (!project) throw notFound('Project');
      res.json(project);
    }),
  );
  return router;
}
