import { inspect } from 'node:util';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { redactSecrets } from '../infra/redact';
import { describeIssues, type Problem } from '../workflows/pipeline';

/** Every error leaves the API as `{error, message}` (plus `problems` for invalid graphs). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: Problem[],
    /** More fields of the body (a 402's limit, used and resetsAt). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

/** 402: the plan's limit `quota` is reached; says how much is used of it and when it resets (null: it doesn't by itself). */
export const quotaExceeded = (r: { quota: string; limit: number; used: number; resetsAt: Date | null; message: string }) =>
  new HttpError(402, 'quota_exceeded', r.message, undefined, {
    quota: r.quota,
    limit: r.limit,
    used: r.used,
    resetsAt: r.resetsAt ? r.resetsAt.toISOString() : null,
  });

/** Parses a request part with a shared schema; a 400 names each offending field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const messages = describeIssues(result.error);
  throw new HttpError(400, 'invalid_request', `Invalid ${where}: ${messages.join('; ')}`);
}

/** Express 5 forwards rejected promises itself; this only types the handler. */
export const handler = (fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown> | unknown): RequestHandler =>
  fn as RequestHandler;

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof HttpError) {
    res
      .status(err.status)
      .json({ error: err.code, message: err.message, ...(err.problems ? { problems: err.problems } : {}), ...err.details });
    return;
  }
  const status = typeof err?.status === 'number' ? err.status : typeof err?.statusCode === 'number' ? err.statusCode : 500;
  if (err?.type === 'entity.too.large') {
    res.status(413).json({ error: 'payload_too_large', message: `Request body is larger than the ${err.limit} byte limit` });
    return;
  }
  if (err?.type === 'charset.unsupported' || err?.type === 'encoding.unsupported') {
    res.status(415).json({ error: 'unsupported_media_type', message: `Request body: ${err.message}` });
    return;
  }
  if (err?.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'malformed_json', message: `Request body is not valid JSON: ${err.message}` });
    return;
  }
  if (status >= 400 && status < 500) {
    res.status(status).json({ error: 'bad_request', message: String(err?.message ?? 'Bad request') });
    return;
  }
  // The URL may carry a signed link, the error a request's headers or body: the line is redacted as a whole.
  console.error(redactSecrets(`[api] ${req.method} ${req.originalUrl} failed: ${inspect(err, { depth: 3 })}`));
  res.status(500).json({ error: 'internal', message: 'Internal server error' });
};
