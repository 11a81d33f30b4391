import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { noticeMessageCounts, noticeMessageIds } from '../../db/sms/messages';
import { finishNoticeRow, noticeAudience, noticeState, setNoticeRecipientCount, startSendingNotice } from '../../db/sms/notices';
import { isSendablePhone, normalisePhone } from '../../lib/sms/phone';
import type { NoticeTarget } from '../../lib/sms/records';
import { acceptMessage } from './messages';

/**
 * Notices (M2, M3): one text to a category's subscribers or to a group (a role, an organisation,
 * named users), now or at a set time. Each phone gets one message per notice, however many of the
 * targeted users share it and however often the preparing activity is retried.
 */
export type { NoticeTarget };

export interface NoticeRecipient {
  userId: number;
  phone: string;
}

/** Active users with a phone whom the target names, within the sender's district if it has one; one per phone. */
export async function noticeRecipients(db: Knex, target: NoticeTarget, districtCode: string | null): Promise<NoticeRecipient[]> {
  const seen = new Set<string>();
  const out: NoticeRecipient[] = [];
  for (const row of await noticeAudience(db, target, districtCode)) {
    const key = normalisePhone(row.phone);
    if (seen.has(key) || !isSendablePhone(row.phone)) continue;
    seen.add(key);
    out.push({ userId: row.id, phone: row.phone.trim() });
  }
  return out;
}

export async function loadNotice(db: Knex, noticeId: number): Promise<{ status: string; sendAt: string | null }> {
  const row = await noticeState(db, noticeId);
  if (!row) throw new Error(`notice ${noticeId} does not exist`);
  return { status: row.status, sendAt: row.send_at ? new Date(row.send_at).toISOString() : null };
}

/** Creates the notice's messages (once) and returns their ids; null when the notice was cancelled. */
export async function prepareNoticeMessages(db: Knex, noticeId: number, log: Logger): Promise<number[] | null> {
  const notice = await startSendingNotice(db, noticeId);
  if (!notice) throw new Error(`notice ${noticeId} does not exist`);
  if (notice.status === 'cancelled') return null;
  const recipients = await noticeRecipients(db, notice.target, notice.district_code);
  for (const r of recipients) {
    try {
      await acceptMessage(db, { idempotencyKey: `notice:${noticeId}:${normalisePhone(r.phone)}`, to: r.phone, text: notice.text, userId: r.userId, noticeId });
    } catch (err) {
      log.warn({ err, noticeId, userId: r.userId }, 'recipient skipped');
    }
  }
  await setNoticeRecipientCount(db, noticeId, recipients.length);
  return noticeMessageIds(db, noticeId);
}

export async function finishNotice(db: Knex, noticeId: number, outcome: 'done' | 'cancelled'): Promise<{ sent: number; failed: number }> {
  const counts = await noticeMessageCounts(db, noticeId);
  const sent = (counts.sent ?? 0) + (counts.delivered ?? 0);
  const failed = counts.failed ?? 0;
  await finishNoticeRow(db, noticeId, outcome, { sent, failed });
  return { sent, failed };
}
