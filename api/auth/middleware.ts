import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
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
