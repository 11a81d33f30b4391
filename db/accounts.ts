import type { Knex } from 'knex';
import type { Role, Scope } from '../lib/roles';
import { pageOf, type Page, type PageParams } from './paging';
import { whereInScope } from './scope';
import { containsPattern } from './search';

/**
 * User accounts (`users`): the administrators' list and forms, sign-in lookups and the row a
 * session resolves to. The lockout counter's atomic statements live in db/sign-in-attempts.ts;
 * sessions in db/sessions.ts.
 */
type Db = Knex | Knex.Transaction;

/** What the users list and form show: never the password hash or the lockout counter. */
const FIELDS = ['u.id', 'u.username', 'u.display_name', 'u.phone', 'u.role', 'u.organisation_id', 'o.name as organisation_name', 'o.district_code', 'u.active', 'u.locked_until', 'u.last_login_at', 'u.created_at', 'u.updated_at'];
/** A user is placed by their organisation: its district and street decide who may administer them. */
const SCOPE = { organisationId: 'u.organisation_id', districtCode: 'o.district_code', streetCode: 'o.street_code' };

export const USER_SORTABLE = ['id', 'username', 'display_name', 'role', 'organisation_id', 'last_login_at', 'created_at'] as const;
const COLUMNS = Object.fromEntries(USER_SORTABLE.map((c) => [c, `u.${c}`]));

export type UserRow = Record<string, unknown> & { id: number; role: string; organisation_id: number };

export interface UserFilter {
  q?: string;
  role?: string;
  organisation_id?: number;
  locked?: boolean;
  id?: number[];
}

export interface AccountFields {
  display_name: string;
  phone: string | null;
  role: Role;
  organisation_id: number;
  active: boolean;
}

/**
 * A LEFT join although every user has an organisation (NOT NULL, foreign key): an inner join
 * lets the optimiser start from the smaller organisations table and sort every joined row,
 * while a left join keeps users the driving table, so a page reads its sort index in order.
 */
const withOrganisation = (db: Db) => db('users as u').leftJoin('organisations as o', 'o.id', 'u.organisation_id').select(FIELDS);

/** One page of the accounts a scope may administer; every sort column has its index (migration 088). */
export async function listUsers(db: Knex, scope: Scope, params: PageParams & { filter: UserFilter }): Promise<Page<UserRow>> {
  const q = whereInScope(withOrganisation(db), scope, SCOPE);
  const f = params.filter;
  if (f.q) {
    const pattern = containsPattern(f.q);
    q.where((w) => w.where('u.username', 'like', pattern).orWhere('u.display_name', 'like', pattern));
  }
  if (f.role) q.where('u.role', f.role);
  if (f.organisation_id) q.where('u.organisation_id', f.organisation_id);
  if (f.locked === true) q.where('u.locked_until', '>', db.fn.now(3));
  if (f.id) q.whereIn('u.id', f.id);
  return pageOf<UserRow>(q, params, COLUMNS, 'u.id');
}

/** One account as the list shows it, if the scope reaches it (city scope: any). */
export async function findUser(db: Db, scope: Scope, id: number, opts: { forUpdate?: boolean } = {}): Promise<UserRow | undefined> {
  const q = whereInScope(withOrganisation(db), scope, SCOPE).where('u.id', id);
  if (opts.forUpdate) q.forUpdate();
  return (await q.first()) as UserRow | undefined;
}

export async function usernameTaken(db: Db, username: string): Promise<boolean> {
  return Boolean(await db('users').where('username', username).first('id'));
}

export async function insertUser(trx: Knex.Transaction, fields: AccountFields & { username: string }, passwordHash: string): Promise<number> {
  // A password someone else chose is changed by its owner at the first sign-in.
  const [id] = await trx('users').insert({ ...fields, password_hash: passwordHash, must_change_password: true });
  return Number(id);
}

export async function updateUser(trx: Knex.Transaction, id: number, fields: AccountFields): Promise<void> {
  await trx('users')
    .where('id', id)
    .update({ ...fields, updated_at: new Date() });
}

/**
 * The username of an active administrator, locking what it read: setting up the first
 * administrator refuses when one exists, and two set-ups at once cannot both pass.
 */
export async function activeAdministrator(trx: Knex.Transaction): Promise<string | undefined> {
  const row = (await trx('users').where({ role: 'sysadmin', active: true }).forUpdate().first('username')) as { username: string } | undefined;
  return row?.username;
}

/** Lifts a sign-in lock before it runs out; false when there is no such account. */
export async function unlockUser(trx: Knex.Transaction, id: number): Promise<boolean> {
  return (await trx('users').where('id', id).update({ failed_attempts: 0, locked_until: null })) > 0;
}

/** The names a password may not be built from (lib/password-policy.ts). */
export async function accountNames(db: Db, id: number): Promise<{ username: string; display_name: string } | undefined> {
  return (await db('users').where('id', id).first('username', 'display_name')) as { username: string; display_name: string } | undefined;
}

/**
 * A new password: set by an administrator (`setByOwner: false`, which also lifts a lock and makes
 * the owner choose their own at the next sign-in) or by the owner. False when there is no such account.
 */
export async function setPassword(trx: Knex.Transaction, id: number, passwordHash: string, setByOwner: boolean): Promise<boolean> {
  const now = new Date();
  const changed = await trx('users')
    .where('id', id)
    .update(
      setByOwner
        ? { password_hash: passwordHash, password_changed_at: now, updated_at: now, must_change_password: false }
        : { password_hash: passwordHash, password_changed_at: now, failed_attempts: 0, locked_until: null, must_change_password: true },
    );
  return changed > 0;
}

export interface SignInAccount {
  id: number;
  password_hash: string;
  active: number;
  failed_attempts: number;
  locked_until: Date | null;
}

/** What a sign-in checks before and after verifying the password (by the unique username). */
export async function signInAccount(db: Db, username: string): Promise<SignInAccount | undefined> {
  return (await db('users').select('id', 'password_hash', 'active', 'failed_attempts', 'locked_until').where('username', username).first()) as SignInAccount | undefined;
}

export async function passwordHashOf(db: Db, id: number): Promise<string | undefined> {
  const row = (await db('users').select('password_hash').where('id', id).first()) as { password_hash: string } | undefined;
  return row?.password_hash;
}

/** The columns a signed-in caller is built from (api/auth/sessions.ts `toSessionUser`). */
export interface SessionUserRow {
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

export const SESSION_USER_FIELDS = ['u.id', 'u.username', 'u.display_name', 'u.role', 'u.organisation_id', 'o.name as organisation_name', 'o.district_code', 'o.street_code', 'u.must_change_password'];

export async function sessionUserRow(db: Db, id: number): Promise<SessionUserRow | undefined> {
  return (await db('users as u').join('organisations as o', 'o.id', 'u.organisation_id').where('u.id', id).first(SESSION_USER_FIELDS)) as SessionUserRow | undefined;
}

/** An active user as a case command names them (delegate to, add signer …), with where they work. */
export interface ActiveUserRef {
  id: number;
  username: string;
  display_name: string;
  role: string;
  organisation_id: number;
  district_code: string | null;
  street_code: string | null;
}

export async function activeUserRef(db: Db, id: number): Promise<ActiveUserRef | undefined> {
  return (await db('users as u')
    .join('organisations as o', 'o.id', 'u.organisation_id')
    .where({ 'u.id': id, 'u.active': true })
    .first('u.id', 'u.username', 'u.display_name', 'u.role', 'u.organisation_id', 'o.district_code', 'o.street_code')) as ActiveUserRef | undefined;
}

/** Ids of the active accounts among these usernames (a workflow names people by username). */
export async function activeUserIdsByUsername(db: Db, usernames: string[]): Promise<Map<string, number>> {
  if (!usernames.length) return new Map();
  const rows = (await db('users').whereIn('username', usernames).where('active', true).select('id', 'username')) as Array<{ id: number; username: string }>;
  return new Map(rows.map((u) => [u.username, u.id]));
}

/** Mobile numbers of these accounts, for texting them (null where none is recorded). */
export async function userPhones(db: Db, ids: number[]): Promise<Array<{ id: number; phone: string | null }>> {
  if (!ids.length) return [];
  return (await db('users').whereIn('id', ids).orderBy('id').select('id', 'phone')) as Array<{ id: number; phone: string | null }>;
}

/**
 * Up to `limit` active accounts of a role within a candidate row's scope (district, street,
 * organisation; null = anywhere): the people an SMS about an unclaimed task reaches.
 */
export async function activeMembersOfRole(db: Db, role: Role, scope: { district_code: string | null; street_code: string | null; organisation_id: number | null }, limit: number): Promise<number[]> {
  const q = db('users as u').join('organisations as o', 'o.id', 'u.organisation_id').where('u.role', role).where('u.active', true);
  if (scope.district_code) q.where('o.district_code', scope.district_code);
  if (scope.street_code) q.where('o.street_code', scope.street_code);
  if (scope.organisation_id) q.where('u.organisation_id', scope.organisation_id);
  return (await q.orderBy('u.id').limit(limit).pluck('u.id')) as number[];
}

/** One account's mobile number (null when none is recorded or the account is unknown). */
export async function userPhone(db: Db, id: number): Promise<string | null> {
  const row = (await db('users').where('id', id).first('phone')) as { phone: string | null } | undefined;
  return row?.phone ?? null;
}

/** Active users of an organisation (an enterprise's or committee's own accounts), optionally of some roles. */
export async function organisationUserIds(db: Db, organisationId: number, roles: string[] = []): Promise<number[]> {
  const q = db('users').where({ organisation_id: organisationId, active: true });
  if (roles.length) q.whereIn('role', roles);
  return (await q.orderBy('id').pluck('id')) as number[];
}
