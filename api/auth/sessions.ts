import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { SessionUserRow } from '../../db/accounts';
import { deleteSession, deleteUserSessions, insertSession, liveSessionUser } from '../../db/sessions';
import { isRole, permissionsOf, scopeOf, type Permission, type Role, type Scope } from '../../lib/roles';

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
  /** The password was set by someone else (first administrator, a reset): nothing but changing it is allowed. */
  mustChangePassword: boolean;
}

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

export function toSessionUser(row: SessionUserRow): SessionUser {
  if (!isRole(row.role)) throw new Error(`User ${row.id} has an unknown role ${row.role}`);
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
    mustChangePassword: Boolean(row.must_change_password),
  };
}

/** The signed-in user behind a cookie token, or null if the session is unknown, expired or the account was disabled. */
export async function resolveSession(db: Knex, token: string): Promise<SessionUser | null> {
  const row = await liveSessionUser(db, hashToken(token));
  return row ? toSessionUser(row) : null;
}

export async function endSession(db: Knex, token: string): Promise<void> {
  await deleteSession(db, hashToken(token));
}

export async function endAllSessions(db: Knex | Knex.Transaction, userId: number, exceptToken?: string): Promise<void> {
  await deleteUserSessions(db, userId, exceptToken ? hashToken(exceptToken) : undefined);
}
