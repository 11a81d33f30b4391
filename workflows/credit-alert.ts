import { proxyActivities } from '@temporalio/workflow';
import type { CreditActivities } from '../activities/credit';

const { creditCapAlertMessages, markCreditCapAlertSent } = proxyActivities<CreditActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

interface SendSms {
  sendSms(input: { to: string; text: string; idempotencyKey: string; userId: number }): Promise<unknown>;
}

/**
 * Texts an enterprise and its project managers that a manager reached the credit cap and is
 * suspended (C6, docs/credit.md). Started by the API's sweep under a workflow id of the
 * suspension, each message keyed by the suspension and recipient: the SMS worker accepts each
 * once, however often this runs. Without an SMS queue the suspension is only marked.
 */
export async function creditCapAlertWorkflow(input: { suspensionId: number; smsTaskQueue: string | null }): Promise<number> {
  const messages = await creditCapAlertMessages(input.suspensionId);
  if (input.smsTaskQueue) {
    const { sendSms } = proxyActivities<SendSms>({ taskQueue: input.smsTaskQueue, startToCloseTimeout: '1 minute', retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' } });
    for (const m of messages) await sendSms(m);
  }
  await markCreditCapAlertSent(input.suspensionId);
  return messages.length;
}
