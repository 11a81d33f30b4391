import type { Logger } from 'pino';
import { AtError, isAtError } from './at/errors';
import { STAT, type Modem } from './modem';
import { buildSubmitPdus, tpduLengthOf, type SubmitPdu } from './pdu';
import { describe, PoolWaitAborted, type Lease, type ModemPool } from './pool';

/** How long a started multi-part message waits for its own modem before it is sent afresh. */
const RESUME_SAME_MODEM_MS = 60_000;

/**
 * Sends one message through the pool, exactly once, with failover.
 *
 * Every step is written to a journal (the database, for the worker) before the next one starts:
 *   begin attempt on modem M → part stored at SIM index i (AT+CMGW) → part submitted (AT+CMSS)
 * A part sits in the modem's storage between those steps, and the modem marks it "stored sent"
 * when it has handed it to the network. So when a run dies between AT+CMSS and the journal write,
 * the next run finds the attempt open, reads the slot back (AT+CMGR) and learns whether the part
 * left — instead of guessing and either losing the message or sending it twice.
 *
 * Failures: a definite modem-side failure (ERROR, a +CMS code about the network or storage, a
 * timeout before the part was handed over) closes the attempt, takes the modem out, and the next
 * attempt goes to another modem, until the message's deadline. A timeout *during* AT+CMSS leaves
 * the outcome unknown: the attempt stays open and the message waits for that modem to answer
 * again; if it does not before the deadline, the message fails as "outcome_unknown" rather than
 * risk a duplicate. Errors about the message itself (bad number, bad PDU) fail it at once.
 */
export type PartState = 'pending' | 'stored' | 'submitted';

export interface PartRecord {
  partNo: number;
  pdu: string;
  state: PartState;
  storageIndex: number | null;
  mr: number | null;
}

export interface AttemptRecord {
  attemptNo: number;
  imei: string;
  concatRef: number;
  parts: PartRecord[];
}

export interface SendFailure {
  code: string;
  reason: string;
}

export interface SendJournal {
  /** The attempt an earlier run left open, if any. */
  openAttempt(): Promise<AttemptRecord | null>;
  /** Modems on which this message already failed. */
  failedModems(): Promise<string[]>;
  beginAttempt(imei: string, concatRef: number, parts: SubmitPdu[]): Promise<AttemptRecord>;
  partStored(attempt: AttemptRecord, partNo: number, storageIndex: number): Promise<void>;
  partSubmitted(attempt: AttemptRecord, partNo: number, mr: number | null): Promise<void>;
  attemptFailed(attempt: AttemptRecord, failure: SendFailure): Promise<void>;
  attemptSucceeded(attempt: AttemptRecord): Promise<void>;
  messageFailed(failure: SendFailure): Promise<void>;
}

export interface OutgoingMessage {
  to: string;
  text: string;
  /** After this the message fails instead of waiting for a modem. */
  deadline: Date;
}

export type SendOutcome = { status: 'sent'; imei: string; attemptNo: number } | { status: 'failed'; code: string; reason: string };

// +CMS ERROR causes that are about the message or its recipient: another modem would fail too.
// (TS 24.011 §E.2: 1 unassigned number, 30 unknown subscriber, 96 invalid mandatory information;
// TS 27.005 §3.2.5: 304/305 invalid PDU/text mode parameter.)
const MESSAGE_ERRORS = new Set([1, 30, 96, 304, 305]);

/** An AT+CMSS whose answer never came: the network may or may not have the part. */
class UnknownOutcome extends Error {
  constructor(readonly atError: AtError) {
    super(`no answer while sending: ${atError.message}`);
  }
}

const samePdu = (a: string, b: string) => {
  // Compare the TPDU only: a modem may fill in the SIM's service centre when it stores a submit.
  const strip = (hex: string) => hex.slice(2 + 2 * parseInt(hex.slice(0, 2), 16)).toUpperCase();
  return strip(a) === strip(b);
};

export async function sendMessage(pool: ModemPool, message: OutgoingMessage, journal: SendJournal, opts: { log: Logger; signal?: AbortSignal; afterStep?: () => void }): Promise<SendOutcome> {
  const log = opts.log;
  const deadlineSignal = () => {
    const remaining = Math.max(0, message.deadline.getTime() - Date.now());
    return opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(remaining)]) : AbortSignal.timeout(remaining);
  };
  let lastFailure: SendFailure | null = null;

  const fail = async (failure: SendFailure): Promise<SendOutcome> => {
    await journal.messageFailed(failure);
    return { status: 'failed', ...failure };
  };

  let open = await journal.openAttempt();
  for (;;) {
    opts.signal?.throwIfAborted();
    let lease: Lease;
    let attempt: AttemptRecord;
    if (open) {
      attempt = open;
      open = null;
      const unresolved = attempt.parts.some((p) => p.state === 'stored');
      const started = attempt.parts.some((p) => p.state === 'submitted');
      if (!unresolved && !started) {
        // Nothing left the modem: start afresh, on any modem.
        await journal.attemptFailed(attempt, { code: 'abandoned', reason: `attempt on modem ${attempt.imei} was interrupted` });
        continue;
      }
      try {
        // A part in doubt can only be settled by the modem that holds it, and the remaining
        // parts of a started message must come from the same number or the phone cannot join
        // them. After a worker restart that modem is usually still initialising, so wait for it:
        // until the deadline when a part is in doubt, for a while when parts merely remain.
        const wait = unresolved ? deadlineSignal() : AbortSignal.any([deadlineSignal(), AbortSignal.timeout(RESUME_SAME_MODEM_MS)]);
        lease = await pool.acquire({ only: attempt.imei, signal: wait });
      } catch (err) {
        if (!(err instanceof PoolWaitAborted)) throw err;
        opts.signal?.throwIfAborted();
        if (unresolved) {
          return fail({ code: 'outcome_unknown', reason: `modem ${attempt.imei} did not come back before the deadline to say whether a part left; not resent to avoid a duplicate` });
        }
        await journal.attemptFailed(attempt, { code: 'abandoned', reason: `modem ${attempt.imei} not available` });
        continue;
      }
    } else {
      if (Date.now() >= message.deadline.getTime()) {
        return fail({ code: 'deadline', reason: `not sent before its deadline${lastFailure ? `; last error ${lastFailure.code}: ${lastFailure.reason}` : ' (no healthy modem)'}` });
      }
      try {
        lease = await pool.acquire({ avoid: new Set(await journal.failedModems()), signal: deadlineSignal() });
      } catch (err) {
        if (!(err instanceof PoolWaitAborted)) throw err;
        opts.signal?.throwIfAborted();
        continue; // the deadline check above fails the message
      }
      try {
        // A fresh reference per attempt: parts of an abandoned attempt can never join this one's.
        const concatRef = Math.floor(Math.random() * 256);
        const parts = buildSubmitPdus(message.to, message.text, { concatRef });
        attempt = await journal.beginAttempt(lease.imei, concatRef, parts);
      } catch (err) {
        lease.release();
        if (err instanceof Error && /not a phone number|too long/.test(err.message)) return fail({ code: 'invalid', reason: err.message });
        throw err;
      }
    }

    try {
      await runAttempt(lease.modem, attempt, journal, log, opts.afterStep);
      await journal.attemptSucceeded(attempt);
      return { status: 'sent', imei: attempt.imei, attemptNo: attempt.attemptNo };
    } catch (err) {
      if (err instanceof UnknownOutcome) {
        pool.reportFailure(attempt.imei, describe(err.atError));
        log.warn({ imei: attempt.imei, attempt: attempt.attemptNo }, 'send outcome unknown; waiting for the modem to settle it');
        lastFailure = { code: err.atError.shortCode, reason: err.message };
        open = attempt;
        continue;
      }
      if (!isAtError(err)) throw err; // a journal (database) failure: let the activity retry
      const failure = { code: err.shortCode, reason: err.message };
      lastFailure = failure;
      await journal.attemptFailed(attempt, failure);
      if (err.kind === 'cms' && err.code !== null && MESSAGE_ERRORS.has(err.code)) return fail(failure);
      pool.reportFailure(attempt.imei, describe(err));
      log.warn({ imei: attempt.imei, attempt: attempt.attemptNo, failure }, 'attempt failed; trying another modem');
    } finally {
      lease.release();
    }
  }
}

async function runAttempt(modem: Modem, attempt: AttemptRecord, journal: SendJournal, log: Logger, afterStep?: () => void): Promise<void> {
  for (const part of attempt.parts) {
    if (part.state === 'submitted') continue;
    if (part.state === 'stored' && part.storageIndex !== null) {
      const slot = await modem.read(part.storageIndex);
      if (slot && samePdu(slot.pdu, part.pdu) && slot.stat === STAT.stoSent) {
        log.info({ imei: attempt.imei, part: part.partNo, index: part.storageIndex }, 'part in doubt had been sent; not sending again');
        await journal.partSubmitted(attempt, part.partNo, null);
        await modem.delete(part.storageIndex).catch(() => undefined);
        continue;
      }
      if (slot && samePdu(slot.pdu, part.pdu) && slot.stat === STAT.stoUnsent) {
        await submit(modem, attempt, part, part.storageIndex, journal);
        afterStep?.();
        continue;
      }
      log.warn({ imei: attempt.imei, part: part.partNo, index: part.storageIndex }, 'stored part not found on the SIM; storing it again');
    }
    const index = await modem.store({ hex: part.pdu, tpduLength: tpduLengthOf(part.pdu) });
    await journal.partStored(attempt, part.partNo, index);
    await submit(modem, attempt, part, index, journal);
    afterStep?.();
  }
}

async function submit(modem: Modem, attempt: AttemptRecord, part: PartRecord, index: number, journal: SendJournal): Promise<void> {
  let mr: number;
  try {
    mr = await modem.sendStored(index);
  } catch (err) {
    if (isAtError(err) && (err.kind === 'timeout' || err.kind === 'closed' || err.kind === 'garbled')) throw new UnknownOutcome(err);
    // A definite refusal: the slot still holds an unsent copy; free it.
    await modem.delete(index).catch(() => undefined);
    throw err;
  }
  await journal.partSubmitted(attempt, part.partNo, mr);
  // The stored copy has served its purpose once the journal knows; a failed delete is harmless
  // (the start-up reconciliation removes unreferenced copies).
  await modem.delete(index).catch(() => undefined);
}
