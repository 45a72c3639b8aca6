import { Router } from 'express';
import { hashPassword, publicUser, type createAuth } from '../auth';
import { RegisterBody, LoginBody } from '../contract';
import { handler, HttpError, notFound, parse } from '../http';
import type { UserRepository } from '../repositories/users';
import { requireScope } from '../scopes';

export function authRoutes(users: UserRepository, auth: ReturnType<typeof createAuth>): Router {
  const router = Router();

  router.post(
    '/register',
    requireScope('public'),
    handler(async (req, res) => {
      const body = parse(RegisterBody, req.body);
      const user = await users.create({ email: body.email, username: body.username, passwordHash: await hashPassword(body.password) });
      if (!user) throw new HttpError(409, 'email_taken', 'email: an account with this email already exists');
      res.status(201).json({ user: publicUser(user), token: auth.issueToken(user) });
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

  return router;
}
