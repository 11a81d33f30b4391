import type { Knex } from 'knex';
import { acceptMessage, applyStatusReport } from '../../activities/sms/messages';
import { DbSendJournal } from '../../db/sms/journal';
import { buildSubmitPdus, type DecodedStatusReport } from '../../lib/sms/pdu';
import { freshTestDatabase } from '../helpers/db';
import { quietLog } from './helpers';

/**
 * Delivery reports against the send journal in MySQL, without modems: the network answers within
 * milliseconds, so a part's report often arrives while the sender is still writing "attempt
 * succeeded", and a long message's reports arrive together. Whatever the order, the message must
 * end delivered. (Both writers once decided from their own transaction's snapshot, each missing
 * the other's write, and left most such messages `sent` for ever.)
 */
describe('SMS delivery reports', () => {
  let db: Knex;
  const log = quietLog();
  const imei = '860000000000077';

  beforeAll(async () => {
    ({ db } = await freshTestDatabase({ seed: false }));
  });

  afterAll(async () => {
    await db?.destroy();
  });

  const delivered = (mr: number, recipient: string): DecodedStatusReport => ({ mr, recipient, serviceCentreAt: new Date(), dischargedAt: new Date(), status: 0, outcome: 'delivered' });

  /** A message sent on one attempt with every part submitted, its attempt not yet closed. */
  const submitted = async (key: string, phone: string, text: string, firstMr: number) => {
    const accepted = await acceptMessage(db, { idempotencyKey: key, to: phone, text });
    const journal = new DbSendJournal(db, accepted.messageId);
    const pdus = buildSubmitPdus(phone, text, { concatRef: firstMr });
    const attempt = await journal.beginAttempt(imei, firstMr, pdus);
    for (const p of pdus) await journal.partSubmitted(attempt, p.partNo, (firstMr + p.partNo - 1) % 256);
    return { id: accepted.messageId, journal, attempt, mrs: pdus.map((p) => (firstMr + p.partNo - 1) % 256) };
  };

  const statusOf = async (id: number) => ((await db('sms_messages').where('id', id).first('status')) as { status: string }).status;

  it('delivers a message whose report races the sender’s last write', async () => {
    for (let i = 0; i < 25; i++) {
      const phone = `1380000${String(i).padStart(4, '0')}`;
      const m = await submitted(`race-one-${i}`, phone, '您的办件已受理。', i);
      await Promise.all([m.journal.attemptSucceeded(m.attempt), applyStatusReport(db, imei, delivered(m.mrs[0], phone), log)]);
      expect(await statusOf(m.id)).toBe('delivered');
    }
  });

  it('delivers a long message whose parts’ reports arrive together', async () => {
    for (let i = 0; i < 10; i++) {
      const phone = `1390000${String(i).padStart(4, '0')}`;
      const m = await submitted(`race-long-${i}`, phone, '长'.repeat(67 * 3), 100 + i * 3);
      await Promise.all([m.journal.attemptSucceeded(m.attempt), ...m.mrs.map((mr) => applyStatusReport(db, imei, delivered(mr, phone), log))]);
      expect(await statusOf(m.id)).toBe('delivered');
    }
  });

  it('matches a report only once its part is recorded as submitted, and delivers then', async () => {
    const phone = '13700000001';
    const accepted = await acceptMessage(db, { idempotencyKey: 'early-report', to: phone, text: '早到的回执' });
    const journal = new DbSendJournal(db, accepted.messageId);
    const [pdu] = buildSubmitPdus(phone, '早到的回执', { concatRef: 7 });
    const attempt = await journal.beginAttempt(imei, 7, [pdu]);
    // The report overtook the journal write: nothing matches yet (the runtime tries again).
    expect(await applyStatusReport(db, imei, delivered(200, phone), log)).toBe('unmatched');
    await journal.partSubmitted(attempt, 1, 200);
    expect(await applyStatusReport(db, imei, delivered(200, phone), log)).toBe('matched');
    await journal.attemptSucceeded(attempt);
    expect(await statusOf(accepted.messageId)).toBe('delivered');
  });
});
