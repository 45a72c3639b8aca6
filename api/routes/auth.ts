import argon2 from 'argon2';
import { Router } from 'express';
import { hashPassword, publicUser, type createAuth, type TokenSubject } from '../auth';
import { ChangePasswordBody, LoginBody, ProfilePatch, RefreshBody, RegisterBody } from '../contract';
import { handler, HttpError, notFound, parse } from '../http';
import type { UserRepository } from '../repositories/users';
import { requireScope } from '../scopes';
import type { SessionService } from '../services/sessions';

export function authRoutes(users: UserRepository, auth: ReturnType<typeof createAuth>, sessions: SessionService): Router {
  const router = Router();
  /** An access token and the first refresh token of a new session. */
  const startSession = async (user: TokenSubject) => ({ token: auth.issueToken(user), refreshToken: await sessions.start(user.id) });

  router.post(
    '/register',
    requireScope('public'),
    handler(async (req, res) => {
      const body = parse(RegisterBody, req.body);
      const user = await users.create({ email: body.email, username: body.username, passwordHash: await hashPassword(body.password) });
      if (!user) throw new HttpError(409, 'email_taken', 'email: an account with this email already exists');
      res
        .status(201)
        .json({ user: publicUser(user), ...(await startSession({ id: user.id, email: user.email, epoch: user.session_epoch })) });
    }),
  );

  router.post(
    '/login',
    requireScope('public'),
    handler((req, _res, next) => {
      parse(LoginBody, req.body);
      next();
    }),
    auth.login,
    handler(async (_req, res) => {
      const user = res.locals.login as TokenSubject;
      res.json({ ...(await startSession(user)), user: { id: user.id, email: user.email } });
    }),
  );

  /** Spends the refresh token for a new pair; a spent one coming back signs its whole session out (401). */
  router.post(
    '/refresh',
    requireScope('public'),
    handler(async (req, res) => {
      const { refreshToken } = parse(RefreshBody, req.body);
      const next = await sessions.rotate(refreshToken);
      const user = await auth.existingUser(next.userId);
      if (!user) {
        await sessions.endAll(next.userId);
        throw new HttpError(401, 'invalid_refresh_token', 'refreshToken: the account no longer exists or is inactive');
      }
      res.json({ token: auth.issueToken(user), refreshToken: next.refreshToken });
    }),
  );

  /** Ends the session the refresh token belongs to. The access token in hand lapses on its own within minutes. */
  router.post(
    '/logout',
    requireScope('public'),
    handler(async (req, res) => {
      await sessions.end(parse(RefreshBody, req.body).refreshToken);
      res.status(204).end();
    }),
  );

  router.get(
    '/me',
    auth.requireUser,
    requireScope('read'),
    handler(async (req, res) => {
      const user = await users.findById(req.user!.id);
      if (!user) throw notFound('User');
      res.json({ user: publicUser(user) });
    }),
  );

  router.patch(
    '/me',
    auth.requireUser,
    requireScope('admin'),
    handler(async (req, res) => {
      const user = await users.updateProfile(req.user!.id, parse(ProfilePatch, req.body));
      if (!user) throw notFound('User');
      res.json({ user: publicUser(user) });
    }),
  );

  /** Every session of the account ends (refresh tokens revoked, access tokens refused); the caller gets a new one. */
  router.post(
    '/password',
    auth.requireUser,
    requireScope('session'),
    handler(async (req, res) => {
      const body = parse(ChangePasswordBody, req.body);
      const current = await users.findById(req.user!.id);
      if (!current) throw notFound('User');
      if (!(await argon2.verify(current.password_hash, body.currentPassword))) {
        throw new HttpError(403, 'invalid_credentials', 'currentPassword: the current password is wrong');
      }
      const user = await users.setPassword(current.id, await hashPassword(body.newPassword));
      if (!user) throw notFound('User');
      await sessions.endAll(user.id);
      res.json(await startSession({ id: user.id, email: user.email, epoch: user.session_epoch }));
    }),
  );

  return router;
}
