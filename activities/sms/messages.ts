import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { MAX_PARTS, planMessage, type DecodedStatusReport } from '../../lib/sms/pdu';
import { isSendablePhone, normalisePhone } from '../../lib/sms/phone';
import type { ModemPool } from '../../lib/sms/pool';
import { sendMessage } from '../../lib/sms/sender';
import { DbSendJournal, settleDelivered } from './journal';

/**
 * Messages: accepting one (idempotently, by its key), delivering it through the pool, and
 * applying the network's delivery reports.
 */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed';

/** Input the caller got wrong: retrying cannot help (the activity layer makes it non-retryable). */
export class InvalidSmsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSmsError';
  }
}

export interface AcceptInput {
  idempotencyKey: string;
  to: string;
  text: string;
  sendAt?: string | Date | null;
  userId?: number | null;
  noticeId?: number | null;
  topicId?: number | null;
}

export interface Accepted {
  messageId: number;
  status: MessageStatus;
  /** False when the key had been accepted before: nothing new was queued. */
  created: boolean;
}

export function checkMessage(to: string, text: string): void {
  if (!isSendablePhone(to)) throw new InvalidSmsError(`"${to}" is not a phone number`);
  if (!text.trim()) throw new InvalidSmsError('the text is empty');
  const parts = planMessage(text).parts.length;
  if (parts > MAX_PARTS) throw new InvalidSmsError(`the text needs ${parts} SMS parts; at most ${MAX_PARTS} are allowed`);
}

export async function acceptMessage(db: Knex | Knex.Transaction, input: AcceptInput): Promise<Accepted> {
  const to = input.to.trim().replace(/[\s()-]/g, '');
  checkMessage(to, input.text);
  if (!input.idempotencyKey || input.idempotencyKey.length > 191) throw new InvalidSmsError('the idempotency key must have 1 to 191 characters');
  const plan = planMessage(input.text);
  const inserted = await db('sms_messages')
    .insert({
      idempotency_key: input.idempotencyKey,
      phone: to,
      text: input.text,
      encoding: plan.encoding,
      part_count: plan.parts.length,
      status: 'queued',
      user_id: input.userId ?? null,
      notice_id: input.noticeId ?? null,
      topic_id: input.topicId ?? null,
      send_at: input.sendAt ? new Date(input.sendAt) : null,
    })
    .onConflict('idempotency_key')
    .ignore();
  const row = await db('sms_messages').where('idempotency_key', input.idempotencyKey).first('id', 'phone', 'text', 'status');
  if (normalisePhone(row.phone) !== normalisePhone(to) || row.text !== input.text) {
    throw new InvalidSmsError(`idempotency key "${input.idempotencyKey}" was already used for a different message`);
  }
  // mysql2 reports 0 as the insert id when the row was ignored.
  const created = Array.isArray(inserted) && Number(inserted[0]) === Number(row.id);
  return { messageId: Number(row.id), status: row.status, created };
}

export interface DeliveryResult {
  messageId: number;
  status: MessageStatus;
  modemImei: string | null;
  attempts: number;
  errorCode: string | null;
  error: string | null;
}

export async function messageResult(db: Knex, messageId: number): Promise<DeliveryResult> {
  const row = await db('sms_messages').where('id', messageId).first();
  if (!row) throw new InvalidSmsError(`message ${messageId} does not exist`);
  return { messageId, status: row.status, modemImei: row.modem_imei, attempts: row.attempts, errorCode: row.error_code, error: row.error_text };
}

// One delivery per message at a time in this process: a retried activity that overlaps its
// predecessor (a heartbeat timeout while the first was still busy) waits for it instead.
const inFlight = new Map<number, Promise<DeliveryResult>>();

export async function deliverMessage(
  deps: { db: Knex; pool: ModemPool; log: Logger; sendWindowMs: number },
  messageId: number,
  signal?: AbortSignal,
): Promise<DeliveryResult> {
  while (inFlight.has(messageId)) await inFlight.get(messageId)!.catch(() => undefined);
  const run = (async () => {
    const { db } = deps;
    const row = await db('sms_messages').where('id', messageId).first();
    if (!row) throw new InvalidSmsError(`message ${messageId} does not exist`);
    if (['sent', 'delivered', 'failed'].includes(row.status)) return messageResult(db, messageId);
    let deadline: Date = row.deadline_at;
    if (!deadline) {
      deadline = new Date(Date.now() + deps.sendWindowMs);
      await db('sms_messages').where('id', messageId).whereNull('deadline_at').update({ deadline_at: deadline });
      deadline = (await db('sms_messages').where('id', messageId).first('deadline_at')).deadline_at;
    }
    const log = deps.log.child({ messageId });
    const outcome = await sendMessage(deps.pool, { to: row.phone, text: row.text, deadline }, new DbSendJournal(db, messageId), { log, signal });
    log.info({ outcome }, outcome.status === 'sent' ? 'message sent' : 'message failed');
    return messageResult(db, messageId);
  })();
  inFlight.set(messageId, run);
  try {
    return await run;
  } finally {
    inFlight.delete(messageId);
  }
}

/**
 * A status report (+CDS) names the modem's message reference, which wraps at 256: the newest part
 * submitted through that modem with that reference is the one. A part whose reference was lost
 * (the worker died before writing it) is matched by recipient instead.
 */
export async function applyStatusReport(db: Knex, imei: string, report: DecodedStatusReport, log: Logger): Promise<'matched' | 'unmatched'> {
  const recent = new Date(Date.now() - 7 * 86_400_000);
  let segment = await db('sms_segments')
    .where({ modem_imei: imei, mr: report.mr })
    .whereIn('state', ['submitted', 'delivered', 'failed'])
    .where('submitted_at', '>', recent)
    .orderBy('submitted_at', 'desc')
    .first('id', 'attempt_id', 'message_id', 'state');
  if (!segment) {
    const candidates = await db('sms_segments as s')
      .join('sms_messages as m', 'm.id', 's.message_id')
      .where({ 's.modem_imei': imei, 's.state': 'submitted' })
      .whereNull('s.mr')
      .where('s.submitted_at', '>', recent)
      .orderBy('s.submitted_at', 'asc')
      .select('s.id', 's.attempt_id', 's.message_id', 's.state', 'm.phone');
    segment = candidates.find((c: { phone: string }) => normalisePhone(c.phone) === normalisePhone(report.recipient));
  }
  if (!segment) {
    log.debug({ imei, mr: report.mr }, 'status report for no known part');
    return 'unmatched';
  }
  if (report.outcome === 'pending' || segment.state !== 'submitted') {
    await db('sms_segments').where('id', segment.id).update({ report_status: report.status, reported_at: new Date() });
    return 'matched';
  }
  await db.transaction(async (trx) => {
    const now = new Date();
    await trx('sms_segments')
      .where('id', segment.id)
      .update({ state: report.outcome === 'delivered' ? 'delivered' : 'failed', report_status: report.status, reported_at: report.dischargedAt ?? now });
    if (report.outcome === 'delivered') {
      await settleDelivered(trx, Number(segment.message_id), Number(segment.attempt_id));
    } else {
      const code = `report:0x${report.status.toString(16).padStart(2, '0')}`;
      await trx('sms_messages')
        .where('id', segment.message_id)
        .whereIn('status', ['sending', 'sent'])
        .update({ status: 'failed', failed_at: now, error_code: code, error_text: `the network could not deliver it (TP-ST ${code.slice(7)})`, updated_at: now });
    }
  });
  return 'matched';
}
