import crypto from 'node:crypto';
import type { Knex } from 'knex';
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
    await db('sms_inbound_parts')
      .insert({ modem_imei: sms.imei, sender, concat_ref: m.concat.ref, part_count: m.concat.total, part_no: m.concat.seq, text: m.text, sent_at: m.sentAt })
      .onConflict(['modem_imei', 'sender', 'concat_ref', 'part_count', 'part_no'])
      .ignore();
    const parts = await db('sms_inbound_parts')
      .where({ modem_imei: sms.imei, sender, concat_ref: m.concat.ref, part_count: m.concat.total })
      .orderBy('part_no')
      .select('part_no', 'text', 'sent_at');
    if (parts.length < m.concat.total) return null;
    text = parts.map((p: { text: string }) => p.text).join('');
    sentAt = parts[0].sent_at;
    dedupeKey = `${sms.imei}|${sender}|c${m.concat.ref}/${m.concat.total}|${new Date(sentAt).toISOString()}`;
  } else {
    dedupeKey = `${sms.imei}|${sender}|${m.sentAt.toISOString()}|${crypto.createHash('sha1').update(text).digest('hex')}`;
  }

  return db.transaction(async (trx) => {
    const receivedAt = new Date();
    const sender_normalised = normalisePhone(sender).slice(0, 32);
    const [insertId] = await trx('sms_inbound')
      .insert({ dedupe_key: dedupeKey, modem_imei: sms.imei, sender, sender_normalised, text, sent_at: sentAt, received_at: receivedAt })
      .onConflict('dedupe_key')
      .ignore();
    const row = await trx('sms_inbound').where('dedupe_key', dedupeKey).first('id', 'topic_id', 'received_at');
    const inboundId = Number(row.id);
    if (!insertId) {
      const reply = await trx('sms_topic_replies').where('inbound_id', inboundId).first('id');
      return { inboundId, created: false, topicId: row.topic_id, replyId: reply ? Number(reply.id) : null };
    }
    const match = await matchTopic(trx, sender_normalised, text, receivedAt);
    if (!match) return { inboundId, created: true, topicId: null, replyId: null };
    await trx('sms_inbound').where('id', inboundId).update({ topic_id: match.topicId, reply_option: match.option });
    const [replyId] = await trx('sms_topic_replies').insert({
      topic_id: match.topicId,
      inbound_id: inboundId,
      phone_normalised: sender_normalised,
      option_key: match.option,
      text,
      received_at: receivedAt,
    });
    return { inboundId, created: true, topicId: match.topicId, replyId: Number(replyId) };
  });
}
