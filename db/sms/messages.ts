import type { Knex } from 'knex';
import { normalisePhone, phoneSearchPrefix } from '../../lib/sms/phone';
import type { MessageStatus } from '../../lib/sms/records';
import { pageOf, unionKeyset, type Page, type PageParams } from '../paging';
import { prefixPattern } from '../search';

/**
 * Messages (M1, M5), table `sms_messages`: one row per accepted SMS, keyed by the caller's
 * idempotency key, with where it stands. Accepting and reading live here; the status changes of
 * sending (attempts, parts, delivery reports) are in journal.ts, which writes them in the same
 * transactions as the attempt rows.
 */
type Db = Knex | Knex.Transaction;

export interface MessageFields {
  idempotencyKey: string;
  phone: string;
  text: string;
  encoding: string;
  partCount: number;
  userId: number | null;
  noticeId: number | null;
  topicId: number | null;
  sendAt: Date | null;
}

export type MessageRow = Record<string, unknown> & {
  id: number;
  phone: string;
  text: string;
  status: MessageStatus;
  deadline_at: Date | null;
  modem_imei: string | null;
  attempts: number;
  error_code: string | null;
  error_text: string | null;
  created_at: Date;
};

/**
 * Inserts the message unless its key was accepted before; answers the row the key names (new or
 * old) and whether this call created it.
 */
export async function insertMessageOnce(db: Db, m: MessageFields): Promise<{ id: number; phone: string; text: string; status: MessageStatus; created: boolean }> {
  const inserted = await db('sms_messages')
    .insert({
      idempotency_key: m.idempotencyKey,
      phone: m.phone,
      phone_normalised: normalisePhone(m.phone).slice(0, 32),
      text: m.text,
      encoding: m.encoding,
      part_count: m.partCount,
      status: 'queued',
      user_id: m.userId,
      notice_id: m.noticeId,
      topic_id: m.topicId,
      send_at: m.sendAt,
    })
    .onConflict('idempotency_key')
    .ignore();
  const row = (await db('sms_messages').where('idempotency_key', m.idempotencyKey).first('id', 'phone', 'text', 'status')) as { id: number; phone: string; text: string; status: MessageStatus };
  // mysql2 reports 0 as the insert id when the row was ignored.
  const created = Array.isArray(inserted) && Number(inserted[0]) === Number(row.id);
  return { ...row, id: Number(row.id), created };
}

export async function findMessage(db: Db, id: number): Promise<MessageRow | undefined> {
  return (await db('sms_messages').where('id', id).first()) as MessageRow | undefined;
}

/**
 * Sets the message's send deadline the first time delivery starts and answers the one in force:
 * a retried or concurrent first delivery keeps the deadline the earliest one wrote.
 */
export async function fixDeadline(db: Knex, id: number, deadline: Date): Promise<Date> {
  await db('sms_messages').where('id', id).whereNull('deadline_at').update({ deadline_at: deadline });
  return ((await db('sms_messages').where('id', id).first('deadline_at')) as { deadline_at: Date }).deadline_at;
}

/** A notice's messages in the order they were created. */
export async function noticeMessageIds(db: Knex, noticeId: number): Promise<number[]> {
  return ((await db('sms_messages').where('notice_id', noticeId).orderBy('id').pluck('id')) as number[]).map(Number);
}

/** How many of a notice's messages are in each status (read from the notice_id index). */
export async function noticeMessageCounts(db: Knex, noticeId: number): Promise<Partial<Record<MessageStatus, number>>> {
  const rows = (await db('sms_messages').where('notice_id', noticeId).groupBy('status').select('status').count({ n: '*' })) as Array<{ status: MessageStatus; n: number | string }>;
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export interface MessageFilter {
  status?: MessageStatus;
  /** The start of a number, written any way ("+86 138…", "138…"). */
  phone?: string;
  modem_imei?: string;
  notice_id?: number;
  topic_id?: number;
  /** Beijing-time days, inclusive. */
  created_from?: string;
  created_to?: string;
}

const LOG_FIELDS = ['id', 'phone', 'text', 'encoding', 'part_count', 'status', 'user_id', 'notice_id', 'topic_id', 'send_at', 'modem_imei', 'attempts', 'error_code', 'error_text', 'created_at', 'sent_at', 'delivered_at', 'failed_at'];

/**
 * The message log, one page. Every filter in the default order is one ordered index range
 * (migration 081), so a page reads about as many rows as it shows, and the total is bounded.
 * With a date range, "by id" pages by creation time instead: both are set at insert and rise
 * together, and (created_at, id) serves the range in that order where id order would read every
 * newer row first.
 */
function filteredMessages(db: Knex, f: MessageFilter): Knex.QueryBuilder {
  const q = db('sms_messages');
  if (f.status) q.where('status', f.status);
  if (f.phone) {
    const prefix = phoneSearchPrefix(f.phone);
    if (prefix) q.where('phone_normalised', 'like', prefixPattern(prefix));
  }
  if (f.modem_imei) q.where('modem_imei', f.modem_imei);
  if (f.notice_id) q.where('notice_id', f.notice_id);
  if (f.topic_id) q.where('topic_id', f.topic_id);
  if (f.created_from) q.where('created_at', '>=', new Date(`${f.created_from}T00:00:00+08:00`));
  if (f.created_to) q.where('created_at', '<', new Date(Date.parse(`${f.created_to}T00:00:00+08:00`) + 86_400_000));
  return q;
}

const sortColumns = (f: MessageFilter) => ({ id: f.created_from || f.created_to ? 'created_at' : 'id', created_at: 'created_at', sent_at: 'sent_at', status: 'status', phone: 'phone_normalised' });

export async function listMessages(db: Knex, params: PageParams & { filter: MessageFilter }): Promise<Page<Record<string, unknown>>> {
  return pageOf(filteredMessages(db, params.filter).select(LOG_FIELDS), params, sortColumns(params.filter), 'id');
}

/** Every message the filter matches, in the log's order, a chunk at a time (the log's export). */
export async function* walkMessages(db: Knex, filter: MessageFilter, sort: PageParams['sort'], opts: { chunk?: number; max: number }): AsyncGenerator<Array<Record<string, unknown>>> {
  const column = sortColumns(filter)[sort[0] as keyof ReturnType<typeof sortColumns>] ?? 'id';
  const branch = filteredMessages(db, filter).select('id', `${column} as k`);
  for await (const ids of unionKeyset(db, [branch], sort[1].toLowerCase() as 'asc' | 'desc', { chunk: opts.chunk ?? 1000, max: opts.max, keyIsId: column === 'id' })) {
    const rows = (await db('sms_messages').whereIn('id', ids).select(LOG_FIELDS)) as Array<Record<string, unknown>>;
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    yield ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }
}

/**
 * The latest texts the platform sent to a user (notices, case news) for their 工作台: the
 * user's own messages only, newest first, through (user_id, created_at).
 */
export async function recentMessagesTo(db: Knex, userId: number, limit = 5): Promise<Array<{ id: number; text: string; status: string; created_at: Date; notice_id: number | null }>> {
  return (await db('sms_messages').where('user_id', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).select('id', 'text', 'status', 'created_at', 'notice_id')) as Array<{
    id: number;
    text: string;
    status: string;
    created_at: Date;
    notice_id: number | null;
  }>;
}
