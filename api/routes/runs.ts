import { Router, type Request, type Response } from 'express';
import type { BlobStore } from '../../infra/blobs';
import { runChannel, type EventBus } from '../../infra/bus';
import { TERMINAL_STATUSES, type LiveEvent, type RunEvent } from '../../workflows/pipeline';
import { IdParam, LastEventId, RunListQuery } from '../contract';
import { handler, notFound, parse } from '../http';
import { sendBlob } from '../sendBlob';
import type { RunRepository, StoredRunSummary } from '../repositories/runs';
import type { UrlSigner } from '../signedUrls';
import type { RunService } from '../services/runs';
import { requireScope } from '../scopes';

const KEEPALIVE_MS = 16_000;

/** Listed runs with a signed link to each thumbnail (one expiry for the page), so <img> shows them at once. */
export function withSignedThumbnails(list: StoredRunSummary[], userId: string, signer: UrlSigner) {
  const exp = signer.expiry();
  return list.map((run) => ({ ...run, thumbnailSignedUrl: run.thumbnail ? signer.sign(run.thumbnail, userId, exp) : null }));
}

export function runRoutes(deps: {
  runs: RunRepository;
  runService: RunService;
  bus: EventBus;
  blobs: BlobStore;
  signer: UrlSigner;
}): Router {
  const { runs, runService, bus, signer } = deps;
  const router = Router();

  router.get(
    '/',
    requireScope('read'),
    handler(async (req, res) => {
      const query = parse(RunListQuery, req.query, 'query');
      res.json({ runs: withSignedThumbnails(await runs.list(req.user!.id, query), req.user!.id, signer) });
    }),
  );

  router.get(
    '/:id',
    requireScope('read'),
    handler(async (req, res) => {
      const run = await runs.find(req.user!.id, parse(IdParam, req.params, 'path').id);
      if (!run) throw notFound('Run');
      res.json(run);
    }),
  );

  router.post(
    '/:id/cancel',
    requireScope('run'),
    handler(async (req, res) => {
      res.status(202).json(await runService.cancel(req.user!.id, parse(IdParam, req.params, 'path').id));
    }),
  );

  router.get(
    '/:id/events',
    requireScope('read'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      const run = await runs.find(req.user!.id, id);
      if (!run) throw notFound('Run');
      streamRunEvents(req, res, id, runs, bus);
    }),
  );

  /** An intermediate artifact of a run (a narration, an illustration…) before or without an Upload step. */
  router.get(
    '/:id/artifacts/*path',
    requireScope('read'),
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
 * Server-Sent Events for one run: the recorded events after Last-Event-ID (from the database, so any API replica
 * can serve them) at once, then live ones from the bus, in order, without gaps or repeats. Ends after the run's
 * final status.
 *
 * The database is the record and the bus only makes it fast, so the stream never depends on the bus: while it is
 * away (or the subscription not yet confirmed) recorded events are read every POLL_MS; a live event that skips a
 * sequence number (some were lost while the bus was away) is held back until the database fills the gap; and
 * every KEEPALIVE_MS the stream sends a comment and reads the database once more, in case the bus dropped the end.
 */
const POLL_MS = 2_000;
const KEEPALIVE_TICKS = Math.round(KEEPALIVE_MS / POLL_MS);

function streamRunEvents(req: Request, res: Response, runId: string, runs: RunRepository, bus: EventBus): void {
  // Both ways of saying it are checked; the header wins when both are given.
  const given = [req.get('last-event-id'), req.query.lastEventId].filter((v) => v !== undefined);
  let lastSeq = given.map((v) => parse(LastEventId, v, 'Last-Event-ID'))[0] ?? 0;
  let closed = false;
  let unsubscribe: (() => Promise<void>) | undefined;
  let resubscribe: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');

  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(ticker);
    clearTimeout(resubscribe);
    res.end();
    // Not awaited: with Redis away an UNSUBSCRIBE waits for its return, and the response must not.
    unsubscribe?.().catch(() => undefined);
  };
  req.on('close', finish); // before anything is awaited, so a client leaving early leaks nothing

  const send = (event: RunEvent | LiveEvent) => {
    if (closed) return;
    if ('seq' in event) {
      if (event.seq <= lastSeq) return;
      lastSeq = event.seq;
      res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (event.type === 'run.status' && TERMINAL_STATUSES.includes(event.status)) finish();
    } else {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    }
  };

  // Sends what the database recorded after lastSeq; live events arriving meanwhile wait, so order holds.
  let reading = false;
  let readAgain = false;
  const held: (RunEvent | LiveEvent)[] = [];
  const catchUp = async () => {
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    try {
      do {
        readAgain = false;
        for (const event of await runs.eventsAfter(runId, lastSeq)) send(event);
      } while (readAgain && !closed);
    } catch (err) {
      console.error(`[events] run ${runId}: reading recorded events failed, retrying: ${(err as Error).message}`);
    } finally {
      reading = false;
      for (const event of held.splice(0)) send(event);
    }
  };

  const onLive = (message: unknown) => {
    const event = message as RunEvent | LiveEvent;
    if (reading || ('seq' in event && event.seq > lastSeq + 1)) {
      held.push(event);
      void catchUp();
    } else {
      send(event);
    }
  };

  const subscribe = () => {
    bus.subscribe(runChannel(runId), onLive).then(
      (off) => {
        if (closed) return void off().catch(() => undefined);
        unsubscribe = off;
        void catchUp(); // what was recorded before the subscription took hold
      },
      (err: Error) => {
        if (closed) return;
        console.error(`[events] run ${runId}: subscribing to live events failed, retrying: ${err.message}`);
        resubscribe = setTimeout(subscribe, POLL_MS);
      },
    );
  };

  let ticks = 0;
  let wasLive = true;
  ticker = setInterval(() => {
    const live = unsubscribe !== undefined && bus.connected;
    // While not live, poll; once live again, one more read covers what the bus dropped meanwhile.
    if (!live || !wasLive) void catchUp();
    wasLive = live;
    if (++ticks % KEEPALIVE_TICKS === 0) {
      res.write(': keep-alive\n\n');
      void catchUp();
    }
  }, POLL_MS);

  subscribe();
  void catchUp();
}
