import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { RequestHandler } from 'express';
import type { Config } from '../infra/config';
import { loadSecret } from '../infra/secrets';
import { HttpError } from './http';
import type { UserRepository, UserRow } from './repositories/users';
import type { User } from './schemas';

export interface AuthUser {
  id: string;
  email: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User extends AuthUser {}
  }
}

/** JWT_SECRET, or a random secret kept under data/ so tokens survive a restart of the embedded install. */
export function loadTokenSecret(config: Config): string {
  return loadSecret(config, config.jwtSecret, 'token-secret');
}

export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id });

export function createAuth(users: UserRepository, secret: string) {
  const auth = new passport.Passport();
  auth.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', session: false }, (email, password, done) => {
      users
        .findByEmail(email)
        .then(async (user) => {
          if (!user || !(await argon2.verify(user.password_hash, password))) return done(null, false);
          done(null, { id: user.id, email: user.email });
        })
        .catch(done);
    }),
  );

  const issueToken = (user: AuthUser) => jwt.sign({ email: user.email }, secret, { subject: user.id, expiresIn: '30d', algorithm: 'HS256' });

  /** Runs passport's local strategy; a wrong email or password is a 401 with a message, never a redirect. */
  const login: RequestHandler = (req, res, next) => {
    auth.authenticate('local', { session: false }, (err: unknown, user: AuthUser | false) => {
      if (err) return next(err);
      if (!user) return next(new HttpError(401, 'invalid_credentials', 'Email or password is wrong'));
      res.json({ token: issueToken(user), user: { id: user.id, email: user.email } });
    })(req, res, next);
  };

  /** Accepts `Authorization: Bearer <token>`; media links may carry it as `?access_token=`. */
  const requireUser: RequestHandler = (req, _res, next) => {
    const header = req.get('authorization');
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : typeof req.query.access_token === 'string' ? req.query.access_token : undefined;
    if (!token) return next(new HttpError(401, 'unauthorized', 'Missing bearer token (Authorization: Bearer <token>)'));
    try {
      const claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      req.user = { id: String(claims.sub), email: String(claims.email) };
      next();
    } catch {
      next(new HttpError(401, 'unauthorized', 'Invalid or expired token'));
    }
  };

  return { login, requireUser, issueToken };
}

export function publicUser(user: UserRow): User {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    plan: user.plan,
    totalGenerations: user.total_generations,
    monthlyGenerations: user.monthly_generations,
  };
}
