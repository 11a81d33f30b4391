import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { insertInboundOnce, markInboundReply, storeInboundPart } from '../../db/sms/inbound';
import { insertReply, replyIdOfInbound } from '../../db/sms/topics';
import { normalisePhone } from '../../lib/sms/phone';
import type { InboundSms } from '../../lib/sms/pool';
import { matchTopic } from './topics';

/**
 * Received messages. The pool deletes a message from the SIM only after this has stored it, and
 * every write here is keyed, so a message read twice (a crash between storing and deleting) is
 * stored once. Parts of a long message are kept until all have arrived, then joined.
 */
export interface StoredInbound {
  inboundId: number;
  created: boolean;
  topicId: number | null;
  replyId: number | null;
}

export async function storeInbound(db: Knex, sms: InboundSms): Promise<StoredInbound | null> {
  const m = sms.message;
  const sender = m.from.slice(0, 32);
  let text = m.text;
  let sentAt = m.sentAt;
  let dedupeKey: string;
  if (m.concat && m.concat.total > 1) {
    const parts = await storeInboundPart(db, { imei: sms.imei, sender, concatRef: m.concat.ref, partCount: m.concat.total, partNo: m.concat.seq, text: m.text, sentAt: m.sentAt });
    if (parts.length < m.concat.total) return null;
    text = parts.map((p) => p.text).join('');
    sentAt = parts[0].sent_at;
    dedupeKey = `${sms.imei}|${sender}|c${m.concat.ref}/${m.concat.total}|${new Date(sentAt).toISOString()}`;
  } else {
    dedupeKey = `${sms.imei}|${sender}|${m.sentAt.toISOString()}|${crypto.createHash('sha1').update(text).digest('hex')}`;
  }

  return db.transaction(async (trx) => {
    const receivedAt = new Date();
    const sender_normalised = normalisePhone(sender).slice(0, 32);
    const row = await insertInboundOnce(trx, { dedupeKey, imei: sms.imei, sender, senderNormalised: sender_normalised, text, sentAt, receivedAt });
    const inboundId = row.id;
    if (!row.created) return { inboundId, created: false, topicId: row.topicId, replyId: await replyIdOfInbound(trx, inboundId) };
    const match = await matchTopic(trx, sender_normalised, text, receivedAt);
    if (!match) return { inboundId, created: true, topicId: null, replyId: null };
    await markInboundReply(trx, inboundId, match.topicId, match.option);
    const replyId = await insertReply(trx, { topicId: match.topicId, inboundId, phoneNormalised: sender_normalised, option: match.option, text, receivedAt });
    return { inboundId, created: true, topicId: match.topicId, replyId };
  });
}
