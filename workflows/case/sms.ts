import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../../activities/cases';
import type { CaseSmsRequest, CaseSmsResult } from '../../lib/cases/changes';

const { resolveCaseSmsRecipients } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});

/**
 * SMS SEAM. Reminders (催办, timer reminders) and applicant notices go through here.
 *
 * Today the approvals worker only resolves the recipients' phone numbers and the case history
 * records the message with `via: "recorded"`. When the SMS worker (task queue "sms",
 * lib/sms + activities/sms) ships its send activity, set SMS_SEND_ACTIVITY to its name: the
 * workflow then hands each message to that queue. Guard the switch with `patched()` so that
 * cases already running replay unchanged.
 */
export const SMS_SEND_ACTIVITY: string | null = null;

export async function sendCaseSms(request: CaseSmsRequest): Promise<CaseSmsResult> {
  const recipients = await CancellationScope.nonCancellable(() => resolveCaseSmsRecipients(request));
  if (!SMS_SEND_ACTIVITY) return recipients;
  const sms = proxyActivities<Record<string, (input: { to: string; text: string; idempotencyKey: string }) => Promise<unknown>>>({
    taskQueue: 'sms',
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
  });
  for (const r of recipients.recipients) {
    if (r.phone) await sms[SMS_SEND_ACTIVITY]({ to: r.phone, text: request.text, idempotencyKey: `${request.idempotencyKey}/${r.userId}` });
  }
  return { ...recipients, via: 'sms-worker' };
}
