import { Router, type Request, type Response } from 'express';
import { runChannel } from '../../activities/deps';
import type { BlobStore } from '../../infra/blobs';
import type { EventBus } from '../../infra/bus';
import { TERMINAL_STATUSES, type LiveEvent, type RunEvent } from '../../workflows/pipeline';
import { IdParam, LastEventId, ListQuery } from '../contract';
import { handler, notFound, parse } from '../http';
import { sendBlob } from '../sendBlob';
import type { RunRepository } from '../repositories/runs';
import type { RunService } from '../services/runs';

const HEARTBEAT_MS = 15_000;

export function runRoutes(deps: { runs: RunRepository; runService: RunService; bus: EventBus; blobs: BlobStore }): Router {
  const { runs, runService, bus } = deps;
  const router = Router();

  router.get(
    '/',
    handler(async (req, res) => {
      const query = parse(ListQuery, req.query, 'query');
      res.json({ runs: await runs.list(req.user!.id, query) });
    }),
  );

  router.get(
    '/:id',
    handler(async (req, res) => {
      const run = await runs.find(req.user!.id, parse(IdParam, req.params, 'path').id);
      if (!run) throw notFound('Run');
      res.json(run);
    }),
  );

  router.post(
    '/:id/cancel',
    handler(async (req, res) => {
      res.status(202).json(await runService.cancel(req.user!.id, parse(IdParam, req.params, 'path').id));
    }),
  );

  router.get(
    '/:id/events',
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const run = await runs.find(req.user!.id, id);
      if (!run) throw notFound('Run');
      await streamRunEvents(req, res, id, runs, bus);
    }),
  );

  /** An intermediate artifact of a run (a narration, an illustration…) before or without an Upload step. */
  router.get(
    '/:id/artifacts/*path',
    handler(async (req, res) => {
      const { id } = parse(IdParam, { id: req.params.id }, 'path');
      if (!(await deps.runs.find(req.user!.id, id))) throw notFound('Run');
      const key = `runs/${id}/${([] as string[]).concat(req.params.path as string | string[]).join('/')}`;
      const head = await deps.blobs.head(key).catch(() => null);
      if (!head) throw notFound('Artifact');
      await sendBlob(req, res, deps.blobs, { key, mimeType: head.contentType, size: head.size });
    }),
  );

  return router;
}

/**
 * Server-Sent Events for one run: first the recorded events after Last-Event-ID (from the database,
 * so any API replica can serve them), then live ones from the bus, without gaps or repeats.
 * Ends after the run's final status.
 */
async function streamRunEvents(req: Request, res: Response, runId: string, runs: RunRepository, bus: EventBus) {
  let lastSeq = parse(LastEventId, req.get('last-event-id') ?? req.query.lastEventId ?? '0', 'Last-Event-ID');
  let replaying = true;
  let closed = false;
  const buffered: (RunEvent | LiveEvent)[] = [];

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');

  const finish = async () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    await unsubscribe();
    res.end();
  };

  const send = (event: RunEvent | LiveEvent) => {
    if (closed) return;
    if ('seq' in event) {
      if (event.seq <= lastSeq) return;
      lastSeq = event.seq;
      res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (event.type === 'run.status' && TERMINAL_STATUSES.includes(event.status)) void finish();
    } else {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    }
  };

  const unsubscribe = await bus.subscribe(runChannel(runId), (message) => {
    const event = message as RunEvent | LiveEvent;
    if (replaying) buffered.push(event);
    else send(event);
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  req.on('close', () => void finish());

  for (const event of await runs.eventsAfter(runId, lastSeq)) send(event);
  replaying = false;
  for (const event of buffered.splice(0)) send(event);
}
