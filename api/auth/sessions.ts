import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { SessionUserRow } from '../../db/accounts';
import type { Logger } from 'pino';
import { deleteSession, deleteUserSessions, insertSession, liveSessionUser, purgeExpiredSessions, touchSession } from '../../db/sessions';
import { isAdminRole, isRole, permissionsOf, scopeOf, type Permission, type Role, type Scope } from '../../lib/roles';

/** Who is calling, as every handler sees it. */
export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  organisationId: number;
  organisationName: string;
  districtCode: string | null;
  streetCode: string | null;
  scope: Scope;
  permissions: Permission[];
  /** The password was set by someone else (first administrator, a reset) or has expired: nothing but changing it is allowed. */
  mustChangePassword: boolean;
  /** Why: `set_by_other` or `expired` (PASSWORD_MAX_AGE_DAYS); null when no change is due. */
  passwordChangeReason: 'set_by_other' | 'expired' | null;
  /** The three administrator roles sign in with a second factor (TOTP). */
  secondFactorRequired: boolean;
  secondFactorEnrolled: boolean;
}

/** What decides the gates of a session (lib/config.ts). */
export interface SessionPolicy {
  passwordMaxAgeDays: number;
  idleMinutes: number;
}
export const DEFAULT_SESSION_POLICY: SessionPolicy = { passwordMaxAgeDays: 90, idleMinutes: 20 };

declare module 'express-serve-static-core' {
  interface Request {
    user?: SessionUser;
  }
}

export const SESSION_COOKIE = 'psp_session';

const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export async function createSession(db: Knex | Knex.Transaction, userId: number, ttlHours: number, meta: { ip?: string; userAgent?: string }): Promise<{ token: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await insertSession(db, { tokenHash: hashToken(token), userId, expiresAt, ip: meta.ip?.slice(0, 64) ?? null, userAgent: meta.userAgent?.slice(0, 255) ?? null });
  return { token, expiresAt };
}

export function toSessionUser(row: SessionUserRow, policy: Pick<SessionPolicy, 'passwordMaxAgeDays'> = DEFAULT_SESSION_POLICY): SessionUser {
  if (!isRole(row.role)) throw new Error(`User ${row.id} has an unknown role ${row.role}`);
  // An account whose password was never changed counts from its creation (the demo seed's).
  const passwordSetAt = new Date(row.password_changed_at ?? row.created_at).getTime();
  const expired = Date.now() - passwordSetAt > policy.passwordMaxAgeDays * 86_400_000;
  const reason = row.must_change_password ? 'set_by_other' : expired ? 'expired' : null;
  const subject = { role: row.role, organisationId: row.organisation_id, districtCode: row.district_code, streetCode: row.street_code };
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    districtCode: row.district_code,
    streetCode: row.street_code,
    scope: scopeOf(subject),
    permissions: permissionsOf(row.role),
    mustChangePassword: reason !== null,
    passwordChangeReason: reason,
    secondFactorRequired: isAdminRole(row.role),
    secondFactorEnrolled: row.totp_enabled_at !== null,
  };
}

/** The signed-in user behind a cookie token, or null if the session is unknown, expired or the account was disabled. */
export async function resolveSession(db: Knex, token: string, policy: SessionPolicy = DEFAULT_SESSION_POLICY): Promise<SessionUser | null> {
  const tokenHash = hashToken(token);
  const row = await liveSessionUser(db, tokenHash, policy.idleMinutes);
  if (!row) return null;
  await touchSession(db, tokenHash);
  return toSessionUser(row, policy);
}

/**
 * Deletes expired and idle sessions in bounded batches (db/sessions.ts), every `everyMs` in the
 * API process; sign-in purges one batch too. Returns the timer's stop function.
 */
export function startSessionPurge(db: Knex, idleMinutes: number, log: Logger, everyMs = 5 * 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      try {
        // Up to 20 batches a round: a backlog clears over a few rounds, never in one long burst.
        for (let i = 0; i < 20 && (await purgeExpiredSessions(db, idleMinutes)) >= 500; i++);
      } catch (err) {
        log.warn({ err }, 'could not purge expired sessions');
      } finally {
        running = false;
      }
    })();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function endSession(db: Knex, token: string): Promise<void> {
  await deleteSession(db, hashToken(token));
}

export async function endAllSessions(db: Knex | Knex.Transaction, userId: number, exceptToken?: string): Promise<void> {
  await deleteUserSessions(db, userId, exceptToken ? hashToken(exceptToken) : undefined);
}
