import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { DbSendJournal, notePartReport, partByReference, partsWithoutReference, settlePartReport } from '../../db/sms/journal';
import { findMessage, fixDeadline, insertMessageOnce } from '../../db/sms/messages';
import { MAX_PARTS, planMessage, type DecodedStatusReport } from '../../lib/sms/pdu';
import { isSendablePhone, normalisePhone } from '../../lib/sms/phone';
import type { ModemPool } from '../../lib/sms/pool';
import type { MessageStatus } from '../../lib/sms/records';
import { sendMessage } from '../../lib/sms/sender';

/**
 * Messages: accepting one (idempotently, by its key), delivering it through the pool, and
 * applying the network's delivery reports.
 */
export type { MessageStatus };

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
  const row = await insertMessageOnce(db, {
    idempotencyKey: input.idempotencyKey,
    phone: to,
    text: input.text,
    encoding: plan.encoding,
    partCount: plan.parts.length,
    userId: input.userId ?? null,
    noticeId: input.noticeId ?? null,
    topicId: input.topicId ?? null,
    sendAt: input.sendAt ? new Date(input.sendAt) : null,
  });
  if (normalisePhone(row.phone) !== normalisePhone(to) || row.text !== input.text) {
    throw new InvalidSmsError(`idempotency key "${input.idempotencyKey}" was already used for a different message`);
  }
  return { messageId: row.id, status: row.status, created: row.created };
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
  const row = await findMessage(db, messageId);
  if (!row) throw new InvalidSmsError(`message ${messageId} does not exist`);
  return { messageId, status: row.status, modemImei: row.modem_imei, attempts: row.attempts, errorCode: row.error_code, error: row.error_text };
}

// One delivery per message at a time in this process: a retried activity that overlaps its
// predecessor (a heartbeat timeout while the first was still busy) waits for it instead.
const inFlight = new Map<number, Promise<DeliveryResult>>();

export async function deliverMessage(deps: { db: Knex; pool: ModemPool; log: Logger; sendWindowMs: number }, messageId: number, signal?: AbortSignal): Promise<DeliveryResult> {
  while (inFlight.has(messageId)) await inFlight.get(messageId)!.catch(() => undefined);
  const run = (async () => {
    const { db } = deps;
    const row = await findMessage(db, messageId);
    if (!row) throw new InvalidSmsError(`message ${messageId} does not exist`);
    if (['sent', 'delivered', 'failed'].includes(row.status)) return messageResult(db, messageId);
    const deadline = row.deadline_at ?? (await fixDeadline(db, messageId, new Date(Date.now() + deps.sendWindowMs)));
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
  let part = await partByReference(db, imei, report.mr, recent);
  if (!part) {
    const candidates = await partsWithoutReference(db, imei, recent);
    part = candidates.find((c) => normalisePhone(c.phone) === normalisePhone(report.recipient));
  }
  if (!part) {
    log.debug({ imei, mr: report.mr }, 'status report for no known part');
    return 'unmatched';
  }
  if (report.outcome === 'pending' || part.state !== 'submitted') {
    await notePartReport(db, part.id, report.status);
    return 'matched';
  }
  const code = `report:0x${report.status.toString(16).padStart(2, '0')}`;
  await settlePartReport(db, part, {
    delivered: report.outcome === 'delivered',
    status: report.status,
    at: report.dischargedAt ?? new Date(),
    errorCode: code,
    errorText: `the network could not deliver it (TP-ST ${code.slice(7)})`,
  });
  return 'matched';
}
