import type { Knex } from 'knex';
import { pageOf, type Page, type PageParams } from '../paging';
import { containsPattern } from '../search';

/**
 * Received messages (M4, M5): tables `sms_inbound_parts` (parts of a long message, kept until
 * all have arrived) and `sms_inbound` (one row per whole message, keyed by `dedupe_key`, so a
 * message read from the SIM twice is stored once), with the topic and option a reply matched.
 */
type Db = Knex | Knex.Transaction;

export interface InboundPart {
  imei: string;
  sender: string;
  concatRef: number;
  partCount: number;
  partNo: number;
  text: string;
  sentAt: Date;
}

/** Keeps one part (again: a no-op) and answers the parts of its message received so far, in order. */
export async function storeInboundPart(db: Knex, p: InboundPart): Promise<Array<{ part_no: number; text: string; sent_at: Date }>> {
  await db('sms_inbound_parts')
    .insert({ modem_imei: p.imei, sender: p.sender, concat_ref: p.concatRef, part_count: p.partCount, part_no: p.partNo, text: p.text, sent_at: p.sentAt })
    .onConflict(['modem_imei', 'sender', 'concat_ref', 'part_count', 'part_no'])
    .ignore();
  return (await db('sms_inbound_parts').where({ modem_imei: p.imei, sender: p.sender, concat_ref: p.concatRef, part_count: p.partCount }).orderBy('part_no').select('part_no', 'text', 'sent_at')) as Array<{
    part_no: number;
    text: string;
    sent_at: Date;
  }>;
}

export interface InboundFields {
  dedupeKey: string;
  imei: string;
  sender: string;
  senderNormalised: string;
  text: string;
  sentAt: Date;
  receivedAt: Date;
}

/** Stores the message unless its key was stored before; answers its row and whether this call stored it. */
export async function insertInboundOnce(trx: Db, m: InboundFields): Promise<{ id: number; topicId: number | null; created: boolean }> {
  const [insertId] = await trx('sms_inbound')
    .insert({ dedupe_key: m.dedupeKey, modem_imei: m.imei, sender: m.sender, sender_normalised: m.senderNormalised, text: m.text, sent_at: m.sentAt, received_at: m.receivedAt })
    .onConflict('dedupe_key')
    .ignore();
  const row = (await trx('sms_inbound').where('dedupe_key', m.dedupeKey).first('id', 'topic_id')) as { id: number; topic_id: number | null };
  return { id: Number(row.id), topicId: row.topic_id, created: Boolean(insertId) };
}

export async function markInboundReply(trx: Db, id: number, topicId: number, option: string | null): Promise<void> {
  await trx('sms_inbound').where('id', id).update({ topic_id: topicId, reply_option: option });
}

export interface InboundFilter {
  sender?: string;
  modem_imei?: string;
  topic_id?: number;
}

export async function listInbound(db: Knex, params: PageParams & { filter: InboundFilter }): Promise<Page<Record<string, unknown>>> {
  const f = params.filter;
  const q = db('sms_inbound').select('id', 'modem_imei', 'sender', 'text', 'sent_at', 'received_at', 'topic_id', 'reply_option');
  if (f.sender) q.where('sender', 'like', containsPattern(f.sender));
  if (f.modem_imei) q.where('modem_imei', f.modem_imei);
  if (f.topic_id) q.where('topic_id', f.topic_id);
  return pageOf(q, params, { id: 'id', received_at: 'received_at', sender: 'sender' }, 'id');
}
