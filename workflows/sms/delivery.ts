import { proxyActivities, sleep } from '@temporalio/workflow';
import type { SmsActivities } from '../../activities/sms';

const { deliverSms } = proxyActivities<SmsActivities>({
  // The activity bounds itself (the message's send window); this only catches a lost worker.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['InvalidSms'] },
});

/**
 * Delivers one accepted message (sendSms starts this, one per message, its id derived from the
 * message). A message for later waits on a Temporal timer rather than a database-polled schedule:
 * the timer lives in the Temporal server, so it survives restarts of every worker without a
 * poller of our own, it is cancelled by cancelling the workflow, and it shows in Temporal's UI.
 */
export async function smsDeliveryWorkflow(input: { messageId: number; sendAt: string | null }) {
  if (input.sendAt) {
    const wait = Date.parse(input.sendAt) - Date.now();
    if (wait > 0) await sleep(wait);
  }
  return deliverSms(input.messageId);
}
