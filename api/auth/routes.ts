import type { Knex } from 'knex';
import { z } from 'zod';
import type { Config } from '../../lib/config';
import { hashPassword, passwordProblem, verifyPassword } from '../../lib/passwords';
import { HttpError, badRequest, locked } from '../http/errors';
import type { Api } from '../http/route';
import { SESSION_COOKIE, createSession, endAllSessions, endSession, toSessionUser, userWithOrganisation } from './sessions';

const LoginBody = z.object({
  username: z.string().trim().min(1, 'is required').max(64),
  password: z.string().min(1, 'is required').max(128),
});

const PasswordBody = z.object({
  currentPassword: z.string().min(1, 'is required').max(128),
  newPassword: z.string().max(128).superRefine((v, ctx) => {
    const problem = passwordProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'Wrong username or password');

interface LoginRow {
  id: number;
  password_hash: string;
  active: number;
  failed_attempts: number;
  locked_until: Date | null;
}

export function registerAuthRoutes(api: Api, db: Knex, config: Config): void {
  const cookieOptions = (expires?: Date) => ({
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.COOKIE_SECURE,
    path: '/',
    ...(expires ? { expires } : {}),
  });

  api.add({
    method: 'post',
    path: '/api/auth/login',
    summary: 'Sign in with username and password; sets an httpOnly session cookie',
    tags: ['auth'],
    action: 'auth.login',
    access: 'public',
    body: LoginBody,
    handler: async ({ body, req, res, audit }) => {
      const account = (await db('users')
        .select('id', 'password_hash', 'active', 'failed_attempts', 'locked_until')
        .where('username', body.username)
        .first()) as LoginRow | undefined;
      const deny = async (error: HttpError, reason: string, userId?: number) => {
        await audit(db, { status: error.status, result: 'denied', username: body.username, targetType: 'user', targetId: userId ?? null, detail: { reason } });
        throw error;
      };
      if (!account || !account.active) return deny(invalidCredentials(), account ? 'account disabled' : 'unknown user');
      if (account.locked_until && account.locked_until > new Date()) {
        return deny(locked(`Account locked after repeated failed sign-ins; try again after ${account.locked_until.toISOString()}`), 'locked', account.id);
      }

      // Hash verification happens outside any lock (it is deliberately slow); the counter
      // update then takes the row lock so concurrent wrong guesses are all counted.
      const ok = await verifyPassword(account.password_hash, body.password);
      if (!ok) {
        const lockedUntil = await db.transaction(async (trx) => {
          const row = (await trx('users').select('failed_attempts', 'locked_until').where('id', account.id).forUpdate().first()) as LoginRow;
          const lockExpired = row.locked_until !== null && row.locked_until <= new Date();
          const attempts = (lockExpired ? 0 : row.failed_attempts) + 1;
          const lockNow = attempts >= config.LOCKOUT_THRESHOLD;
          const until = lockNow ? new Date(Date.now() + config.LOCKOUT_MINUTES * 60_000) : null;
          await trx('users').where('id', account.id).update({ failed_attempts: lockNow ? 0 : attempts, locked_until: until });
          return until;
        });
        if (lockedUntil) {
          return deny(locked(`Too many failed sign-ins; the account is locked until ${lockedUntil.toISOString()}`), 'wrong password; account locked', account.id);
        }
        return deny(invalidCredentials(), 'wrong password', account.id);
      }

      const session = await db.transaction(async (trx) => {
        await trx('users').where('id', account.id).update({ failed_attempts: 0, locked_until: null, last_login_at: new Date() });
        const s = await createSession(trx, account.id, config.SESSION_TTL_HOURS, { ip: req.ip, userAgent: req.get('user-agent') });
        const user = toSessionUser(await userWithOrganisation(trx as unknown as Knex).where('u.id', account.id).first());
        req.user = user;
        await audit(trx, { status: 200, targetType: 'user', targetId: account.id });
        return { ...s, user };
      });
      res.cookie(SESSION_COOKIE, session.token, cookieOptions(session.expiresAt));
      return { user: session.user, expiresAt: session.expiresAt };
    },
  });

  api.add({
    method: 'post',
    path: '/api/auth/logout',
    summary: 'Sign out: ends this session and clears the cookie',
    tags: ['auth'],
    action: 'auth.logout',
    access: 'signed-in',
    handler: async ({ req, res, user, audit }) => {
      const token = req.cookies?.[SESSION_COOKIE] as string | undefined;
      if (token) await endSession(db, token);
      await audit(db, { status: 204, targetType: 'user', targetId: user.id });
      res.clearCookie(SESSION_COOKIE, cookieOptions());
      return undefined;
    },
  });

  api.add({
    method: 'get',
    path: '/api/auth/me',
    summary: 'The signed-in user, with role, organisation, scope and permissions',
    tags: ['auth'],
    access: 'signed-in',
    auditDenied: false,
    handler: async ({ user }) => user,
  });

  api.add({
    method: 'post',
    path: '/api/auth/password',
    summary: 'Change one’s own password; other sessions of the account end',
    tags: ['auth'],
    action: 'auth.password',
    access: 'signed-in',
    body: PasswordBody,
    handler: async ({ body, user, req, audit }) => {
      const row = (await db('users').select('password_hash').where('id', user.id).first()) as { password_hash: string };
      if (!(await verifyPassword(row.password_hash, body.currentPassword))) {
        throw badRequest('The current password is wrong', [{ field: 'body.currentPassword', reason: 'does not match' }]);
      }
      if (body.currentPassword === body.newPassword) {
        throw badRequest('The new password must differ from the current one', [{ field: 'body.newPassword', reason: 'same as current' }]);
      }
      const hash = await hashPassword(body.newPassword);
      await db.transaction(async (trx) => {
        await trx('users').where('id', user.id).update({ password_hash: hash, password_changed_at: new Date(), updated_at: new Date() });
        await endAllSessions(trx, user.id, req.cookies?.[SESSION_COOKIE] as string | undefined);
        await audit(trx, { status: 204, targetType: 'user', targetId: user.id });
      });
      return undefined;
    },
  });
}
