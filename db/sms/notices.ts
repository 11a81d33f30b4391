import type { Knex } from 'knex';
import type { NoticeStatus, NoticeTarget } from '../../lib/sms/records';
import { pageOf, type Page, type PageParams } from '../paging';

/**
 * Notices (M2, M3), table `sms_notices`: one text to a category's subscribers or a group, now or
 * at a set time, with its progress counts. The API records and cancels them; the SMS worker's
 * notice workflow moves them on (scheduled → sending → done). Also here: the notice's audience,
 * read from the people tables by what the notice targets.
 */
export type NoticeRow = Record<string, unknown> & {
  id: number;
  status: NoticeStatus;
  target: NoticeTarget;
  workflow_id: string;
  district_code: string | null;
};

export interface NoticeFields {
  text: string;
  target: NoticeTarget;
  districtCode: string | null;
  sendAt: Date | null;
  workflowId: string;
  createdBy: number;
}

// The target is a JSON column: MariaDB hands it back as text, MySQL parsed.
const parsed = (row: Record<string, unknown>): NoticeRow => ({ ...row, target: typeof row.target === 'string' ? JSON.parse(row.target) : row.target }) as NoticeRow;

/** Notices with their sender's name; `district` limits them to one district's (a district user's view). */
const noticesWithSender = (db: Knex, district: string | null) => {
  const q = db('sms_notices as n').leftJoin('users as u', 'u.id', 'n.created_by').select('n.*', 'u.username as created_by_username');
  if (district) q.where('n.district_code', district);
  return q;
};

export async function listNotices(db: Knex, district: string | null, params: PageParams & { filter: { status?: NoticeStatus } }): Promise<Page<NoticeRow>> {
  const q = noticesWithSender(db, district);
  if (params.filter.status) q.where('n.status', params.filter.status);
  const page = await pageOf<Record<string, unknown>>(q, params, { id: 'n.id', created_at: 'n.created_at', send_at: 'n.send_at', status: 'n.status' }, 'n.id');
  return { ...page, rows: page.rows.map(parsed) };
}

export async function findNotice(db: Knex, id: number, district: string | null): Promise<NoticeRow | undefined> {
  const row = (await noticesWithSender(db, district).where('n.id', id).first()) as Record<string, unknown> | undefined;
  return row ? parsed(row) : undefined;
}

export async function insertNotice(trx: Knex.Transaction, n: NoticeFields): Promise<number> {
  const [id] = await trx('sms_notices').insert({
    text: n.text,
    target_kind: n.target.kind,
    target: JSON.stringify(n.target),
    district_code: n.districtCode,
    send_at: n.sendAt,
    status: 'scheduled',
    workflow_id: n.workflowId,
    created_by: n.createdBy,
  });
  return Number(id);
}

/** Its workflow could not be started: the notice will never go out, and says why. */
export async function markNoticeNotStarted(db: Knex, id: number, error: string): Promise<void> {
  await db('sms_notices')
    .where('id', id)
    .update({ status: 'failed', error: error.slice(0, 500) });
}

/** Cancels a notice that has not started sending; answers whether it did. */
export async function cancelScheduledNotice(trx: Knex.Transaction, id: number): Promise<boolean> {
  return (await trx('sms_notices').where({ id, status: 'scheduled' }).update({ status: 'cancelled', completed_at: new Date() })) > 0;
}

/** What the notice workflow needs to know before it waits or sends. */
export async function noticeState(db: Knex, id: number): Promise<{ status: NoticeStatus; send_at: Date | null } | undefined> {
  return (await db('sms_notices').where('id', id).first('status', 'send_at')) as { status: NoticeStatus; send_at: Date | null } | undefined;
}

/** The notice for sending: a scheduled one becomes `sending` (a cancelled one stays as it is). */
export async function startSendingNotice(db: Knex, id: number): Promise<{ status: NoticeStatus; text: string; target: NoticeTarget; district_code: string | null } | undefined> {
  const row = (await db('sms_notices').where('id', id).first('status', 'text', 'target', 'district_code')) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  if (row.status !== 'cancelled') await db('sms_notices').where({ id, status: 'scheduled' }).update({ status: 'sending' });
  return parsed(row) as unknown as { status: NoticeStatus; text: string; target: NoticeTarget; district_code: string | null };
}

export async function setNoticeRecipientCount(db: Knex, id: number, count: number): Promise<void> {
  await db('sms_notices').where('id', id).update({ recipient_count: count });
}

export async function finishNoticeRow(db: Knex, id: number, outcome: 'done' | 'cancelled', counts: { sent: number; failed: number }): Promise<void> {
  await db('sms_notices').where('id', id).update({ status: outcome, sent_count: counts.sent, failed_count: counts.failed, completed_at: new Date() });
}

/**
 * Active users with a phone whom the target names, within the sender's district if it has one,
 * by user id. Phones are not deduplicated here: that rule (one SMS per phone) is the caller's.
 */
export async function noticeAudience(db: Knex, target: NoticeTarget, districtCode: string | null): Promise<Array<{ id: number; phone: string }>> {
  const q = db('users as u').join('organisations as o', 'o.id', 'u.organisation_id').where('u.active', true).whereNotNull('u.phone').where('u.phone', '<>', '').orderBy('u.id').select('u.id', 'u.phone');
  switch (target.kind) {
    case 'category':
      q.join('sms_subscriptions as s', 's.user_id', 'u.id').join('sms_categories as c', 'c.id', 's.category_id').where({ 's.category_id': target.categoryId, 'c.active': true });
      break;
    case 'role':
      q.where('u.role', target.role);
      break;
    case 'organisation':
      q.where('u.organisation_id', target.organisationId);
      break;
    case 'users':
      q.whereIn('u.id', target.userIds);
      break;
  }
  if (districtCode) q.where('o.district_code', districtCode);
  return (await q) as Array<{ id: number; phone: string }>;
}
