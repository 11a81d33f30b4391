import type { Knex } from 'knex';
import { z } from 'zod';
import type { Config } from '../../lib/config';
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from '../../lib/passwords';
import { passwordHashOf, sessionUserRow, setPassword, signInAccount } from '../../db/accounts';
import { recordFailedSignIn, recordSuccessfulSignIn } from '../../db/sign-in-attempts';
import { HttpError, badRequest, locked } from '../http/errors';
import type { Api } from '../http/route';
import { SESSION_COOKIE, createSession, endAllSessions, endSession, toSessionUser } from './sessions';

const LoginBody = z.object({
  username: z.string().trim().min(1, 'is required').max(64),
  password: z.string().min(1, 'is required').max(128),
});

const PasswordBody = z.object({
  currentPassword: z.string().min(1, 'is required').max(128),
  newPassword: z.string().min(1, 'is required').max(128),
});

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'Wrong username or password');

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
      const account = await signInAccount(db, body.username);
      const deny = async (error: HttpError, reason: string, userId?: number) => {
        await audit(db, { status: error.status, result: 'denied', username: body.username, targetType: 'user', targetId: userId ?? null, detail: { reason } });
        throw error;
      };
      if (!account || !account.active) {
        // The same slow hash as a real check, so the answer's timing does not tell which names exist.
        await verifyAgainstDummy(body.password);
        return deny(invalidCredentials(), account ? 'account disabled' : 'unknown user');
      }
      if (account.locked_until && account.locked_until > new Date()) {
        return deny(locked(`Account locked after repeated failed sign-ins; try again after ${account.locked_until.toISOString()}`), 'locked', account.id);
      }

      // Hash verification is deliberately slow, so many guesses can be in flight at once. Each
      // outcome is therefore settled by one atomic statement that never clears a lock it did not
      // set, and a success checks the lock again after the verification.
      const ok = await verifyPassword(account.password_hash, body.password);
      if (!ok) {
        const lockedUntil = await recordFailedSignIn(db, account.id, config.LOCKOUT_THRESHOLD, config.LOCKOUT_MINUTES);
        if (lockedUntil) {
          return deny(locked(`Too many failed sign-ins; the account is locked until ${lockedUntil.toISOString()}`), 'wrong password; account locked', account.id);
        }
        return deny(invalidCredentials(), 'wrong password', account.id);
      }

      const session = await db.transaction(async (trx) => {
        if (!(await recordSuccessfulSignIn(trx, account.id))) return null;
        const s = await createSession(trx, account.id, config.SESSION_TTL_HOURS, { ip: req.ip, userAgent: req.get('user-agent') });
        const user = toSessionUser((await sessionUserRow(trx, account.id))!);
        req.user = user;
        await audit(trx, { status: 200, targetType: 'user', targetId: account.id });
        return { ...s, user };
      });
      if (!session) return deny(locked('Too many failed sign-ins; the account is locked'), 'right password while locked', account.id);
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
      const currentHash = await passwordHashOf(db, user.id);
      if (!currentHash || !(await verifyPassword(currentHash, body.currentPassword))) {
        throw badRequest('The current password is wrong', [{ field: 'body.currentPassword', reason: 'does not match' }]);
      }
      const problem = passwordProblem(body.newPassword, [user.username, user.displayName]);
      if (problem) throw badRequest(`The new password ${problem}`, [{ field: 'body.newPassword', reason: problem }]);
      if (body.currentPassword === body.newPassword) {
        throw badRequest('The new password must differ from the current one', [{ field: 'body.newPassword', reason: 'same as current' }]);
      }
      const hash = await hashPassword(body.newPassword);
      await db.transaction(async (trx) => {
        await setPassword(trx, user.id, hash, true);
        await endAllSessions(trx, user.id, req.cookies?.[SESSION_COOKIE] as string | undefined);
        await audit(trx, { status: 204, targetType: 'user', targetId: user.id });
      });
      return undefined;
    },
  });
}
