import { CancellationScope, isCancellation, proxyActivities, sleep, type RetryPolicy } from '@temporalio/workflow';
import type { SmsActivities } from '../../activities/sms';

const retry: RetryPolicy = { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['InvalidSms'] };
const notices = proxyActivities<SmsActivities>({ startToCloseTimeout: '2 minutes', retry });
const delivery = proxyActivities<SmsActivities>({ startToCloseTimeout: '3 hours', heartbeatTimeout: '20 seconds', retry });

/** Messages per delivery activity, and how many such activities run at once. */
export const NOTICE_BATCH_SIZE = 20;
export const NOTICE_PARALLEL_BATCHES = 4;

export interface NoticeSummary {
  status: 'done' | 'cancelled';
  sent: number;
  failed: number;
}

/**
 * A notice (M3): waits for its time on a durable Temporal timer (see delivery.ts for why a timer),
 * creates one message per recipient phone, delivers them in batches, and records the totals.
 * Cancelling the workflow before its time cancels the notice.
 */
export async function smsNoticeWorkflow(input: { noticeId: number }): Promise<NoticeSummary> {
  const { noticeId } = input;
  const cancelled = async (): Promise<NoticeSummary> => {
    const counts = await CancellationScope.nonCancellable(() => notices.finishNotice(noticeId, 'cancelled'));
    return { status: 'cancelled', ...counts };
  };
  // A cancel can arrive at any moment before sending starts, also while the notice is still being
  // loaded: every cancellation up to here ends the notice as cancelled, with its summary.
  try {
    const notice = await notices.loadNotice(noticeId);
    if (notice.status === 'cancelled') return await cancelled();
    const wait = notice.sendAt ? Date.parse(notice.sendAt) - Date.now() : 0;
    if (wait > 0) await sleep(wait);
  } catch (err) {
    if (isCancellation(err)) return cancelled();
    throw err;
  }
  const messageIds = await notices.prepareNoticeMessages(noticeId);
  if (messageIds === null) return cancelled();
  const batches: number[][] = [];
  for (let i = 0; i < messageIds.length; i += NOTICE_BATCH_SIZE) batches.push(messageIds.slice(i, i + NOTICE_BATCH_SIZE));
  let next = 0;
  const lane = async () => {
    while (next < batches.length) await delivery.deliverSmsBatch(batches[next++]);
  };
  await Promise.all(Array.from({ length: NOTICE_PARALLEL_BATCHES }, lane));
  const counts = await notices.finishNotice(noticeId, 'done');
  return { status: 'done', ...counts };
}
