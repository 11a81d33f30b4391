import { maskedPhoneSql, type Db } from './common';

/**
 * SMS (db/sms/*): after the retention a message keeps its row, status, times, modem and part
 * count (the statistics of M5 and the case histories' "sent" entries stay true) but loses its
 * text, the PDUs that carry number and text, and all but a masked number. Received messages
 * and topic replies likewise; reassembly parts and topic recipient lists, which only serve
 * while a message or topic is live, are deleted. Only messages in a final status are touched,
 * so a message still being delivered is never changed under the SMS worker.
 */
const FINAL = ['sent', 'delivered', 'failed'];

/** Outbound messages not yet redacted, created before `before`, optionally only one person's. */
export async function messagesToRedact(db: Db, opts: { before?: Date; userId?: number; phoneNormalised?: string | null }, limit: number): Promise<number[]> {
  const q = db('sms_messages').whereNull('redacted_at').whereIn('status', FINAL);
  if (opts.before) q.where('created_at', '<', opts.before);
  if (opts.userId !== undefined) {
    const phone = opts.phoneNormalised;
    q.where((w) => {
      w.where('user_id', opts.userId!);
      if (phone) w.orWhere('phone_normalised', phone);
    });
  }
  return (await q
    .orderBy(opts.before ? 'created_at' : 'id')
    .limit(limit)
    .pluck('id')) as number[];
}

export async function redactMessages(trx: Db, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  // Left to right: phone is written from the number before phone_normalised is masked. The
  // "#<id>" keeps (notice_id, phone) unique, as two numbers can share a mask.
  const changed = await trx('sms_messages')
    .whereIn('id', ids)
    .whereNull('redacted_at')
    .update({
      phone: trx.raw(`CONCAT(${maskedPhoneSql('phone_normalised')}, '#', id)`),
      phone_normalised: trx.raw(maskedPhoneSql('phone_normalised')),
      text: '',
      redacted_at: trx.fn.now(3),
    });
  await trx('sms_segments').whereIn('message_id', ids).update({ pdu: '' });
  return changed;
}

export async function inboundToRedact(db: Db, opts: { before?: Date; senderNormalised?: string | null }, limit: number): Promise<number[]> {
  if (!opts.before && !opts.senderNormalised) return [];
  const q = db('sms_inbound').whereNull('redacted_at');
  if (opts.before) q.where('received_at', '<', opts.before);
  if (opts.senderNormalised) q.where('sender_normalised', opts.senderNormalised);
  return (await q
    .orderBy(opts.before ? 'received_at' : 'id')
    .limit(limit)
    .pluck('id')) as number[];
}

export async function redactInbound(trx: Db, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  return trx('sms_inbound')
    .whereIn('id', ids)
    .whereNull('redacted_at')
    .update({
      // The dedupe key names the sender; the message is long past any duplicate delivery.
      dedupe_key: trx.raw("CONCAT('redacted#', id)"),
      sender: trx.raw(maskedPhoneSql('sender_normalised')),
      sender_normalised: trx.raw(maskedPhoneSql('sender_normalised')),
      text: '',
      redacted_at: trx.fn.now(3),
    });
}

export async function repliesToRedact(db: Db, opts: { before?: Date; phoneNormalised?: string | null }, limit: number): Promise<number[]> {
  if (!opts.before && !opts.phoneNormalised) return [];
  const q = db('sms_topic_replies').whereNull('redacted_at');
  if (opts.before) q.where('received_at', '<', opts.before);
  if (opts.phoneNormalised) q.where('phone_normalised', opts.phoneNormalised);
  return (await q
    .orderBy(opts.before ? 'received_at' : 'id')
    .limit(limit)
    .pluck('id')) as number[];
}

export async function redactReplies(trx: Db, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  return trx('sms_topic_replies')
    .whereIn('id', ids)
    .whereNull('redacted_at')
    .update({ phone_normalised: trx.raw(maskedPhoneSql('phone_normalised')), text: '', redacted_at: trx.fn.now(3) });
}

/** Parts of long received messages, kept only until the whole message is assembled. */
export async function deleteInboundParts(db: Db, before: Date, limit: number): Promise<number> {
  return db('sms_inbound_parts').where('created_at', '<', before).limit(limit).delete();
}

/** Who a closed topic was sent to (topic, phone): needed only while replies can come in. */
export async function deleteTopicRecipients(db: Db, opts: { closedBefore?: Date; phoneNormalised?: string | null }, limit: number): Promise<number> {
  if (!opts.closedBefore && !opts.phoneNormalised) return 0;
  const q = db('sms_topic_recipients as r').join('sms_topics as t', 't.id', 'r.topic_id');
  if (opts.closedBefore) q.where('t.closes_at', '<', opts.closedBefore);
  // A person's own deletion request: only topics no longer open, so a running vote is not broken.
  if (opts.phoneNormalised) q.where('r.phone_normalised', opts.phoneNormalised).where((w) => w.where('t.status', '<>', 'open').orWhere('t.closes_at', '<', db.fn.now(3)));
  const keys = (await q.limit(limit).select('r.topic_id', 'r.phone_normalised')) as Array<{ topic_id: number; phone_normalised: string }>;
  if (keys.length === 0) return 0;
  return db('sms_topic_recipients')
    .whereIn(
      ['topic_id', 'phone_normalised'],
      keys.map((k) => [k.topic_id, k.phone_normalised]),
    )
    .delete();
}
