import { Router } from 'express';
import { CreateScheduleBody, IdParam, ScheduleListQuery, ScheduleNoteBody, TriggerScheduleBody, UpdateScheduleBody } from '../contract';
import { handler, parse } from '../http';
import type { ScheduleService } from '../services/schedules';

export function scheduleRoutes(deps: { scheduleService: ScheduleService }): Router {
  const { scheduleService } = deps;
  const router = Router();
  const id = (params: unknown) => parse(IdParam, params, 'path').id;

  router.get(
    '/',
    handler(async (req, res) => {
      const query = parse(ScheduleListQuery, req.query, 'query');
      res.json({ schedules: await scheduleService.list(req.user!.id, query) });
    }),
  );

  router.post(
    '/',
    handler(async (req, res) => {
      res.status(201).json(await scheduleService.create(req.user!.id, parse(CreateScheduleBody, req.body)));
    }),
  );

  router.get(
    '/:id',
    handler(async (req, res) => {
      res.json(await scheduleService.get(req.user!.id, id(req.params)));
    }),
  );

  router.patch(
    '/:id',
    handler(async (req, res) => {
      const scheduleId = id(req.params);
      res.json(await scheduleService.update(req.user!.id, scheduleId, parse(UpdateScheduleBody, req.body)));
    }),
  );

  router.post(
    '/:id/pause',
    handler(async (req, res) => {
      const scheduleId = id(req.params);
      res.json(await scheduleService.pause(req.user!.id, scheduleId, parse(ScheduleNoteBody, req.body).note));
    }),
  );

  router.post(
    '/:id/resume',
    handler(async (req, res) => {
      const scheduleId = id(req.params);
      res.json(await scheduleService.resume(req.user!.id, scheduleId, parse(ScheduleNoteBody, req.body).note));
    }),
  );

  router.post(
    '/:id/trigger',
    handler(async (req, res) => {
      const scheduleId = id(req.params);
      parse(TriggerScheduleBody, req.body);
      res.status(202).json(await scheduleService.trigger(req.user!.id, scheduleId));
    }),
  );

  router.delete(
    '/:id',
    handler(async (req, res) => {
      await scheduleService.remove(req.user!.id, id(req.params));
      res.status(204).end();
    }),
  );

  return router;
}
