import { Router } from 'express';
import { triggerOf } from '../auth';
import { IdParam, StartBatchBody } from '../contract';
import { handler, parse } from '../http';
import type { BatchService } from '../services/batches';
import { requireScope } from '../scopes';

/** Starting a batch of a pipeline: `/api/pipelines/:id/batches`. */
export function pipelineBatchRoutes(batchService: BatchService): Router {
  const router = Router();
  router.post(
    '/:id/batches',
    requireScope('run'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const body = parse(StartBatchBody, req.body);
      res.status(201).json(await batchService.start(req.user!.id, id, body, triggerOf(req)));
    }),
  );
  return router;
}

/** One batch by its id: `/api/batches/:id`, and cancelling it. */
export function batchRoutes(batchService: BatchService): Router {
  const router = Router();
  router.get(
    '/:id',
    requireScope('read'),
    handler(async (req, res) => {
      res.json(await batchService.get(req.user!.id, parse(IdParam, req.params, 'path').id));
    }),
  );
  router.post(
    '/:id/cancel',
    requireScope('run'),
    handler(async (req, res) => {
      res.status(202).json(await batchService.cancel(req.user!.id, parse(IdParam, req.params, 'path').id));
    }),
  );
  return router;
}
