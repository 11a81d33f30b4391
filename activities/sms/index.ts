import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { findMessage } from '../../db/sms/messages';
import { closeTopic } from '../../db/sms/topics';
import type { ModemPool } from '../../lib/sms/pool';
import { acceptMessage, deliverMessage, InvalidSmsError, type DeliveryResult } from './messages';
import { finishNotice, loadNotice, prepareNoticeMessages } from './notices';
import { openTopic, type OpenTopicInput } from './topics';

/**
 * The SMS worker's activities (task queue "sms"). Other workflows send SMS only through these:
 *
 *   sendSms({ to, text, idempotencyKey, sendAt? })  – accept once, deliver durably; returns at once
 *   openSmsTopic({ topicKey, workflowId, phones, question, options, ttlMinutes })
 *                                                    – ask a question; replies come back as signals
 *                                                      (see workflows/sms/ask.ts for the helper)
 * and the SMS workflows use the rest. Every activity is idempotent: its writes are keyed
 * (idempotency key, notice + phone, topic key), so a retry finds the work already done.
 */
export interface SmsActivityDeps {
  db: Knex;
  pool: ModemPool;
  client: Client;
  log: Logger;
  /** The queue the SMS workflows run on (this worker's). */
  taskQueue: string;
  /** How long a message may try modems before it fails; counted from its first attempt. */
  sendWindowMs?: number;
}

export interface SendSmsInput {
  to: string;
  text: string;
  /** The caller's key for this message: the same key is the same message, sent once. */
  idempotencyKey: string;
  /** ISO time to send at; omitted or past = now. */
  sendAt?: string | null;
  userId?: number | null;
}

export interface SendSmsResult {
  messageId: number;
  status: string;
  workflowId: string;
}

export const DEFAULT_SEND_WINDOW_MS = 10 * 60_000;

/** Activities that wait on modems heartbeat, so a dead worker's attempt is retried promptly. */
async function withHeartbeat<T>(run: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  let ctx: Context | null = null;
  try {
    ctx = Context.current();
  } catch {
    // Called outside an activity (benchmark, script): no heartbeats.
  }
  if (!ctx) return run();
  const context = ctx;
  const timer = setInterval(() => context.heartbeat(), 2_000);
  try {
    return await run(context.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}

/** Bad input is the caller's mistake: fail without retries, with the reason. */
async function nonRetryableOnBadInput<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof InvalidSmsError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidSms');
    throw err;
  }
}

/**
 * The delivery workflow's id: the message row's id and its creation instant. The id alone is not
 * enough, because a database can be recreated while Temporal keeps its workflows (a reset
 * development database, or the tests' per-file databases sharing one server), and row ids start
 * again; the creation instant tells those messages apart. Both are read from the row, so a
 * retried activity derives the same id and starts nothing twice.
 */
export function deliveryWorkflowId(messageId: number, createdAt: Date): string {
  return `sms-message-${messageId}-${createdAt.getTime()}`;
}

export function createSmsActivities(deps: SmsActivityDeps) {
  const { db, log } = deps;
  const sendWindowMs = deps.sendWindowMs ?? DEFAULT_SEND_WINDOW_MS;

  /** Starts the message's delivery workflow, once (its id is derived from the message). */
  const startDelivery = async (messageId: number, sendAt: string | null | undefined): Promise<string> => {
    const row = await findMessage(db, messageId);
    if (!row) throw new Error(`message ${messageId} does not exist`);
    const workflowId = deliveryWorkflowId(messageId, row.created_at);
    try {
      await deps.client.workflow.start('smsDeliveryWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId,
        args: [{ messageId, sendAt: sendAt ?? null }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return workflowId;
  };

  return {
    async sendSms(input: SendSmsInput): Promise<SendSmsResult> {
      return nonRetryableOnBadInput(async () => {
        const accepted = await acceptMessage(db, { idempotencyKey: input.idempotencyKey, to: input.to, text: input.text, sendAt: input.sendAt ?? null, userId: input.userId ?? null });
        const workflowId = await startDelivery(accepted.messageId, input.sendAt);
        return { messageId: accepted.messageId, status: accepted.status, workflowId };
      });
    },

    async deliverSms(messageId: number): Promise<DeliveryResult> {
      return nonRetryableOnBadInput(() => withHeartbeat((signal) => deliverMessage({ ...deps, sendWindowMs }, messageId, signal)));
    },

    /** Delivers several messages at once (a notice's batch); the pool spreads them over the modems. */
    async deliverSmsBatch(messageIds: number[]): Promise<{ sent: number; failed: number }> {
      return withHeartbeat(async (signal) => {
        const results = await Promise.all(messageIds.map((id) => deliverMessage({ ...deps, sendWindowMs }, id, signal)));
        return {
          sent: results.filter((r) => r.status === 'sent' || r.status === 'delivered').length,
          failed: results.filter((r) => r.status === 'failed').length,
        };
      });
    },

    async loadNotice(noticeId: number) {
      return loadNotice(db, noticeId);
    },

    async prepareNoticeMessages(noticeId: number): Promise<number[] | null> {
      return prepareNoticeMessages(db, noticeId, log);
    },

    async finishNotice(noticeId: number, outcome: 'done' | 'cancelled') {
      return finishNotice(db, noticeId, outcome);
    },

    async openSmsTopic(input: OpenTopicInput): Promise<{ topicId: number; messageIds: number[] }> {
      return nonRetryableOnBadInput(async () => {
        const topic = await openTopic(db, input);
        for (const m of topic.messages) await startDelivery(m.messageId, null);
        return { topicId: topic.topicId, messageIds: topic.messages.map((m) => m.messageId) };
      });
    },

    async closeSmsTopic(topicId: number): Promise<void> {
      await closeTopic(db, topicId);
    },
  };
}

export type SmsActivities = ReturnType<typeof createSmsActivities>;
