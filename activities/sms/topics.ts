import type { Knex } from 'knex';
import { normalisePhone } from '../../lib/sms/phone';
import { acceptMessage, InvalidSmsError } from './messages';

/**
 * Reply topics (M4): a question sent by SMS with numbered answers ("回复1同意，回复2不同意"). A
 * reply is matched to the newest open topic sent to the same phone; it is counted once per phone
 * (the latest answer counts) and handed to the workflow that asked, by a Temporal signal.
 */
export interface OpenTopicInput {
  /** Unique per question: a retried activity reopens the same topic. */
  topicKey: string;
  /** The workflow that waits for the replies (it receives the `smsReply` signal). */
  workflowId: string;
  phones: string[];
  question: string;
  /** Answer key → label, e.g. { "1": "同意", "2": "不同意", "3": "了解详情" }. */
  options: Record<string, string>;
  /** How long replies are accepted. */
  ttlMinutes: number;
}

export function topicText(question: string, options: Record<string, string>): string {
  const choices = Object.entries(options).map(([key, label]) => `回复${key}${label}`).join('，');
  return `${question}（${choices}）`;
}

export async function openTopic(db: Knex, input: OpenTopicInput): Promise<{ topicId: number; messages: Array<{ messageId: number; phone: string; created: boolean }> }> {
  const keys = Object.keys(input.options);
  if (!keys.length || keys.some((k) => !/^[0-9A-Za-z]{1,16}$/.test(k))) throw new InvalidSmsError('options need keys of 1–16 letters or digits');
  if (!input.phones.length) throw new InvalidSmsError('a topic needs at least one phone');
  return db.transaction(async (trx) => {
    await trx('sms_topics')
      .insert({
        topic_key: input.topicKey,
        workflow_id: input.workflowId,
        question: input.question,
        options: JSON.stringify(input.options),
        status: 'open',
        closes_at: new Date(Date.now() + input.ttlMinutes * 60_000),
      })
      .onConflict('topic_key')
      .ignore();
    const topic = await trx('sms_topics').where('topic_key', input.topicKey).first('id');
    const text = topicText(input.question, input.options);
    const messages = [];
    for (const phone of [...new Set(input.phones.map((p) => p.trim()))]) {
      const accepted = await acceptMessage(trx, { idempotencyKey: `topic:${input.topicKey}:${normalisePhone(phone)}`, to: phone, text, topicId: topic.id });
      await trx('sms_topic_recipients')
        .insert({ topic_id: topic.id, phone_normalised: normalisePhone(phone), message_id: accepted.messageId })
        .onConflict(['topic_id', 'phone_normalised'])
        .ignore();
      messages.push({ messageId: accepted.messageId, phone, created: accepted.created });
    }
    return { topicId: Number(topic.id), messages };
  });
}

/** The option a reply names: "1", "１", " 1。", "同意" (a label) all count; anything else is null. */
export function parseReply(text: string, options: Record<string, string>): string | null {
  const halfWidth = text.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  const cleaned = halfWidth.trim().replace(/^[\s"'“”‘’【[(（]+|[\s.,!?。，！？、;；:：'"“”’】\])）]+$/g, '');
  const first = cleaned.split(/[\s,，.。:：、]+/)[0] ?? '';
  const byKey = Object.keys(options).find((k) => k.toLowerCase() === first.toLowerCase());
  if (byKey) return byKey;
  const byLabel = Object.entries(options).find(([, label]) => label === cleaned);
  return byLabel ? byLabel[0] : null;
}

export interface TopicMatch {
  topicId: number;
  option: string | null;
}

/** The open topic a reply from this phone answers, if any: the newest one sent to it. */
export async function matchTopic(trx: Knex.Transaction, phoneNormalised: string, text: string, at: Date): Promise<TopicMatch | null> {
  const topic = await trx('sms_topics as t')
    .join('sms_topic_recipients as r', 'r.topic_id', 't.id')
    .where('r.phone_normalised', phoneNormalised)
    .where('t.status', 'open')
    .where('t.opened_at', '<=', at)
    .where('t.closes_at', '>=', at)
    .orderBy('t.opened_at', 'desc')
    .orderBy('t.id', 'desc')
    .first('t.id', 't.options');
  if (!topic) return null;
  const options = (typeof topic.options === 'string' ? JSON.parse(topic.options) : topic.options) as Record<string, string>;
  return { topicId: Number(topic.id), option: parseReply(text, options) };
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
