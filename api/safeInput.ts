import type { RequestHandler } from 'express';
import { RESERVED_NAMES } from '../workflows/pipeline/graph';
import { HttpError } from './http';

/**
 * The edge guard: what no route may ever see. Parsed JSON can hold text PostgreSQL refuses (NUL), text
 * that is not Unicode (a lone surrogate, which jsonb refuses and a text column silently mangles), nesting
 * deep enough to overflow a recursive consumer (zod, JSON.stringify, jsonb, the workflow payload codec),
 * and keys that reach an object's prototype when copied. Refused here once, with the path of the value.
 */
export const MAX_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Why a text can't be stored, if it can't. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'contains a lone surrogate (not valid Unicode)';
  return undefined;
}

const member = (path: string, key: string) => (PLAIN_KEY.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/**
 * The first unsafe thing in a parsed JSON value (or query object), as `path: problem`. Iterative, so a
 * value of any depth is walked without growing the call stack.
 */
export function findUnsafe(value: unknown, root: string): string | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return `${path}: ${problem}`;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) return `${path}: is nested deeper than ${MAX_DEPTH} levels`;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const at = member(path, key);
      if (RESERVED_NAMES.has(key)) return `${at}: '${key}' is a reserved name`;
      const problem = textProblem(key);
      if (problem) return `${at}: the name ${problem}`;
      pending.push({ value: (value as Record<string, unknown>)[key], path: at, depth: depth + 1 });
    }
  }
  return undefined;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
export const JSON_TYPE = 'application/json';

/** A body on POST/PUT/PATCH must be JSON: anything else would be ignored and the request "succeed" empty. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const length = req.get('content-length');
  const hasBody = req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
  if (BODY_METHODS.has(req.method) && hasBody && !req.is(JSON_TYPE)) {
    const given = req.get('content-type');
    return next(
      new HttpError(
        415,
        'unsupported_media_type',
        `content-type: the body must be ${JSON_TYPE}${given ? `, not ${given}` : ' (none was given)'}`,
      ),
    );
  }
  next();
};

/** Runs after the JSON parser: refuses unsafe text, nesting or keys in the body, the query or the path. */
export const refuseUnsafeInput: RequestHandler = (req, _res, next) => {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(new HttpError(400, 'invalid_request', 'path: is not valid percent-encoded UTF-8'));
  }
  const problem = (textProblem(path) && `path: ${textProblem(path)}`) || findUnsafe(req.query, 'query') || findUnsafe(req.body, 'body');
  next(problem ? new HttpError(400, 'invalid_request', problem) : undefined);
};
