import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { logger } from '../infra/log';
import { metrics, secondsSince } from '../infra/telemetry';
import { requestSpan } from '../infra/tracing';

/** A caller's own request id is kept when it looks like one (a proxy's, a client's), so logs line up across hops. */
const GIVEN_ID = /^[\w.:-]{1,128}$/;

/**
 * Every request: an id (X-Request-Id, echoed back; `res.locals.requestId`), its duration in
 * creativeflow_http_request_duration_seconds by route pattern (not the URL: ids would explode the series), and a
 * debug log line carrying the id; while tracing (infra/tracing.ts), a span the workflow's spans hang from.
 */
export const requestTelemetry: RequestHandler = (req, res, next) => {
  const started = performance.now();
  const given = req.get('x-request-id');
  const requestId = given && GIVEN_ID.test(given) ? given : randomUUID();
  res.locals.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  let endSpan: ReturnType<typeof requestSpan>;
  res.once('finish', () => {
    const seconds = secondsSince(started);
    const route = routePattern(req.baseUrl, req.route?.path, req.originalUrl);
    metrics.httpRequestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
    endSpan?.(route, res.statusCode);
    logger.debug({ reqId: requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
  });
  endSpan = requestSpan(req.method, next);
};

/** `/api/runs/:id` for a matched route; the studio's pages and unmatched URLs grouped so the label set stays small. */
function routePattern(baseUrl: string, path: unknown, url: string): string {
  if (typeof path === 'string') return `${baseUrl}${path === '/' ? '' : path}` || '/';
  if (Array.isArray(path)) return `${baseUrl}${String(path[0])}`;
  return url.startsWith('/api/') ? 'unmatched' : 'studio';
}
