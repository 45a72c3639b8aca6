import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { describeIssues } from '../workflows/pipeline';
import { ErrorBody, responses, type ResponseTable } from './schemas';

/**
 * For tests (createApp installs it when NODE_ENV=test; it costs nothing elsewhere): every JSON response is
 * checked, as the client will read it, against the schema api/schemas.ts declares for its route and status.
 * A mismatch, or JSON from a route or status with no schema, becomes a 500 `response_mismatch` naming the
 * route and the fields, so a drift fails the test that meets it instead of reaching a client.
 */
export function checkResponses(table: ResponseTable = responses): RequestHandler {
  return (req, res, next) => {
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const problem = mismatch(table, req, res.statusCode, body);
      if (problem === undefined) return send(body);
      console.error(`[api] ${problem}`);
      res.status(500);
      return send({ error: 'response_mismatch', message: problem });
    };
    next();
  };
}

function mismatch(table: ResponseTable, req: Request, status: number, body: unknown): string | undefined {
  const route = req.route
    ? `${req.method} ${`${req.baseUrl}${req.route.path}`.replace(/(.)\/$/, '$1')}`
    : `${req.method} ${req.originalUrl}`;
  const schema = table[route]?.[status] ?? (status >= 400 ? ErrorBody : undefined);
  if (!schema) return `${route} answered ${status} with JSON, but api/schemas.ts declares no response for it`;
  if (!(schema instanceof z.ZodType))
    return `${route} answered ${status} with JSON, but api/schemas.ts says it sends ${schema.mediaType ?? 'no body'}`;
  const result = schema.safeParse(JSON.parse(JSON.stringify(body) ?? 'null'));
  return result.success
    ? undefined
    : `${route} answered ${status} with JSON that does not match its schema: ${describeIssues(result.error).join('; ')}`;
}
