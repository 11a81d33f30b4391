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
const FIELDS = [
  'u.id',
  'u.username',
  'u.display_name',
  'u.phone',
  'u.role',
  'u.organisation_id',
  'o.name as organisation_name',
  'o.district_code',
  'u.active',
  'u.locked_until',
  'u.last_login_at',
  'u.totp_enabled_at',
  'u.created_at',
  'u.updated_at',
];
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

/** Role and organisation are the security administrator's to change (assignRole); the rest the system administrator's. */
export async function updateUser(trx: Knex.Transaction, id: number, fields: Omit<AccountFields, 'role' | 'organisation_id'>): Promise<void> {
  await trx('users')
    .where('id', id)
    .update({ ...fields, updated_at: new Date() });
}

/** A role and the organisation (hence the scope) it is exercised in: the security administrator's assignment. */
export async function assignRole(trx: Knex.Transaction, id: number, role: Role, organisationId: number): Promise<void> {
  await trx('users').where('id', id).update({ role, organisation_id: organisationId, updated_at: new Date() });
}

/** Active accounts holding a role, but one: an assignment may not leave an administrator role empty. */
export async function otherActiveHolders(trx: Knex.Transaction, role: Role, exceptId: number): Promise<number> {
  const row = (await trx('users').where({ role, active: true }).whereNot('id', exceptId).forUpdate().count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/**
 * The username of an active administrator of a role, locking what it read: setting up the first
 * administrator refuses when one exists, and two set-ups at once cannot both pass.
 */
export async function activeAdministrator(trx: Knex.Transaction, role: Role = 'sysadmin'): Promise<string | undefined> {
  const row = (await trx('users').where({ role, active: true }).forUpdate().first('username')) as { username: string } | undefined;
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
  // Kept for the no-reuse rule (db/password-history.ts) by the caller, before it is overwritten.
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
  role: string;
  password_hash: string;
  /** Encrypted (lib/second-factor.ts); null until the account has enrolled. */
  totp_secret: string | null;
  active: number;
  failed_attempts: number;
  locked_until: Date | null;
}

/** What a sign-in checks before and after verifying the password (by the unique username). */
export async function signInAccount(db: Db, username: string): Promise<SignInAccount | undefined> {
  return (await db('users').select('id', 'role', 'password_hash', 'totp_secret', 'active', 'failed_attempts', 'locked_until').where('username', username).first()) as SignInAccount | undefined;
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
  /** With created_at, decides whether the password has expired (PASSWORD_MAX_AGE_DAYS). */
  password_changed_at: Date | null;
  created_at: Date;
  totp_enabled_at: Date | null;
}

export const SESSION_USER_FIELDS = [
  'u.id',
  'u.username',
  'u.display_name',
  'u.role',
  'u.organisation_id',
  'o.name as organisation_name',
  'o.district_code',
  'o.street_code',
  'u.must_change_password',
  'u.password_changed_at',
  'u.created_at',
  'u.totp_enabled_at',
];

// ── The second factor's columns (lib/second-factor.ts; recovery codes in db/recovery-codes.ts) ──

export interface SecondFactorState {
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_enabled_at: Date | null;
}

export async function secondFactorState(db: Db, id: number): Promise<SecondFactorState | undefined> {
  return (await db('users').where('id', id).first('totp_secret', 'totp_pending_secret', 'totp_enabled_at')) as SecondFactorState | undefined;
}

/** A secret shown for enrolment, waiting for its first code; replaces an earlier pending one. */
export async function setPendingTotpSecret(db: Db, id: number, encryptedSecret: string): Promise<void> {
  await db('users').where('id', id).update({ totp_pending_secret: encryptedSecret });
}

/** The pending secret becomes the account's, with the step its confirming code used (no replay of it). */
export async function enableTotp(trx: Knex.Transaction, id: number, encryptedSecret: string, step: number): Promise<boolean> {
  const changed = await trx('users').where('id', id).whereNotNull('totp_pending_secret').update({ totp_secret: encryptedSecret, totp_pending_secret: null, totp_enabled_at: new Date(), totp_last_step: step });
  return changed === 1;
}

/**
 * Accepts a TOTP step once: true only when no later-or-equal step was accepted before, in one
 * conditional UPDATE, so the same code sent twice (or in parallel) passes once.
 */
export async function claimTotpStep(db: Db, id: number, step: number): Promise<boolean> {
  const changed = await db('users')
    .where('id', id)
    .where((w) => w.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
    .update({ totp_last_step: step });
  return changed === 1;
}

/** The security administrator's reset: the account enrols again at its next sign-in. */
export async function clearSecondFactor(trx: Knex.Transaction, id: number): Promise<boolean> {
  const changed = await trx('users').where('id', id).update({ totp_secret: null, totp_pending_secret: null, totp_enabled_at: null, totp_last_step: null });
  return changed > 0;
}

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

/**
 * Whether an active account of this role stands within a group candidate row's scope (its
 * district, street and organisation columns, null meaning any): someone who could claim a task
 * offered to that group. A user's district and street are their organisation's.
 */
export async function activeHolderExists(db: Db, role: string, scope: { district_code: string | null; street_code: string | null; organisation_id: number | null }): Promise<boolean> {
  const q = db('users as u').leftJoin('organisations as o', 'o.id', 'u.organisation_id').where('u.role', role).where('u.active', true);
  if (scope.district_code !== null) q.where('o.district_code', scope.district_code);
  if (scope.street_code !== null) q.where('o.street_code', scope.street_code);
  if (scope.organisation_id !== null) q.where('u.organisation_id', scope.organisation_id);
  return Boolean(await q.first('u.id'));
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

/**
 * Key rotation of the administrators' TOTP secrets (`npm run keys:rotate`): each stored secret,
 * active or pending, not under the ring's current key is decrypted and encrypted again under it.
 * A guarded UPDATE per row (only if the value is still the one read), so a user enrolling in
 * between is never overwritten. Idempotent; returns the number of values rewritten.
 */
export async function rotateTotpSecrets(db: Knex, reencrypt: (stored: string) => string | null): Promise<number> {
  let changed = 0;
  const rows = (await db('users').select('id', 'totp_secret', 'totp_pending_secret').whereNotNull('totp_secret').orWhereNotNull('totp_pending_secret')) as Array<{
    id: number;
    totp_secret: string | null;
    totp_pending_secret: string | null;
  }>;
  for (const row of rows) {
    for (const column of ['totp_secret', 'totp_pending_secret'] as const) {
      const stored = row[column];
      const next = stored ? reencrypt(stored) : null;
      if (stored && next)
        changed += await db('users')
          .where({ id: row.id, [column]: stored })
          .update({ [column]: next });
    }
  }
  return changed;
}

/** How many TOTP secrets (active or pending) are encrypted under each key id (`npm run keys:status`). */
export async function totpSecretsByKey(db: Db): Promise<Map<string, number>> {
  const rows = (await db.raw(
    `SELECT SUBSTRING_INDEX(SUBSTRING_INDEX(v, '.', 2), '.', -1) AS key_id, COUNT(*) AS n
       FROM (SELECT totp_secret AS v FROM users WHERE totp_secret IS NOT NULL
             UNION ALL SELECT totp_pending_secret FROM users WHERE totp_pending_secret IS NOT NULL) s
      GROUP BY key_id`,
  )) as [Array<{ key_id: string; n: number }>];
  return new Map(rows[0].map((r) => [r.key_id, Number(r.n)]));
}

/** id → display name of the given accounts (the operation log names its targets). */
export async function displayNames(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = (await db('users')
    .whereIn('id', [...new Set(ids)])
    .select('id', 'display_name', 'username')) as Array<{ id: number; display_name: string | null; username: string }>;
  return new Map(rows.map((r) => [Number(r.id), r.display_name || r.username]));
}
