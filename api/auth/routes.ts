import type { Knex } from 'knex';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Config } from '../../lib/config';
import { decryptField, encryptField } from '../../lib/crypto/fields';
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from '../../lib/passwords';
import { TOTP_SECRET_PURPOSE, isTotpCode, newRecoveryCodes, newTotpSecret, otpauthUri, recoveryCodeHash, totpMatchingStep } from '../../lib/second-factor';
import { claimTotpStep, enableTotp, passwordHashOf, secondFactorState, sessionUserRow, setPassword, setPendingTotpSecret, signInAccount } from '../../db/accounts';
import { recentPasswordHashes, rememberPassword } from '../../db/password-history';
import { replaceRecoveryCodes, unusedRecoveryCodes, useRecoveryCode } from '../../db/recovery-codes';
import { purgeExpiredSessions } from '../../db/sessions';
import { recordFailedSignIn, recordSuccessfulSignIn } from '../../db/sign-in-attempts';
import { HttpError, badRequest, conflict, locked } from '../http/errors';
import type { Api } from '../http/route';
import { SESSION_COOKIE, createSession, endAllSessions, endSession, toSessionUser } from './sessions';

const LoginBody = z.object({
  username: z.string().trim().min(1, 'is required').max(64),
  password: z.string().min(1, 'is required').max(128),
  /** An administrator's second factor: the authenticator's 6-digit code, or one recovery code. */
  code: z.string().trim().max(32).optional(),
});

const CodeBody = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be the 6-digit code of the authenticator app'),
});

const PasswordBody = z.object({
  currentPassword: z.string().min(1, 'is required').max(128),
  newPassword: z.string().min(1, 'is required').max(128),
});

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'Wrong username or password');
const secondFactorRequired = () => new HttpError(401, 'second_factor_required', 'Enter the 6-digit code of your authenticator app, or a recovery code', [{ field: 'body.code', reason: 'is required' }]);
const invalidSecondFactor = (reason: string) => new HttpError(401, 'invalid_second_factor', 'The code is wrong, expired or already used', [{ field: 'body.code', reason }]);

export function registerAuthRoutes(api: Api, db: Knex, config: Config): void {
  const policy = { passwordMaxAgeDays: config.PASSWORD_MAX_AGE_DAYS, idleMinutes: config.SESSION_IDLE_MINUTES };
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
    summary: 'Sign in with username and password (and, for administrators, a TOTP or recovery code); sets an httpOnly session cookie',
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

      // An enrolled account (every administrator; anyone else who chose to) proves a second
      // factor; an administrator who has not enrolled yet gets a session that can only enrol
      // (api/auth/middleware.ts). A wrong code counts towards the lockout like a wrong password,
      // so the 10^6 codes cannot be tried through.
      let usedFactor: 'totp' | 'recovery_code' | null = null;
      if (account.totp_secret) {
        if (!body.code) return deny(secondFactorRequired(), 'second factor required', account.id);
        const failed = async (reason: string) => {
          const lockedUntil = await recordFailedSignIn(db, account.id, config.LOCKOUT_THRESHOLD, config.LOCKOUT_MINUTES);
          if (lockedUntil) return deny(locked(`Too many failed sign-ins; the account is locked until ${lockedUntil.toISOString()}`), `${reason}; account locked`, account.id);
          return deny(invalidSecondFactor(reason), reason, account.id);
        };
        if (isTotpCode(body.code)) {
          const step = totpMatchingStep(decryptField(TOTP_SECRET_PURPOSE, account.totp_secret), body.code.trim());
          if (step === null) return failed('wrong code');
          if (!(await claimTotpStep(db, account.id, step))) return failed('code already used');
          usedFactor = 'totp';
        } else {
          if (!(await useRecoveryCode(db, account.id, recoveryCodeHash(body.code)))) return failed('wrong or used recovery code');
          usedFactor = 'recovery_code';
        }
      }

      const session = await db.transaction(async (trx) => {
        if (!(await recordSuccessfulSignIn(trx, account.id))) return null;
        const s = await createSession(trx, account.id, config.SESSION_TTL_HOURS, { ip: req.ip, userAgent: req.get('user-agent') });
        const user = toSessionUser((await sessionUserRow(trx, account.id))!, policy);
        req.user = user;
        await audit(trx, { status: 200, targetType: 'user', targetId: account.id, ...(usedFactor ? { detail: { secondFactor: usedFactor } } : {}) });
        return { ...s, user };
      });
      if (!session) return deny(locked('Too many failed sign-ins; the account is locked'), 'right password while locked', account.id);
      res.cookie(SESSION_COOKIE, session.token, cookieOptions(session.expiresAt));
      // Each sign-in also clears one bounded batch of dead sessions (the API's timer does the rest).
      await purgeExpiredSessions(db, config.SESSION_IDLE_MINUTES, 100);
      const recoveryCodesLeft = usedFactor === 'recovery_code' ? await unusedRecoveryCodes(db, account.id) : undefined;
      return { user: session.user, expiresAt: session.expiresAt, ...(recoveryCodesLeft !== undefined ? { recoveryCodesLeft } : {}) };
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
      // No reuse of the last PASSWORD_HISTORY passwords: the current one and those before it.
      for (const old of await recentPasswordHashes(db, user.id, config.PASSWORD_HISTORY - 1)) {
        if (await verifyPassword(old, body.newPassword)) {
          const reason = `must not be one of your last ${config.PASSWORD_HISTORY} passwords`;
          throw badRequest(`The new password ${reason}`, [{ field: 'body.newPassword', reason }]);
        }
      }
      const hash = await hashPassword(body.newPassword);
      await db.transaction(async (trx) => {
        await rememberPassword(trx, user.id, currentHash, config.PASSWORD_HISTORY);
        await setPassword(trx, user.id, hash, true);
        await endAllSessions(trx, user.id, req.cookies?.[SESSION_COOKIE] as string | undefined);
        await audit(trx, { status: 204, targetType: 'user', targetId: user.id });
      });
      return undefined;
    },
  });

  api.add({
    method: 'post',
    path: '/api/auth/second-factor/setup',
    summary: 'Start enrolling an authenticator app: a new TOTP secret, as text and as a QR code',
    tags: ['auth'],
    action: 'auth.second_factor_setup',
    access: 'signed-in',
    handler: async ({ user, audit }) => {
      const state = await secondFactorState(db, user.id);
      if (state?.totp_enabled_at) throw conflict('A second factor is already enrolled; the security administrator resets it', [{ field: 'user', reason: 'already enrolled' }]);
      const secret = newTotpSecret();
      const uri = otpauthUri(secret, user.username);
      await setPendingTotpSecret(db, user.id, encryptField(TOTP_SECRET_PURPOSE, secret));
      await audit(db, { status: 200, targetType: 'user', targetId: user.id });
      return { secret, uri, qr: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/auth/second-factor/confirm',
    summary: 'Finish enrolling with the first code of the app; answers the 10 recovery codes, shown once',
    tags: ['auth'],
    action: 'auth.second_factor_enrol',
    access: 'signed-in',
    body: CodeBody,
    handler: async ({ body, user, audit }) => {
      const state = await secondFactorState(db, user.id);
      if (state?.totp_enabled_at) throw conflict('A second factor is already enrolled', [{ field: 'user', reason: 'already enrolled' }]);
      if (!state?.totp_pending_secret) throw conflict('Start the enrolment first', [{ field: 'body.code', reason: 'no enrolment in progress' }]);
      const step = totpMatchingStep(decryptField(TOTP_SECRET_PURPOSE, state.totp_pending_secret), body.code);
      // 422: the request is well formed, the code just is not the app's (400 is for malformed input).
      if (step === null) throw new HttpError(422, 'code_mismatch', 'The code does not match the new secret', [{ field: 'body.code', reason: 'does not match' }]);
      const codes = newRecoveryCodes();
      await db.transaction(async (trx) => {
        if (!(await enableTotp(trx, user.id, state.totp_pending_secret!, step))) throw conflict('The enrolment changed meanwhile; start again', [{ field: 'body.code', reason: 'enrolment changed' }]);
        await replaceRecoveryCodes(
          trx,
          user.id,
          codes.map((c) => recoveryCodeHash(c)),
        );
        await audit(trx, { status: 200, targetType: 'user', targetId: user.id });
      });
      return { recoveryCodes: codes };
    },
  });
}
