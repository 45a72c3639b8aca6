import type { RequestHandler } from 'express';
import { HttpError } from './http';

/**
 * 405 with `Allow` (RFC 9110) for a path the API has, asked with a method none of its routes answers. Goes
 * after the routes, so only a request no route took reaches it; `routes` are keys like `GET /api/runs/:id`.
 */
export function methodNotAllowed(routes: string[]): RequestHandler {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const [method, path] = route.split(' ');
    if (!methodsByPath.has(path)) methodsByPath.set(path, new Set());
    methodsByPath.get(path)!.add(method);
  }
  const paths = [...methodsByPath].map(([path, methods]) => ({
    pattern: new RegExp(
      `^${path
        .replace(/[.]/g, '\\.')
        .replace(/:[A-Za-z_]+/g, '[^/]+')
        .replace(/\*[A-Za-z_]+/g, '.+')}/?$`,
    ),
    allow: [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].join(', '),
  }));
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0];
    const known = paths.find((p) => p.pattern.test(path));
    if (!known) return next();
    res.setHeader('Allow', known.allow);
    next(new HttpError(405, 'method_not_allowed', `${path} does not answer ${req.method}: it answers ${known.allow}`));
  };
}
