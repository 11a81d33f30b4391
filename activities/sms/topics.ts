import type { Knex } from 'knex';
import { addTopicRecipient, insertTopicOnce, openTopicForPhone } from '../../db/sms/topics';
import { normalisePhone } from '../../lib/sms/phone';
import { parseReply, topicText, type TopicOptions } from '../../lib/sms/topics';
import { acceptMessage, InvalidSmsError } from './messages';

/**
 * Reply topics (M4): a question sent by SMS with numbered answers ("回复1同意，回复2不同意"). A
 * reply is matched to the newest open topic sent to the same phone; it is counted once per phone
 * (the latest answer counts) and handed to the workflow that asked, by a Temporal signal. The
 * wording and reply parsing are pure rules in lib/sms/topics.ts.
 */
export interface OpenTopicInput {
  /** Unique per question: a retried activity reopens the same topic. */
  topicKey: string;
  /** The workflow that waits for the replies (it receives the `smsReply` signal). */
  workflowId: string;
  phones: string[];
  question: string;
  /** Answer key → label, e.g. { "1": "同意", "2": "不同意", "3": "了解详情" }. */
  options: TopicOptions;
  /** How long replies are accepted. */
  ttlMinutes: number;
}

export async function openTopic(db: Knex, input: OpenTopicInput): Promise<{ topicId: number; messages: Array<{ messageId: number; phone: string; created: boolean }> }> {
  const keys = Object.keys(input.options);
  if (!keys.length || keys.some((k) => !/^[0-9A-Za-z]{1,16}$/.test(k))) throw new InvalidSmsError('options need keys of 1–16 letters or digits');
  if (!input.phones.length) throw new InvalidSmsError('a topic needs at least one phone');
  return db.transaction(async (trx) => {
    const topicId = await insertTopicOnce(trx, {
      topicKey: input.topicKey,
      workflowId: input.workflowId,
      question: input.question,
      options: input.options,
      closesAt: new Date(Date.now() + input.ttlMinutes * 60_000),
    });
    const text = topicText(input.question, input.options);
    const messages = [];
    for (const phone of [...new Set(input.phones.map((p) => p.trim()))]) {
      const accepted = await acceptMessage(trx, { idempotencyKey: `topic:${input.topicKey}:${normalisePhone(phone)}`, to: phone, text, topicId });
      await addTopicRecipient(trx, topicId, normalisePhone(phone), accepted.messageId);
      messages.push({ messageId: accepted.messageId, phone, created: accepted.created });
    }
    return { topicId, messages };
  });
}

export interface TopicMatch {
  topicId: number;
  option: string | null;
}

/** The open topic a reply from this phone answers, if any: the newest one sent to it. */
export async function matchTopic(trx: Knex.Transaction, phoneNormalised: string, text: string, at: Date): Promise<TopicMatch | null> {
  const topic = await openTopicForPhone(trx, phoneNormalised, at);
  return topic ? { topicId: topic.id, option: parseReply(text, topic.options) } : null;
}
