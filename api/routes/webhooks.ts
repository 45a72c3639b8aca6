import { Router } from 'express';
import { DeliveryListQuery, IdParam, SendTestEventBody, WebhookBody } from '../contract';
import { handler, parse } from '../http';
import type { WebhookService } from '../services/webhooks';

/** A pipeline's webhooks: `/api/pipelines/:id/webhooks`. */
export function pipelineWebhookRoutes(webhooks: WebhookService): Router {
  const router = Router();
  router.post(
    '/:id/webhooks',
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const body = parse(WebhookBody, req.body);
      res.status(201).json(await webhooks.create(req.user!.id, id, body));
    }),
  );
  router.get(
    '/:id/webhooks',
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      res.json({ webhooks: await webhooks.list(req.user!.id, id) });
    }),
  );
  return router;
}

/** One webhook by its id: `/api/webhooks/:id`, its delivery log, a test event. */
export function webhookRoutes(webhooks: WebhookService): Router {
  const router = Router();
  router.delete(
    '/:id',
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      await webhooks.remove(req.user!.id, id);
      res.status(204).end();
    }),
  );
  router.get(
    '/:id/deliveries',
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const page = parse(DeliveryListQuery, req.query, 'query');
      res.json({ deliveries: await webhooks.deliveries(req.user!.id, id, page) });
    }),
  );
  router.post(
    '/:id/test',
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      parse(SendTestEventBody, req.body);
      res.status(202).json(await webhooks.sendTest(req.user!.id, id));
    }),
  );
  return router;
}
