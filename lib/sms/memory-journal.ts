import type { SubmitPdu } from './pdu';
import type { AttemptRecord, SendFailure, SendJournal } from './sender';

/**
 * A send journal kept in memory: for the benchmark and for tests of the pool alone. The worker
 * uses the database journal (db/sms/journal.ts), which survives a crash; this one does not.
 */
export interface MemoryAttempt extends AttemptRecord {
  status: 'open' | 'succeeded' | 'failed';
  failure?: SendFailure;
}

export class MemoryJournal implements SendJournal {
  readonly attempts: MemoryAttempt[] = [];
  status: 'queued' | 'sending' | 'sent' | 'failed' = 'queued';
  failure: SendFailure | null = null;

  async openAttempt(): Promise<AttemptRecord | null> {
    return this.attempts.find((a) => a.status === 'open') ?? null;
  }

  async failedModems(): Promise<string[]> {
    return this.attempts.filter((a) => a.status === 'failed').map((a) => a.imei);
  }

  async beginAttempt(imei: string, concatRef: number, parts: SubmitPdu[]): Promise<AttemptRecord> {
    const attempt: MemoryAttempt = {
      attemptNo: this.attempts.length + 1,
      imei,
      concatRef,
      status: 'open',
      parts: parts.map((p) => ({ partNo: p.partNo, pdu: p.hex, state: 'pending', storageIndex: null, mr: null })),
    };
    this.attempts.push(attempt);
    this.status = 'sending';
    return attempt;
  }

  async partStored(attempt: AttemptRecord, partNo: number, storageIndex: number): Promise<void> {
    Object.assign(attempt.parts[partNo - 1], { state: 'stored', storageIndex });
  }

  async partSubmitted(attempt: AttemptRecord, partNo: number, mr: number | null): Promise<void> {
    Object.assign(attempt.parts[partNo - 1], { state: 'submitted', mr });
  }

  async attemptFailed(attempt: AttemptRecord, failure: SendFailure): Promise<void> {
    Object.assign(attempt, { status: 'failed', failure });
  }

  async attemptSucceeded(attempt: AttemptRecord): Promise<void> {
    Object.assign(attempt, { status: 'succeeded' });
    this.status = 'sent';
  }

  async messageFailed(failure: SendFailure): Promise<void> {
    this.status = 'failed';
    this.failure = failure;
  }
}
