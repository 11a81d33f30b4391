import type { Knex } from 'knex';
import type { SubmitPdu } from '../../lib/sms/pdu';
import type { AttemptRecord, PartState, SendFailure, SendJournal } from '../../lib/sms/sender';

/**
 * The send journal in MySQL: each step of lib/sms/sender.ts commits before the next one starts,
 * so a worker that dies at any point leaves a row saying how far it got (see sender.ts for how
 * the next run settles a part in doubt).
 */
interface DbAttempt extends AttemptRecord {
  id: number;
}

const asDb = (attempt: AttemptRecord) => attempt as DbAttempt;

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
      const message = await trx('sms_messages').where('id', this.messageId).forUpdate().first('attempts');
      const attemptNo = Number(message.attempts) + 1;
      const [id] = await trx('sms_attempts').insert({ message_id: this.messageId, attempt_no: attemptNo, modem_imei: imei, concat_ref: concatRef, status: 'open' });
      await trx('sms_segments').insert(
        parts.map((p) => ({ attempt_id: id, message_id: this.messageId, part_no: p.partNo, part_count: p.partCount, pdu: p.hex, modem_imei: imei, state: 'pending' })),
      );
      await trx('sms_messages')
        .where('id', this.messageId)
        .update({ status: 'sending', attempts: attemptNo, modem_imei: imei, part_count: parts.length, encoding: parts[0].encoding, updated_at: new Date() });
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
    await this.db('sms_segments').where({ attempt_id: asDb(attempt).id, part_no: partNo }).update({ state: 'stored', storage_index: storageIndex });
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
      await trx('sms_attempts').where('id', asDb(attempt).id).update({ status, error_code: failure.code.slice(0, 32), error_text: failure.reason.slice(0, 500), finished_at: new Date() });
      await trx('sms_messages').where('id', this.messageId).update({ error_code: failure.code.slice(0, 32), error_text: failure.reason.slice(0, 500), updated_at: new Date() });
    });
  }

  async attemptSucceeded(attempt: AttemptRecord): Promise<void> {
    await this.db.transaction(async (trx) => {
      const now = new Date();
      await trx('sms_attempts').where('id', asDb(attempt).id).update({ status: 'succeeded', finished_at: now });
      await trx('sms_messages')
        .where('id', this.messageId)
        .whereIn('status', ['queued', 'sending'])
        .update({ status: 'sent', sent_at: now, modem_imei: attempt.imei, error_code: null, error_text: null, updated_at: now });
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

/** Marks a sent message delivered when every part of its successful attempt was reported delivered. */
export async function settleDelivered(trx: Knex | Knex.Transaction, messageId: number, attemptId: number): Promise<void> {
  const attempt = await trx('sms_attempts').where('id', attemptId).first('status');
  if (attempt?.status !== 'succeeded') return;
  const open = await trx('sms_segments').where('attempt_id', attemptId).whereNot('state', 'delivered').first('id');
  if (open) return;
  const last = await trx('sms_segments').where('attempt_id', attemptId).max({ at: 'reported_at' }).first();
  await trx('sms_messages')
    .where('id', messageId)
    .where('status', 'sent')
    .update({ status: 'delivered', delivered_at: (last?.at as Date | null) ?? new Date(), updated_at: new Date() });
}
