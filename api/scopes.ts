import type { Request, RequestHandler } from 'express';
import { API_KEY_SCOPES } from './contract';
import { HttpError } from './http';

/** What an API key may do, each scope including the ones before it. A login session may do everything. */
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * What a route asks of its caller, declared on the route itself with `requireScope` (every route has one:
 * test/scopes.test.ts reads them from the app's route list):
 * - `read`: the GET routes; `run`: starting and cancelling runs; `admin`: every other change. A login session,
 *   or an API key of that scope or a wider one.
 * - `session`: a login session only. Managing API keys: a key can neither mint a wider one nor revoke others.
 * - `public`: no credentials at all.
 */
export type RouteAccess = ApiKeyScope | 'session' | 'public';

/** The middleware `requireScope` returns, carrying what it declares (so the route list can be read back). */
export type ScopeCheck = RequestHandler & { readonly access: RouteAccess };

const routeOf = (req: Request) => `${req.method} ${`${req.baseUrl}${req.route?.path ?? ''}`.replace(/(.)\/$/, '$1')}`;

/**
 * Refuses an API key outside the route's scope with 403 `insufficient_scope`, naming the scope needed. Goes after
 * the authentication (requireUser): a request it finds unauthenticated on a non-public route is refused, so a
 * route that forgot to authenticate fails closed.
 */
export function requireScope(access: RouteAccess): ScopeCheck {
  const check: RequestHandler = (req, res, next) => {
    if (access === 'public') return next();
    if (!req.user) return next(new HttpError(401, 'unauthorized', 'Missing bearer token (Authorization: Bearer <token>)'));
    const key = req.apiKey;
    if (!key) return next();
    if (access === 'session') {
      res.set('WWW-Authenticate', 'Bearer error="insufficient_scope"');
      return next(new HttpError(403, 'insufficient_scope', `${routeOf(req)} needs a login session: API keys cannot manage API keys`));
    }
    if (API_KEY_SCOPES.indexOf(key.scope) >= API_KEY_SCOPES.indexOf(access)) return next();
    res.set('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${access}"`);
    next(new HttpError(403, 'insufficient_scope', `${routeOf(req)} needs scope '${access}'; this API key has scope '${key.scope}'`));
  };
  return Object.assign(check, { access });
}
