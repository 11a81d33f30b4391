import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Role } from '../../lib/roles';
import { isSendablePhone, normalisePhone } from '../../lib/sms/phone';
import { acceptMessage } from './messages';

/**
 * Notices (M2, M3): one text to a category's subscribers or to a group (a role, an organisation,
 * named users), now or at a set time. Each phone gets one message per notice, however many of the
 * targeted users share it and however often the preparing activity is retried.
 */
export type NoticeTarget =
  | { kind: 'category'; categoryId: number }
  | { kind: 'role'; role: Role }
  | { kind: 'organisation'; organisationId: number }
  | { kind: 'users'; userIds: number[] };

export interface NoticeRecipient {
  userId: number;
  phone: string;
}

/** Active users with a phone whom the target names, within the sender's district if it has one. */
export async function noticeRecipients(db: Knex, target: NoticeTarget, districtCode: string | null): Promise<NoticeRecipient[]> {
  const q = db('users as u')
    .join('organisations as o', 'o.id', 'u.organisation_id')
    .where('u.active', true)
    .whereNotNull('u.phone')
    .where('u.phone', '<>', '')
    .orderBy('u.id')
    .select('u.id', 'u.phone');
  switch (target.kind) {
    case 'category':
      q.join('sms_subscriptions as s', 's.user_id', 'u.id')
        .join('sms_categories as c', 'c.id', 's.category_id')
        .where({ 's.category_id': target.categoryId, 'c.active': true });
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
  const seen = new Set<string>();
  const out: NoticeRecipient[] = [];
  for (const row of (await q) as Array<{ id: number; phone: string }>) {
    const key = normalisePhone(row.phone);
    if (seen.has(key) || !isSendablePhone(row.phone)) continue;
    seen.add(key);
    out.push({ userId: row.id, phone: row.phone.trim() });
  }
  return out;
}

export async function loadNotice(db: Knex, noticeId: number): Promise<{ status: string; sendAt: string | null }> {
  const row = await db('sms_notices').where('id', noticeId).first('status', 'send_at');
  if (!row) throw new Error(`notice ${noticeId} does not exist`);
  return { status: row.status, sendAt: row.send_at ? new Date(row.send_at).toISOString() : null };
}

/** Creates the notice's messages (once) and returns their ids; null when the notice was cancelled. */
export async function prepareNoticeMessages(db: Knex, noticeId: number, log: Logger): Promise<number[] | null> {
  const notice = await db('sms_notices').where('id', noticeId).first();
  if (!notice) throw new Error(`notice ${noticeId} does not exist`);
  if (notice.status === 'cancelled') return null;
  await db('sms_notices').where({ id: noticeId, status: 'scheduled' }).update({ status: 'sending' });
  const target = (typeof notice.target === 'string' ? JSON.parse(notice.target) : notice.target) as NoticeTarget;
  const recipients = await noticeRecipients(db, target, notice.district_code);
  for (const r of recipients) {
    try {
      await acceptMessage(db, { idempotencyKey: `notice:${noticeId}:${normalisePhone(r.phone)}`, to: r.phone, text: notice.text, userId: r.userId, noticeId });
    } catch (err) {
      log.warn({ err, noticeId, userId: r.userId }, 'recipient skipped');
    }
  }
  await db('sms_notices').where('id', noticeId).update({ recipient_count: recipients.length });
  return ((await db('sms_messages').where('notice_id', noticeId).orderBy('id').pluck('id')) as number[]).map(Number);
}

export async function finishNotice(db: Knex, noticeId: number, outcome: 'done' | 'cancelled'): Promise<{ sent: number; failed: number }> {
  const counts = (await db('sms_messages').where('notice_id', noticeId).groupBy('status').select('status').count({ n: '*' })) as Array<{ status: string; n: number | string }>;
  const count = (statuses: string[]) => counts.filter((c) => statuses.includes(c.status)).reduce((sum, c) => sum + Number(c.n), 0);
  const sent = count(['sent', 'delivered']);
  const failed = count(['failed']);
  await db('sms_notices').where('id', noticeId).update({ status: outcome, sent_count: sent, failed_count: failed, completed_at: new Date() });
  return { sent, failed };
}
