import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { HttpError } from '../http/errors';
import { DEFAULT_SESSION_POLICY, SESSION_COOKIE, resolveSession, type SessionPolicy } from './sessions';

/** Attaches `req.user` when the request carries a valid session cookie; routes decide whether they need one. */
export function authenticate(db: Knex, policy: SessionPolicy = DEFAULT_SESSION_POLICY) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const token = req.cookies?.[SESSION_COOKIE] as string | undefined;
      if (token) {
        const user = await resolveSession(db, token, policy);
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
/** What an administrator without a second factor may still do: the same, and enrol one. */
const ALLOWED_BEFORE_ENROLMENT = new Set([...ALLOWED_BEFORE_PASSWORD_CHANGE, 'POST /api/auth/second-factor/setup', 'POST /api/auth/second-factor/confirm']);

/**
 * The two gates of a session: a password someone else chose (or an expired one) must be changed
 * first; then an administrator must enrol a second factor before doing anything else.
 */
export function requirePasswordChange() {
  return (req: Request, _res: Response, next: NextFunction) => {
    const route = `${req.method} ${req.baseUrl}${req.path}`;
    if (req.user?.mustChangePassword && !ALLOWED_BEFORE_PASSWORD_CHANGE.has(route)) {
      const why = req.user.passwordChangeReason === 'expired' ? 'it has expired' : 'it was set by someone else';
      next(new HttpError(403, 'password_change_required', `Change your password first: ${why}`));
      return;
    }
    if (req.user?.secondFactorRequired && !req.user.secondFactorEnrolled && !ALLOWED_BEFORE_ENROLMENT.has(route)) {
      next(new HttpError(403, 'second_factor_enrolment_required', 'Administrators sign in with a second factor: enrol an authenticator app first'));
      return;
    }
    next();
  };
}
