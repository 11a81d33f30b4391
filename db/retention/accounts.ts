import { OPEN_CASE_STATUSES } from '../../lib/cases/statuses';
import { columnsOf, tableExists, type Db } from './common';

/**
 * Platform accounts (users) and what hangs off them. A disabled account past its retention, or
 * the account of an approved 个人信息删除申请, keeps its row (cases, tasks, history and the
 * operation log refer to its id) but names nobody: the username becomes "anonymised#<id>"
 * (unique, and no user can choose it: usernames have no "#"), the display name 已注销用户#<id>,
 * the phone, password and second factor are cleared, and its sessions, SMS subscriptions,
 * recovery codes and password history are deleted. The account stays disabled.
 */
export const ACCOUNT_PSEUDONYM = '已注销用户#';

/** Cases this user started that are still open, but the one named (a deletion request itself). */
export async function openCasesOf(db: Db, userId: number, exceptCaseId?: number): Promise<number> {
  const q = db('cases').where('started_by', userId).whereIn('status', OPEN_CASE_STATUSES);
  if (exceptCaseId !== undefined) q.whereNot('id', exceptCaseId);
  const [{ n }] = (await q.count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(n);
}

/**
 * Disabled before `before`, not yet anonymised, and neither the starter of an open case nor the
 * holder of an open task: those keep their name until the case ends, so whoever works on it
 * can still tell who is who (docs/retention.md).
 */
export async function accountsPastRetention(db: Db, before: Date, limit: number): Promise<number[]> {
  return (await db('users as u')
    .where('u.active', 0)
    .whereNull('u.anonymised_at')
    .where('u.deactivated_at', '<', before)
    .whereNotExists((q) => q.select(db.raw('1')).from('cases as c').whereRaw('c.started_by = u.id').whereIn('c.status', OPEN_CASE_STATUSES))
    .whereNotExists((q) => q.select(db.raw('1')).from('case_tasks as t').whereRaw('t.assignee_id = u.id').where('t.status', 'open'))
    .orderBy('u.id')
    .limit(limit)
    .pluck('u.id')) as number[];
}

/** Anonymises these accounts (those not yet done); answers how many changed. */
export async function anonymiseAccounts(trx: Db, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const due = (await trx('users').whereIn('id', ids).whereNull('anonymised_at').forUpdate().pluck('id')) as number[];
  if (due.length === 0) return 0;
  const columns = await columnsOf(trx, 'users');
  // The second factor's columns exist once migration 095 ran; clear whichever are there.
  const secondFactor = Object.fromEntries(['totp_secret', 'totp_pending_secret', 'totp_enabled_at', 'totp_last_step'].filter((c) => columns.has(c)).map((c) => [c, null]));
  await trx('users')
    .whereIn('id', due)
    .update({
      username: trx.raw("CONCAT('anonymised#', id)"),
      display_name: trx.raw('CONCAT(?, id)', ['已注销用户#']),
      phone: null,
      // Not a hash any verifier accepts: the account can never sign in again.
      password_hash: '!anonymised',
      must_change_password: false,
      active: false,
      failed_attempts: 0,
      locked_until: null,
      ...secondFactor,
      anonymised_at: trx.fn.now(3),
    });
  await trx('sessions').whereIn('user_id', due).delete();
  await trx('sms_subscriptions').whereIn('user_id', due).delete();
  for (const table of ['user_recovery_codes', 'user_password_history']) {
    if (await tableExists(trx, table)) await trx(table).whereIn('user_id', due).delete();
  }
  return due.length;
}

/** The account's phone (normalised form is the caller's) and whether it is already anonymised. */
export async function accountForErasure(db: Db, userId: number): Promise<{ phone: string | null; anonymised: boolean } | undefined> {
  const row = (await db('users').where('id', userId).first('phone', 'anonymised_at')) as { phone: string | null; anonymised_at: Date | null } | undefined;
  return row ? { phone: row.phone, anonymised: row.anonymised_at !== null } : undefined;
}
