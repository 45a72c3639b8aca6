import { Router } from 'express';
import { TERMINAL_STATUSES, validateGraph, type Graph } from '../../workflows/pipeline';
import { triggerOf } from '../auth';
import {
  CreatePipelineBody,
  EstimateRunBody,
  IdempotencyKey,
  IdParam,
  ListQuery,
  PipelineRunListQuery,
  RecordVersionBody,
  RestoreVersionBody,
  SaveDraftBody,
  StartRunBody,
  StartRunQuery,
  UpdatePipelineBody,
  VersionParams,
  VersionQuery,
} from '../contract';
import { handler, HttpError, notFound, parse } from '../http';
import type { PipelineRepository } from '../repositories/pipelines';
import type { ProjectRepository } from '../repositories/projects';
import type { RunRepository } from '../repositories/runs';
import type { RunService } from '../services/runs';
import { requireScope } from '../scopes';
import type { ScheduleService } from '../services/schedules';
import type { UrlSigner } from '../signedUrls';
import { withSignedThumbnails } from './runs';

function checkedGraph(graph: unknown): Graph {
  const result = validateGraph(graph);
  if (!result.graph) {
    throw new HttpError(400, 'invalid_graph', `The pipeline graph has ${result.problems.length} problem(s)`, result.problems);
  }
  return result.graph;
}

export function pipelineRoutes(deps: {
  pipelines: PipelineRepository;
  projects: ProjectRepository;
  runs: RunRepository;
  runService: RunService;
  scheduleService: ScheduleService;
  signer: UrlSigner;
}): Router {
  const { pipelines, projects, runs, runService, scheduleService } = deps;
  const router = Router();

  router.get(
    '/',
    requireScope('read'),
    handler(async (req, res) => {
      const query = parse(ListQuery, req.query, 'query');
      res.json({ pipelines: await pipelines.list(req.user!.id, query) });
    }),
  );

  router.post(
    '/',
    requireScope('admin'),
    handler(async (req, res) => {
      const body = parse(CreatePipelineBody, req.body);
      const graph = checkedGraph(body.graph);
      const project = body.projectId ? await projects.find(req.user!.id, body.projectId) : await projects.defaultFor(req.user!.id);
      if (!project) throw notFound('Project');
      res.status(201).json(await pipelines.create(req.user!.id, project.id, body.name, graph));
    }),
  );

  router.get(
    '/:id',
    requireScope('read'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const { version } = parse(VersionQuery, req.query, 'query');
      const pipeline = await pipelines.find(req.user!.id, id, version);
      if (!pipeline) throw notFound('Pipeline');
      const { draft } = pipeline;
      res.json({
        ...pipeline,
        draft: draft && { graph: draft.graph, problems: validateGraph(draft.graph).problems, savedAt: draft.savedAt },
      });
    }),
  );

  router.put(
    '/:id/draft',
    requireScope('admin'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const { graph } = parse(SaveDraftBody, req.body);
      const saved = await pipelines.saveDraft(req.user!.id, id, graph);
      if (!saved) throw notFound('Pipeline');
      res.json({ savedAt: saved.savedAt, problems: validateGraph(graph).problems });
    }),
  );

  router.post(
    '/:id/versions',
    requireScope('admin'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      parse(RecordVersionBody, req.body);
      const outcome = await pipelines.recordDraft(req.user!.id, id, validateGraph);
      if (!outcome) throw notFound('Pipeline');
      if ('problems' in outcome) {
        throw new HttpError(400, 'invalid_graph', `The draft has ${outcome.problems.length} problem(s)`, outcome.problems);
      }
      res.status(outcome.created ? 201 : 200).json({ id: outcome.id, version: outcome.version });
    }),
  );

  router.delete(
    '/:id',
    requireScope('admin'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const schedules = await scheduleService.idsOfPipeline(req.user!.id, id); // their rows go with the pipeline
      const outcome = await pipelines.remove(req.user!.id, id);
      if (!outcome) throw notFound('Pipeline');
      if (outcome === 'active')
        throw new HttpError(409, 'run_active', 'The pipeline has a run in progress: cancel it or let it finish first');
      await scheduleService.forget(schedules);
      res.status(204).end();
    }),
  );

  router.put(
    '/:id',
    requireScope('admin'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const body = parse(UpdatePipelineBody, req.body);
      const graph = body.graph === undefined ? undefined : checkedGraph(body.graph);
      const saved = await pipelines.update(req.user!.id, id, { name: body.name, graph });
      if (!saved) throw notFound('Pipeline');
      res.json(saved);
    }),
  );

  router.get(
    '/:id/versions',
    requireScope('read'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      if (!(await pipelines.find(req.user!.id, id))) throw notFound('Pipeline');
      res.json({ versions: await pipelines.versions(id) });
    }),
  );

  router.get(
    '/:id/versions/:version',
    requireScope('read'),
    handler(async (req, res) => {
      const { id, version } = parse(VersionParams, req.params, 'path');
      const found = await pipelines.version(req.user!.id, id, version);
      if (!found) throw await versionNotFound(req.user!.id, id, version);
      res.json(found);
    }),
  );

  router.post(
    '/:id/versions/:version/restore',
    requireScope('admin'),
    handler(async (req, res) => {
      const { id, version } = parse(VersionParams, req.params, 'path');
      parse(RestoreVersionBody, req.body);
      const outcome = await pipelines.restore(req.user!.id, id, version, validateGraph);
      if (!outcome) throw notFound('Pipeline');
      if (outcome === 'no_version') throw await versionNotFound(req.user!.id, id, version);
      if ('problems' in outcome) {
        throw new HttpError(400, 'invalid_graph', `Version ${version} has ${outcome.problems.length} problem(s) today`, outcome.problems);
      }
      res.status(outcome.created ? 201 : 200).json({ id: outcome.id, version: outcome.version });
    }),
  );

  /** 404 naming what is missing: the pipeline (another user's, or none), or the version, with the versions there are. */
  async function versionNotFound(userId: string, id: string, version: number): Promise<HttpError> {
    const pipeline = await pipelines.find(userId, id);
    if (!pipeline) return notFound('Pipeline');
    return new HttpError(404, 'not_found', `version: this pipeline has no version ${version} (its versions are 1 to ${pipeline.version})`);
  }

  router.post(
    '/:id/runs',
    requireScope('run'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const { wait } = parse(StartRunQuery, req.query, 'query');
      const header = req.get('idempotency-key');
      const idempotencyKey = header === undefined ? undefined : parse(IdempotencyKey, header, 'Idempotency-Key');
      const body = parse(StartRunBody, req.body);
      const started = await runService.start(req.user!.id, id, body, triggerOf(req), idempotencyKey);
      const status = started.created ? 201 : 200;
      if (wait === undefined) return void res.status(status).json({ id: started.id });

      const clientLeft = new AbortController();
      res.on('close', () => clientLeft.abort());
      const run = await runService.waitForEnd(req.user!.id, started.id, wait, clientLeft.signal);
      if (!run) throw notFound('Run');
      res.status(TERMINAL_STATUSES.includes(run.status) ? status : 202).json(run);
    }),
  );

  router.post(
    '/:id/estimate',
    requireScope('read'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const body = parse(EstimateRunBody, req.body);
      res.json(await runService.estimate(req.user!.id, id, body));
    }),
  );

  router.get(
    '/:id/runs',
    requireScope('read'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const query = parse(PipelineRunListQuery, req.query, 'query');
      if (!(await pipelines.find(req.user!.id, id))) throw notFound('Pipeline');
      res.json({ runs: withSignedThumbnails(await runs.list(req.user!.id, { ...query, pipelineId: id }), req.user!.id, deps.signer) });
    }),
  );

  return router;
}
