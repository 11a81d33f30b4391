import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { ModemPool, ModemSnapshot } from '../../lib/sms/pool';
import { smsReplySignal, type SmsReply } from '../../workflows/sms/signals';
import { saveModemStatus } from '../../db/sms/modems';
import { markReplySignalled, pendingReplySignals } from '../../db/sms/topics';
import { storeInbound } from './inbound';
import { applyStatusReport } from './messages';

/**
 * What the SMS worker does besides running activities: it stores what the modems receive
 * (messages, delivery reports), records modem health, and passes replies on to the workflows
 * waiting for them. Reply signals go out from a table (an outbox): a reply is stored first and
 * signalled after, and a signal that failed is sent again on the next round, so none is lost
 * when Temporal is briefly unreachable.
 */
export interface SmsRuntime {
  /** Sends every reply signal not sent yet. */
  flushReplySignals(): Promise<number>;
  stop(): void;
}

export function attachSmsRuntime(opts: { db: Knex; pool: ModemPool; client: Client; log: Logger; signalEveryMs?: number; reportRetryDelaysMs?: number[] }): SmsRuntime {
  const { db, pool, client, log } = opts;
  let flushing: Promise<number> | null = null;

  const flushOnce = async (): Promise<number> => {
    const pending = await pendingReplySignals(db);
    let sent = 0;
    for (const r of pending) {
      const reply: SmsReply = {
        replyId: Number(r.id),
        topicId: Number(r.topic_id),
        topicKey: r.topic_key,
        phone: r.phone_normalised,
        option: r.option_key,
        text: r.text,
        receivedAt: new Date(r.received_at).toISOString(),
      };
      try {
        await client.workflow.getHandle(r.workflow_id).signal(smsReplySignal, reply);
        await markReplySignalled(db, r.id);
        sent++;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          // The workflow has finished: the reply is kept and counted, but no one waits for it.
          await markReplySignalled(db, r.id, 'workflow not running');
        } else {
          log.warn({ err, replyId: r.id }, 'reply signal failed; will retry');
          break;
        }
      }
    }
    return sent;
  };

  const flushReplySignals = (): Promise<number> => {
    // One flush at a time; a call during a flush waits for it and then runs again.
    const previous = flushing ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(flushOnce);
    flushing = next.finally(() => {
      if (flushing === next) flushing = null;
    });
    return next;
  };

  pool.onInbound(async (sms) => {
    const stored = await storeInbound(db, sms);
    if (stored?.replyId) void flushReplySignals().catch((err) => log.warn({ err }, 'reply signal flush failed'));
  });
  // A report can overtake the write that records its part as submitted (the network answers
  // within milliseconds, the database is busy): an unmatched report is tried again for a while
  // before it is given up, so a fast delivery is never lost.
  const retryDelaysMs = opts.reportRetryDelaysMs ?? [250, 500, 1_000, 2_000, 4_000, 8_000];
  pool.onStatusReport(async (imei, report) => {
    if ((await applyStatusReport(db, imei, report, log)) === 'matched') return;
    void (async () => {
      for (const delay of retryDelaysMs) {
        await new Promise((r) => setTimeout(r, delay).unref());
        if ((await applyStatusReport(db, imei, report, log)) === 'matched') return;
      }
      log.info({ imei, mr: report.mr }, 'status report matched no sent part; dropped');
    })().catch((err) => log.warn({ err }, 'status report retry failed'));
  });
  const onStatus = (snapshot: ModemSnapshot) => void saveModemStatus(db, snapshot).catch((err) => log.warn({ err }, 'could not save modem status'));
  pool.on('modem-status', onStatus);
  for (const snapshot of pool.snapshot()) onStatus(snapshot);

  const timer = setInterval(() => void flushReplySignals().catch((err) => log.warn({ err }, 'reply signal flush failed')), opts.signalEveryMs ?? 2_000);
  timer.unref();
  return {
    flushReplySignals,
    stop() {
      clearInterval(timer);
      pool.off('modem-status', onStatus);
    },
  };
}
