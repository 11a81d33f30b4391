import type { Knex } from 'knex';
import type { SubmitPdu } from '../../lib/sms/pdu';
import type { AttemptRecord, PartState, SendFailure, SendJournal } from '../../lib/sms/sender';

/**
 * The send journal (M1, E7): tables `sms_attempts` (one row per try of a message on a modem) and
 * `sms_segments` (one row per part of an attempt, with its SIM slot, message reference and
 * delivery report), and the status changes of `sms_messages` they drive. Each step of
 * lib/sms/sender.ts commits before the next one starts, so a worker that dies at any point leaves
 * a row saying how far it got (see sender.ts for how the next run settles a part in doubt).
 *
 * Two writers meet on a message: the sender (attempt succeeded) and the delivery reports (part
 * delivered), and the message is delivered when both have happened. Each of their transactions
 * first locks the message row, so they run one after the other and the second sees the first's
 * writes; see settleDelivered.
 */
type Db = Knex | Knex.Transaction;

interface DbAttempt extends AttemptRecord {
  id: number;
}

const asDb = (attempt: AttemptRecord) => attempt as DbAttempt;

/** Serialises the transactions that decide a message's status (taken before any other lock). */
async function lockMessage(trx: Knex.Transaction, messageId: number): Promise<{ attempts: number } | undefined> {
  return (await trx('sms_messages').where('id', messageId).forUpdate().first('attempts')) as { attempts: number } | undefined;
}

export class DbSendJournal implements SendJournal {
  constructor(
    private readonly db: Knex,
    private readonly messageId: number,
  ) {}

  async openAttempt(): Promise<AttemptRecord | null> {
    const attempt = await this.db('sms_attempts').where({ message_id: this.messageId, status: 'open' }).orderBy('attempt_no', 'desc').first();
    if (!attempt) return null;
    const segments = await this.db('sms_segments').where('attempt_id', attempt.id).orderBy('part_no');
    const record: DbAttempt = {
      id: Number(attempt.id),
      attemptNo: attempt.attempt_no,
      imei: attempt.modem_imei,
      concatRef: attempt.concat_ref,
      parts: segments.map((s: Record<string, unknown>) => ({
        partNo: s.part_no as number,
        pdu: s.pdu as string,
        // A delivery report may already have moved a part on; for sending it counts as submitted.
        state: (['delivered', 'failed'].includes(s.state as string) ? 'submitted' : s.state) as PartState,
        storageIndex: (s.storage_index as number | null) ?? null,
        mr: (s.mr as number | null) ?? null,
      })),
    };
    return record;
  }

  async failedModems(): Promise<string[]> {
    return (await this.db('sms_attempts').where({ message_id: this.messageId, status: 'failed' }).distinct('modem_imei').pluck('modem_imei')) as string[];
  }

  async beginAttempt(imei: string, concatRef: number, parts: SubmitPdu[]): Promise<AttemptRecord> {
    return this.db.transaction(async (trx) => {
      const message = await lockMessage(trx, this.messageId);
      const attemptNo = Number(message!.attempts) + 1;
      const [id] = await trx('sms_attempts').insert({ message_id: this.messageId, attempt_no: attemptNo, modem_imei: imei, concat_ref: concatRef, status: 'open' });
      await trx('sms_segments').insert(parts.map((p) => ({ attempt_id: id, message_id: this.messageId, part_no: p.partNo, part_count: p.partCount, pdu: p.hex, modem_imei: imei, state: 'pending' })));
      await trx('sms_messages').where('id', this.messageId).update({ status: 'sending', attempts: attemptNo, modem_imei: imei, part_count: parts.length, encoding: parts[0].encoding, updated_at: new Date() });
      const record: DbAttempt = {
        id: Number(id),
        attemptNo,
        imei,
        concatRef,
        parts: parts.map((p) => ({ partNo: p.partNo, pdu: p.hex, state: 'pending', storageIndex: null, mr: null })),
      };
      return record;
    });
  }

  async partStored(attempt: AttemptRecord, partNo: number, storageIndex: number): Promise<void> {
    await this.db('sms_segments')
      .where({ attempt_id: asDb(attempt).id, part_no: partNo })
      .update({ state: 'stored', storage_index: storageIndex });
    Object.assign(attempt.parts[partNo - 1], { state: 'stored', storageIndex });
  }

  async partSubmitted(attempt: AttemptRecord, partNo: number, mr: number | null): Promise<void> {
    // Only from pending/stored: a delivery report that arrived first must not be undone.
    await this.db('sms_segments')
      .where({ attempt_id: asDb(attempt).id, part_no: partNo })
      .whereIn('state', ['pending', 'stored'])
      .update({ state: 'submitted', mr, submitted_at: new Date() });
    Object.assign(attempt.parts[partNo - 1], { state: 'submitted', mr });
  }

  async attemptFailed(attempt: AttemptRecord, failure: SendFailure): Promise<void> {
    const status = failure.code === 'abandoned' ? 'abandoned' : 'failed';
    await this.db.transaction(async (trx) => {
      await lockMessage(trx, this.messageId);
      await trx('sms_attempts')
        .where('id', asDb(attempt).id)
        .update({ status, error_code: failure.code.slice(0, 32), error_text: failure.reason.slice(0, 500), finished_at: new Date() });
      await trx('sms_messages')
        .where('id', this.messageId)
        .update({ error_code: failure.code.slice(0, 32), error_text: failure.reason.slice(0, 500), updated_at: new Date() });
    });
  }

  async attemptSucceeded(attempt: AttemptRecord): Promise<void> {
    await this.db.transaction(async (trx) => {
      await lockMessage(trx, this.messageId);
      const now = new Date();
      await trx('sms_attempts').where('id', asDb(attempt).id).update({ status: 'succeeded', finished_at: now });
      await trx('sms_messages').where('id', this.messageId).whereIn('status', ['queued', 'sending']).update({ status: 'sent', sent_at: now, modem_imei: attempt.imei, error_code: null, error_text: null, updated_at: now });
      // Reports can outrun this write: if every part is already delivered, so is the message.
      await settleDelivered(trx, this.messageId, asDb(attempt).id);
    });
  }

  async messageFailed(failure: SendFailure): Promise<void> {
    const now = new Date();
    await this.db('sms_messages')
      .where('id', this.messageId)
      .whereIn('status', ['queued', 'sending'])
      .update({ status: 'failed', failed_at: now, error_code: failure.code.slice(0, 32), error_text: failure.reason.slice(0, 500), updated_at: now });
  }
}

/**
 * Marks a sent message delivered when every part of its successful attempt was reported
 * delivered. Runs inside a transaction that holds the message's lock (lockMessage), and reads
 * with locking reads: a plain read would see the transaction's snapshot, and a report committed
 * after that snapshot was taken would be missed by both writers — the message would stay `sent`
 * for ever (the SMS API test's "every notice message delivered" wait timing out under load).
 */
async function settleDelivered(trx: Knex.Transaction, messageId: number, attemptId: number): Promise<void> {
  const attempt = await trx('sms_attempts').where('id', attemptId).forShare().first('status');
  if (attempt?.status !== 'succeeded') return;
  const parts = (await trx('sms_segments').where('attempt_id', attemptId).forShare().select('state', 'reported_at')) as Array<{ state: string; reported_at: Date | null }>;
  if (!parts.length || parts.some((p) => p.state !== 'delivered')) return;
  const last = parts.reduce<Date | null>((at, p) => (p.reported_at && (!at || p.reported_at > at) ? p.reported_at : at), null);
  await trx('sms_messages')
    .where('id', messageId)
    .where('status', 'sent')
    .update({ status: 'delivered', delivered_at: last ?? new Date(), updated_at: new Date() });
}

export interface ReportedPart {
  id: number;
  attempt_id: number;
  message_id: number;
  state: string;
}

/**
 * The part a status report names: the newest part submitted through that modem with that
 * message reference within the last week (references wrap at 256).
 */
export async function partByReference(db: Knex, imei: string, mr: number, since: Date): Promise<ReportedPart | undefined> {
  return (await db('sms_segments')
    .where({ modem_imei: imei, mr })
    .whereIn('state', ['submitted', 'delivered', 'failed'])
    .where('submitted_at', '>', since)
    .orderBy('submitted_at', 'desc')
    .first('id', 'attempt_id', 'message_id', 'state')) as ReportedPart | undefined;
}

/** Submitted parts on a modem whose reference was lost (oldest first), with their recipient. */
export async function partsWithoutReference(db: Knex, imei: string, since: Date): Promise<Array<ReportedPart & { phone: string }>> {
  return (await db('sms_segments as s')
    .join('sms_messages as m', 'm.id', 's.message_id')
    .where({ 's.modem_imei': imei, 's.state': 'submitted' })
    .whereNull('s.mr')
    .where('s.submitted_at', '>', since)
    .orderBy('s.submitted_at', 'asc')
    .select('s.id', 's.attempt_id', 's.message_id', 's.state', 'm.phone')) as Array<ReportedPart & { phone: string }>;
}

/** An interim report (or a repeat for a part already settled): noted on the part, nothing more. */
export async function notePartReport(db: Knex, partId: number, reportStatus: number): Promise<void> {
  await db('sms_segments').where('id', partId).update({ report_status: reportStatus, reported_at: new Date() });
}

/**
 * A final report for a submitted part: the part is delivered (and the message with it, once its
 * other parts are) or failed (and the message with it: the phone cannot join what is missing).
 */
export async function settlePartReport(db: Knex, part: ReportedPart, report: { delivered: boolean; status: number; at: Date; errorCode: string; errorText: string }): Promise<void> {
  const messageId = Number(part.message_id);
  await db.transaction(async (trx) => {
    await lockMessage(trx, messageId);
    await trx('sms_segments')
      .where('id', part.id)
      .update({ state: report.delivered ? 'delivered' : 'failed', report_status: report.status, reported_at: report.at });
    if (report.delivered) {
      await settleDelivered(trx, messageId, Number(part.attempt_id));
      return;
    }
    const now = new Date();
    await trx('sms_messages')
      .where('id', messageId)
      .whereIn('status', ['sending', 'sent'])
      .update({ status: 'failed', failed_at: now, error_code: report.errorCode.slice(0, 32), error_text: report.errorText.slice(0, 500), updated_at: now });
  });
}

/** SIM slots on this modem that an open attempt still relies on (the start-up tidy-up keeps them). */
export async function slotsHeldByOpenAttempts(db: Knex, imei: string): Promise<number[]> {
  return (await db('sms_segments as s').join('sms_attempts as a', 'a.id', 's.attempt_id').where({ 'a.status': 'open', 's.state': 'stored', 's.modem_imei': imei }).pluck('s.storage_index')) as number[];
}

/** A message's attempts in order, each with its parts (the message page's detail). */
export async function attemptsWithParts(db: Db, messageId: number): Promise<Array<Record<string, unknown> & { parts: Array<Record<string, unknown>> }>> {
  const attempts = (await db('sms_attempts').where('message_id', messageId).orderBy('attempt_no')) as Array<Record<string, unknown> & { id: number }>;
  const segments = (await db('sms_segments')
    .where('message_id', messageId)
    .orderBy(['attempt_id', 'part_no'])
    .select('attempt_id', 'part_no', 'part_count', 'state', 'modem_imei', 'mr', 'report_status', 'submitted_at', 'reported_at')) as Array<Record<string, unknown> & { attempt_id: number }>;
  return attempts.map((a) => ({ ...a, parts: segments.filter((s) => s.attempt_id === a.id) }));
}
