import { Router } from 'express';
import { sql } from 'kysely';
import type { Services } from '../../infra/services';
import { requireScope } from '../scopes';

/** Longest one check may take: a health check that hangs tells a load balancer nothing. */
const CHECK_TIMEOUT_MS = 3_000;

function within<T>(ms: number, what: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([what, late]).finally(() => clearTimeout(timer));
}

/**
 * GET /api/health. 503 when the database or Temporal does not answer: nothing works without them. A bus that is
 * away only costs live updates (runs still run; event streams fall back to the database), so it is reported and
 * the status is "degraded", but the answer stays 200: taking every replica out of rotation because the shared
 * Redis is away would turn slower live views into an outage, and restarting them would not bring Redis back.
 */
export function healthRoutes({ db, temporal, bus, dbKind, blobs }: Pick<Services, 'db' | 'temporal' | 'bus' | 'dbKind' | 'blobs'>): Router {
  const router = Router();
  router.get('/', requireScope('public'), async (_req, res) => {
    const probes: Promise<unknown>[] = [sql`select 1`.execute(db), temporal.connection.workflowService.getSystemInfo({}), bus.ping()];
    const checks = await Promise.allSettled(probes.map((probe) => within(CHECK_TIMEOUT_MS, probe)));
    const [database, engine, events] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : `error: ${(c.reason as Error).message}`));
    const essential = database === 'ok' && engine === 'ok';
    res.status(essential ? 200 : 503).json({
      status: !essential ? 'unavailable' : events === 'ok' ? 'ok' : 'degraded',
      database,
      temporal: engine,
      bus: events,
      backends: { database: dbKind, bus: bus.kind, blobs: blobs.kind },
    });
  });
  return router;
}
