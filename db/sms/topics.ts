import type { Knex } from 'knex';
import type { TopicOptions } from '../../lib/sms/topics';

/**
 * Reply topics (M4): tables `sms_topics` (a question sent by SMS, with its answer options and the
 * workflow waiting for replies), `sms_topic_recipients` (the phones it went to) and
 * `sms_topic_replies` (each reply matched to it — also the outbox of the `smsReply` signals: a
 * reply is stored first and signalled after, so none is lost while Temporal is away).
 */
type Db = Knex | Knex.Transaction;

// Options are a JSON column: MariaDB hands it back as text, MySQL parsed.
const optionsOf = (raw: unknown): TopicOptions => (typeof raw === 'string' ? JSON.parse(raw) : raw) as TopicOptions;

export interface TopicFields {
  topicKey: string;
  workflowId: string;
  question: string;
  options: TopicOptions;
  closesAt: Date;
}

/** Opens the topic unless its key was opened before (a retried activity); answers its id. */
export async function insertTopicOnce(trx: Db, t: TopicFields): Promise<number> {
  await trx('sms_topics')
    .insert({ topic_key: t.topicKey, workflow_id: t.workflowId, question: t.question, options: JSON.stringify(t.options), status: 'open', closes_at: t.closesAt })
    .onConflict('topic_key')
    .ignore();
  return Number(((await trx('sms_topics').where('topic_key', t.topicKey).first('id')) as { id: number }).id);
}

export async function addTopicRecipient(trx: Db, topicId: number, phoneNormalised: string, messageId: number): Promise<void> {
  await trx('sms_topic_recipients').insert({ topic_id: topicId, phone_normalised: phoneNormalised, message_id: messageId }).onConflict(['topic_id', 'phone_normalised']).ignore();
}

export async function closeTopic(db: Knex, topicId: number): Promise<void> {
  await db('sms_topics').where('id', topicId).update({ status: 'closed' });
}

/** The topic a reply from this phone at this time answers, if any: the newest open one sent to it. */
export async function openTopicForPhone(trx: Db, phoneNormalised: string, at: Date): Promise<{ id: number; options: TopicOptions } | undefined> {
  const topic = (await trx('sms_topics as t')
    .join('sms_topic_recipients as r', 'r.topic_id', 't.id')
    .where('r.phone_normalised', phoneNormalised)
    .where('t.status', 'open')
    .where('t.opened_at', '<=', at)
    .where('t.closes_at', '>=', at)
    .orderBy('t.opened_at', 'desc')
    .orderBy('t.id', 'desc')
    .first('t.id', 't.options')) as { id: number; options: unknown } | undefined;
  return topic ? { id: Number(topic.id), options: optionsOf(topic.options) } : undefined;
}

/** A topic with its options and how many phones it went to. */
export async function findTopic(db: Knex, id: number): Promise<(Record<string, unknown> & { options: TopicOptions; recipients: number }) | undefined> {
  const topic = (await db('sms_topics').where('id', id).first()) as Record<string, unknown> | undefined;
  if (!topic) return undefined;
  const recipients = (await db('sms_topic_recipients').where('topic_id', id).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return { ...topic, options: optionsOf(topic.options), recipients: Number(recipients?.n ?? 0) };
}

export interface ReplyFields {
  topicId: number;
  inboundId: number;
  phoneNormalised: string;
  option: string | null;
  text: string;
  receivedAt: Date;
}

export async function insertReply(trx: Db, r: ReplyFields): Promise<number> {
  const [id] = await trx('sms_topic_replies').insert({
    topic_id: r.topicId,
    inbound_id: r.inboundId,
    phone_normalised: r.phoneNormalised,
    option_key: r.option,
    text: r.text,
    received_at: r.receivedAt,
  });
  return Number(id);
}

export async function replyIdOfInbound(trx: Db, inboundId: number): Promise<number | null> {
  const reply = (await trx('sms_topic_replies').where('inbound_id', inboundId).first('id')) as { id: number } | undefined;
  return reply ? Number(reply.id) : null;
}

/** Counts per option, the latest reply of each phone counting once. */
export async function topicCounts(db: Knex, topicId: number): Promise<{ counts: Record<string, number>; unrecognised: number; replies: number }> {
  const latest = db('sms_topic_replies').where('topic_id', topicId).groupBy('phone_normalised').max({ id: 'id' });
  const rows = (await db('sms_topic_replies').whereIn('id', latest).select('option_key')) as Array<{ option_key: string | null }>;
  const counts: Record<string, number> = {};
  let unrecognised = 0;
  for (const r of rows) {
    if (r.option_key === null) unrecognised++;
    else counts[r.option_key] = (counts[r.option_key] ?? 0) + 1;
  }
  return { counts, unrecognised, replies: rows.length };
}

export interface PendingReplySignal {
  id: number;
  topic_id: number;
  phone_normalised: string;
  option_key: string | null;
  text: string;
  received_at: Date;
  topic_key: string;
  workflow_id: string;
}

/** Replies not signalled yet, oldest first, a bounded batch (the outbox's next round). */
export async function pendingReplySignals(db: Knex, limit = 200): Promise<PendingReplySignal[]> {
  return (await db('sms_topic_replies as r')
    .join('sms_topics as t', 't.id', 'r.topic_id')
    .whereNull('r.signalled_at')
    .orderBy('r.id')
    .limit(limit)
    .select('r.id', 'r.topic_id', 'r.phone_normalised', 'r.option_key', 'r.text', 'r.received_at', 't.topic_key', 't.workflow_id')) as PendingReplySignal[];
}

/** The reply is off the outbox: signalled, or (with `error`) kept though no workflow waits for it. */
export async function markReplySignalled(db: Knex, id: number, error?: string): Promise<void> {
  await db('sms_topic_replies')
    .where('id', id)
    .update({ signalled_at: new Date(), ...(error ? { signal_error: error.slice(0, 255) } : {}) });
}
