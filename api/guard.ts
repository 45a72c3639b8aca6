import { createHash } from 'node:crypto';
import cors from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import helmet from 'helmet';
import type { Config } from '../infra/config';
import type { Limits } from '../infra/limits';
import { metrics } from '../infra/telemetry';
import { LoginBody } from './contract';
import { DEFAULT_PLAN, planAllowance } from '../infra/plans';

/**
 * The guard layer: security headers, CORS and rate limits, in two middlewares.
 *
 * - `gate` (first, for every request): helmet's headers with the studio's Content-Security-Policy, CORS for the
 *   CORS_ORIGINS allow-list (same origin only by default), and a generous limit per client address.
 * - `limits` (under /api, once the body is parsed): registration per address and per email, failed logins per
 *   address, a growing lock-out per account after repeated failed logins, and run starts per user by plan.
 *
 * Every refusal is a 429 `{error: 'rate_limited', message}` with Retry-After and the IETF RateLimit /
 * RateLimit-Policy headers (draft 8: one named entry per limit the request passed). The client's address is
 * the socket's, or what X-Forwarded-For says only behind the proxies TRUST_PROXY names (app.ts sets it).
 * When the store fails (Redis away) requests pass unlimited, and the failure is logged.
 */
export interface GuardDeps {
  config: Config;
  limits: Limits;
  /** The user's plan (users.plan), which sets their run-start allowance, when the credential did not bring it. */
  planOf: (userId: string) => Promise<string | undefined>;
  requireUser: RequestHandler;
}

export interface Guard {
  gate: RequestHandler;
  limits: RequestHandler;
}

/** The studio's policy: everything from its own origin, nothing inline, no CDN. */
const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'media-src': ["'self'"],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  // A self-hosted install is often plain http on a LAN address: upgrading its requests would break it.
  'upgrade-insecure-requests': null,
};

const CORS_HEADERS = {
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID', 'Range'],
  exposedHeaders: ['RateLimit', 'RateLimit-Policy', 'Retry-After', 'Content-Disposition', 'Content-Range', 'Accept-Ranges'],
};

/** The routes that start a run or a batch (each request counts once against the user's plan). Express matches paths case-insensitively. */
const RUN_START = /^\/pipelines\/[^/]+\/(runs|batches)\/?$/i;
const LOGIN = /^\/auth\/login\/?$/i;
const REGISTER = /^\/auth\/register\/?$/i;

export function createGuard({ config, limits, planOf, requireUser }: GuardDeps): Guard {
  const settings = config.limits;
  const allowedOrigins = new Set(config.corsOrigins);

  const limiter = (name: string, options: Partial<Options> & Pick<Options, 'windowMs'>, say: (req: Request, res: Response) => string) =>
    rateLimit({
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: name,
      store: limits.store(name),
      passOnStoreError: true,
      logger: {
        error: (err) => (isMisconfiguration(err) ? console.warn(`[limits] ${(err as Error).message}`) : limits.reportError(err)),
        warn: (err) => console.warn(`[limits] ${(err as Error)?.message ?? err}`),
      },
      handler: (req, res) => rateLimited(res, name, `${say(req, res)}: try again in ${res.getHeader('Retry-After')} s`),
      ...options,
    });

  const perIp = limiter(
    'api',
    { ...settings.perIp, skip: (req) => /^\/api\/health\/?$/i.test(req.path) },
    () => `Too many requests from your address (at most ${settings.perIp.limit} per ${duration(settings.perIp.windowMs)})`,
  );
  const loginPerIp = limiter(
    'login-ip',
    { windowMs: settings.auth.windowMs, limit: settings.auth.loginFailuresPerIp, skipSuccessfulRequests: true },
    () => 'Too many failed sign-ins from your address',
  );
  const registerPerIp = limiter(
    'register-ip',
    { windowMs: settings.auth.windowMs, limit: settings.auth.registrationsPerIp },
    () => 'Too many sign-ups from your address',
  );
  const registerPerEmail = limiter(
    'register-email',
    {
      windowMs: settings.auth.windowMs,
      limit: settings.auth.registrationsPerEmail,
      skip: (req) => typeof req.body?.email !== 'string',
      keyGenerator: (req) => accountKey(req.body.email),
    },
    () => 'Too many sign-ups for this email',
  );
  const runStarts = limiter(
    'runs',
    {
      windowMs: settings.runStarts.windowMs,
      keyGenerator: (req) => req.user!.id,
      limit: async (req, res) => {
        const plan = req.user!.plan ?? (await planOf(req.user!.id)) ?? DEFAULT_PLAN;
        res.locals.runStarts = { plan, limit: planAllowance(plan, { runStarts: settings.runStarts.perPlan }).runStarts };
        return res.locals.runStarts.limit;
      },
    },
    (_req, res) =>
      `Too many runs started: the ${res.locals.runStarts.plan} plan allows ${res.locals.runStarts.limit} per ${duration(settings.runStarts.windowMs)}`,
  );
  const loginPerAccount = accountBackoff(limits, { ...settings.loginBackoff, memoryMs: settings.auth.windowMs });

  const helmetHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    // Pages on an allowed origin may embed the API's media (signed links); otherwise only the studio's origin.
    crossOriginResourcePolicy: { policy: allowedOrigins.size > 0 ? 'cross-origin' : 'same-origin' },
    // Not every subdomain of a self-hosted install's domain is ours to force onto https.
    strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
  });
  const corsHeaders = cors({
    origin: (origin, done) => done(null, origin !== undefined && allowedOrigins.has(origin)),
    credentials: true,
    maxAge: 600,
    ...CORS_HEADERS,
  });

  const gate = chain([
    helmetHeaders,
    (req, res, next) => {
      if (allowedOrigins.size > 0) res.vary('Origin'); // an answer with or without CORS headers depends on it
      next();
    },
    corsHeaders, // answers an allowed origin's preflight itself
    (req, res, next) => {
      const preflight = req.method === 'OPTIONS' && req.get('origin') && req.get('access-control-request-method');
      if (!preflight) return next();
      res.status(403).json({
        error: 'origin_not_allowed',
        message: `Origin ${req.get('origin')} may not call this API (CORS_ORIGINS lists the origins that may)`,
      });
    },
    perIp,
  ]);

  const routes: { method: string; path: RegExp; run: RequestHandler }[] = [
    { method: 'POST', path: LOGIN, run: chain([loginPerIp, loginPerAccount]) },
    { method: 'POST', path: REGISTER, run: chain([registerPerIp, registerPerEmail]) },
    { method: 'POST', path: RUN_START, run: chain([requireUser, runStarts]) },
  ];
  const limitRoutes: RequestHandler = (req, res, next) => {
    const route = routes.find((r) => r.method === req.method && r.path.test(req.path));
    return route ? route.run(req, res, next) : next();
  };

  return { gate, limits: limitRoutes };
}

/**
 * Failed logins per account, keyed by the normalised email whether or not an account has it, so the answers
 * for a known and an unknown email are the same. Rotating addresses does not help: the key is the email.
 */
function accountBackoff(limits: Limits, policy: Parameters<Limits['backoff']>[1]): RequestHandler {
  const backoff = limits.backoff('login-account', policy);
  return async (req, res, next) => {
    const body = LoginBody.safeParse(req.body);
    if (!body.success) return next(); // the route answers 400; nothing was tried
    const key = accountKey(body.data.email);
    let verdict;
    try {
      verdict = await backoff.attempt(key);
    } catch (err) {
      limits.reportError(err);
      return next();
    }
    if (!verdict.allowed) {
      const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      res.setHeader('Retry-After', String(seconds));
      res.append('RateLimit', `"login-account"; r=0; t=${seconds}`);
      return rateLimited(res, 'login-account', `Too many failed sign-ins for this email: try again in ${seconds} s`);
    }
    res.once('finish', () => {
      if (res.statusCode < 400) backoff.succeeded(key).catch((err: unknown) => limits.reportError(err));
    });
    next();
  };
}

/** The email as an account key: trimmed and lower-cased (as login matches it), hashed so no store holds it. */
function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}

/** express-rate-limit's checks of its setup (once each), e.g. X-Forwarded-For arriving without TRUST_PROXY. */
const isMisconfiguration = (err: unknown) =>
  typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('ERR_ERL_');

function rateLimited(res: Response, limit: string, message: string): void {
  metrics.throttled.inc({ limit });
  res.status(429).json({ error: 'rate_limited', message });
}

/** Runs middlewares in order, like Express would for one route. */
function chain(handlers: RequestHandler[]): RequestHandler {
  return (req, res, done) => {
    let i = 0;
    const next: NextFunction = (err?: unknown) => {
      if (err !== undefined && err !== null) return done(err);
      const handler = handlers[i++];
      if (!handler) return done();
      Promise.resolve(handler(req, res, next)).catch(done);
    };
    next();
  };
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
