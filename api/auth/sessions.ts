import crypto from 'node:crypto';
import type { Knex } from 'knex';
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

export async function createSession(
  db: Knex | Knex.Transaction,
  userId: number,
  ttlHours: number,
  meta: { ip?: string; userAgent?: string },
): Promise<{ token: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await db('sessions').insert({
    token_hash: hashToken(token),
    user_id: userId,
    expires_at: expiresAt,
    ip: meta.ip?.slice(0, 64) ?? null,
    user_agent: meta.userAgent?.slice(0, 255) ?? null,
  });
  return { token, expiresAt };
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: string;
  organisation_id: number;
  organisation_name: string;
  district_code: string | null;
  street_code: string | null;
  must_change_password: number | boolean;
}

export function toSessionUser(row: UserRow): SessionUser {
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

export function userWithOrganisation(db: Knex) {
  return db('users as u')
    .join('organisations as o', 'o.id', 'u.organisation_id')
    .select('u.id', 'u.username', 'u.display_name', 'u.role', 'u.organisation_id', 'o.name as organisation_name', 'o.district_code', 'o.street_code', 'u.must_change_password');
}

/** The signed-in user behind a cookie token, or null if the session is unknown, expired or the account was disabled. */
export async function resolveSession(db: Knex, token: string): Promise<SessionUser | null> {
  const row = (await userWithOrganisation(db)
    .join('sessions as s', 's.user_id', 'u.id')
    .where('s.token_hash', hashToken(token))
    .where('s.expires_at', '>', db.fn.now(3))
    .where('u.active', true)
    .first()) as UserRow | undefined;
  return row ? toSessionUser(row) : null;
}

export async function endSession(db: Knex, token: string): Promise<void> {
  await db('sessions').where('token_hash', hashToken(token)).delete();
}

export async function endAllSessions(db: Knex | Knex.Transaction, userId: number, exceptToken?: string): Promise<void> {
  const q = db('sessions').where('user_id', userId);
  if (exceptToken) q.whereNot('token_hash', hashToken(exceptToken));
  await q.delete();
}
