import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Request, RequestHandler } from 'express';
import type { Config } from '../infra/config';
import { loadSecret } from '../infra/secrets';
import type { RunTrigger } from '../workflows/pipeline';
import { hashApiKey, isApiKey } from './apiKeys';
import { HttpError } from './http';
import { LAST_USED_RESOLUTION_MS, type ApiKeyRepository } from './repositories/apiKeys';
import type { UserRepository, UserRow } from './repositories/users';
import type { ApiKeyScope } from './scopes';
import { createUrlSigner } from './signedUrls';
import type { User } from './schemas';

export interface AuthUser {
  id: string;
  email: string;
}

/** Who an access token is issued to: `epoch` is the user's session epoch then (a password change moves it on). */
export interface TokenSubject extends AuthUser {
  epoch: number;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User extends AuthUser {
      /** The account's plan, read with the credential (the run-start limit reads it, without asking again). */
      plan?: string;
    }
    interface Request {
      /** The API key a request came with (none for a login session or a signed link); requireScope checks it. */
      apiKey?: { id: string; name: string; scope: ApiKeyScope };
    }
  }
}

/** JWT_SECRET, or a random secret kept under data/ so tokens survive a restart of the embedded install. */
export function loadTokenSecret(config: Config): string {
  return loadSecret(config, config.jwtSecret, 'token-secret');
}

export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What started a run, by the credential that asked: an API key is 'api' (with its name), a login the studio. */
export const triggerOf = (req: Request): RunTrigger => (req.apiKey ? { kind: 'api', keyName: req.apiKey.name } : { kind: 'studio' });

export function createAuth(users: UserRepository, apiKeys: ApiKeyRepository, secret: string, opts: { accessTokenTtlSeconds: number }) {
  const auth = new passport.Passport();
  const signer = createUrlSigner(secret);
  // An unknown email is checked against this, so it costs the same argon2 time as a wrong password.
  const dummyHash = hashPassword(randomBytes(16).toString('hex'));
  dummyHash.catch(() => undefined); // a failure surfaces at the login that awaits it
  auth.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', session: false }, (email, password, done) => {
      users
        .findByEmail(email)
        .then(async (user) => {
          const matches = await argon2.verify(user?.password_hash ?? (await dummyHash), password);
          if (!user || !matches) return done(null, false);
          if (!user.is_active) return done(new HttpError(403, 'account_inactive', 'This account has been deactivated'));
          await users.recordLogin(user.id);
          const subject: TokenSubject = { id: user.id, email: user.email, epoch: user.session_epoch };
          done(null, subject);
        })
        .catch(done);
    }),
  );

  /** A short-lived access token (a refresh token renews it: see services/sessions.ts). */
  const issueToken = (user: TokenSubject) =>
    jwt.sign({ email: user.email, ep: user.epoch }, secret, {
      subject: user.id,
      expiresIn: opts.accessTokenTtlSeconds,
      algorithm: 'HS256',
    });

  /** The account behind a verified token, link or key, if it still exists and is active. */
  const existingUser = async (id: string): Promise<(AuthUser & { epoch: number; plan: string }) | undefined> => {
    const row = UUID.test(id) ? await users.findIdentity(id) : undefined;
    return row?.is_active ? { id: row.id, email: row.email, epoch: row.session_epoch, plan: row.plan } : undefined;
  };

  /**
   * Runs passport's local strategy and leaves the user in `res.locals.login` for the route to start a session;
   * a wrong email or password is a 401 with a message, never a redirect.
   */
  const login: RequestHandler = (req, res, next) => {
    auth.authenticate('local', { session: false }, (err: unknown, user: TokenSubject | false) => {
      if (err) return next(err);
      if (!user) return next(new HttpError(401, 'invalid_credentials', 'Email or password is wrong'));
      res.locals.login = user;
      next();
    })(req, res, next);
  };

  /** An API key that works (not revoked, its account still there and active), looked up by its hash on every request. */
  const authenticateKey = async (req: Request, key: string) => {
    const found = await apiKeys.findActive(hashApiKey(key));
    if (!found) return new HttpError(401, 'unauthorized', 'Invalid or revoked API key');
    req.user = { id: found.userId, email: found.email, plan: found.plan };
    req.apiKey = { id: found.id, name: found.name, scope: found.scope };
    // Not awaited, and at most once a minute per key: bookkeeping must not slow or fail the call.
    if (!found.lastUsedAt || Date.now() - new Date(found.lastUsedAt).getTime() >= LAST_USED_RESOLUTION_MS) {
      apiKeys
        .touch(found.id)
        .catch((err: Error) => console.error(`[auth] recording the use of API key ${found.id} failed: ${err.message}`));
    }
    return undefined;
  };

  /**
   * Accepts `Authorization: Bearer <token>` only (never a token in the URL, which logs and histories keep):
   * a login token or an API key (`cf_…`, limited by its scope: see requireScope), for an account that still
   * exists. A request a signed link already authenticated (`signedUrl`) passes.
   */
  const requireUser: RequestHandler = async (req, _res, next) => {
    if (req.user) return next();
    const header = req.get('authorization');
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) return next(new HttpError(401, 'unauthorized', 'Missing bearer token (Authorization: Bearer <token>)'));
    if (isApiKey(token)) return next(await authenticateKey(req, token));
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    } catch {
      return next(new HttpError(401, 'unauthorized', 'Invalid or expired token'));
    }
    const user = await existingUser(String(claims.sub));
    if (!user) return next(new HttpError(401, 'unauthorized', 'The account this token belongs to no longer exists or is inactive'));
    // A password change since the token was issued ends it at once, not when it expires.
    if (Number(claims.ep ?? 0) !== user.epoch)
      return next(new HttpError(401, 'unauthorized', 'This session has ended (the password was changed); log in again'));
    req.user = { id: user.id, email: user.email, plan: user.plan };
    next();
  };

  /**
   * For the GET content routes only: a signed link (`?uid&exp&sig`, see signedUrls.ts) stands in for the
   * Authorization header. Without `sig` the request goes on to requireUser.
   */
  const signedUrl: RequestHandler = async (req, _res, next) => {
    if (req.query.sig === undefined) return next();
    const verdict = signer.verify(req.originalUrl.split('?')[0], req.query);
    if ('problem' in verdict) return next(new HttpError(401, 'unauthorized', `This link ${verdict.problem}`));
    const user = await existingUser(verdict.userId);
    if (!user) return next(new HttpError(401, 'unauthorized', 'The account this link belongs to no longer exists or is inactive'));
    req.user = { id: user.id, email: user.email, plan: user.plan };
    next();
  };

  return { login, requireUser, signedUrl, signer, issueToken, existingUser };
}

export function publicUser(user: UserRow): User {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    plan: user.plan,
    totalGenerations: user.total_generations,
    monthlyGenerations: user.monthly_generations,
    fullName: user.full_name,
    active: user.is_active,
    lastLoginAt: user.last_login_at?.toISOString() ?? null,
  };
}
