import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { HttpError } from '../http/errors';
import { SESSION_COOKIE, resolveSession } from './sessions';

/** Attaches `req.user` when the request carries a valid session cookie; routes decide whether they need one. */
export function authenticate(db: Knex) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const token = req.cookies?.[SESSION_COOKIE] as string | undefined;
      if (token) {
        const user = await resolveSession(db, token);
        if (user) req.user = user;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** What a user whose password must be changed may still do: see who they are, change it, sign out. */
const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set(['GET /api/auth/me', 'POST /api/auth/password', 'POST /api/auth/logout']);

export function requirePasswordChange() {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.user?.mustChangePassword && !ALLOWED_BEFORE_PASSWORD_CHANGE.has(`${req.method} ${req.baseUrl}${req.path}`)) {
      next(new HttpError(403, 'password_change_required', 'Change your password first: it was set by someone else'));
      return;
    }
    next();
  };
}
