import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SmsActivities } from '../../activities/sms';
import { normalisePhone } from '../../lib/sms/phone';
import { smsReplySignal, type SmsReply } from './signals';

/**
 * Asking people a question by SMS from any workflow (M4), e.g. a case waiting for an owner's
 * answer:
 *
 *   import { askBySms } from '../sms/ask';
 *   const result = await askBySms({
 *     key: 'committee-consent',
 *     phones: [ownerPhone],
 *     question: '平江新村业委会换届方案已公示，您是否同意？',
 *     options: { '1': '同意', '2': '不同意', '3': '了解详情' },
 *     timeoutMs: 3 * 86_400_000,
 *   });
 *   if (result.answer?.option === '1') …
 *
 * The SMS worker sends the question, matches replies to it by the sender's phone and time, and
 * signals each one to this workflow (signal `smsReply`). The helper returns on the first reply
 * that names an option (or, with `until: 'all'`, when every phone has answered), or when the
 * timeout passes. It must run inside a workflow; the calling workflow's worker needs nothing
 * extra, the activities run on the SMS worker's queue.
 */

/** Equal to TASK_QUEUES.sms in lib/config.ts, which workflow code cannot import (a test checks). */
export const SMS_TASK_QUEUE = 'sms';

export interface AskBySmsOptions {
  /** Names the question within this workflow; the same key is the same question on replay or retry. */
  key: string;
  phones: string[];
  question: string;
  options: Record<string, string>;
  timeoutMs: number;
  until?: 'first' | 'all';
  /** Override the SMS worker's queue (tests). */
  taskQueue?: string;
}

export interface AskBySmsResult {
  topicId: number;
  /** Every reply received before returning, in order. */
  replies: SmsReply[];
  /** The first reply that named an option, if any. */
  answer: SmsReply | null;
  /** Latest option per phone, counted. */
  counts: Record<string, number>;
  timedOut: boolean;
}

// Replies for every question this workflow asked, kept per workflow execution.
const received: SmsReply[] = [];
let handlerInstalled = false;

function listen(): void {
  if (handlerInstalled) return;
  handlerInstalled = true;
  setHandler(smsReplySignal, (reply) => {
    if (!received.some((r) => r.replyId === reply.replyId)) received.push(reply);
  });
}

export async function askBySms(opts: AskBySmsOptions): Promise<AskBySmsResult> {
  listen();
  const { openSmsTopic } = proxyActivities<SmsActivities>({
    taskQueue: opts.taskQueue ?? SMS_TASK_QUEUE,
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['InvalidSms'] },
  });
  const workflowId = workflowInfo().workflowId;
  const topicKey = `${workflowId}/${opts.key}`.slice(0, 191);
  const { topicId } = await openSmsTopic({
    topicKey,
    workflowId,
    phones: opts.phones,
    question: opts.question,
    options: opts.options,
    ttlMinutes: Math.ceil(opts.timeoutMs / 60_000),
  });
  const mine = () => received.filter((r) => r.topicKey === topicKey);
  const answeredPhones = () =>
    new Set(
      mine()
        .filter((r) => r.option !== null)
        .map((r) => r.phone),
    );
  const done = () => (opts.until === 'all' ? answeredPhones().size >= new Set(opts.phones.map(normalisePhone)).size : mine().some((r) => r.option !== null));
  const finished = await condition(done, opts.timeoutMs);
  const latest = new Map<string, SmsReply>();
  for (const r of mine()) if (r.option !== null) latest.set(r.phone, r);
  const counts: Record<string, number> = {};
  for (const r of latest.values()) counts[r.option!] = (counts[r.option!] ?? 0) + 1;
  return { topicId, replies: mine(), answer: mine().find((r) => r.option !== null) ?? null, counts, timedOut: !finished };
}
