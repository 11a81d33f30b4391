import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../../activities/cases';
import type { CaseSmsRequest, CaseSmsResult } from '../../lib/cases/changes';

const { resolveCaseSmsRecipients } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});

/**
 * Reminders (催办, timer reminders) go out through here. The approvals worker resolves the
 * recipients' phone numbers; then, when the case was started with an SMS task queue (the API's
 * CASE_SMS_TASK_QUEUE, "sms" by default), each message is handed to the SMS worker's `sendSms`
 * activity (activities/sms: accepts once per idempotency key, delivers durably, answers at once).
 * Without a queue (tests, installations without modems) the message is only recorded in the
 * case history with `via: "recorded"`.
 */
export const SMS_SEND_ACTIVITY = 'sendSms';

interface SendSmsInput {
  to: string;
  text: string;
  idempotencyKey: string;
  userId?: number | null;
}

export async function sendCaseSms(request: CaseSmsRequest, smsTaskQueue: string | null | undefined): Promise<CaseSmsResult> {
  const recipients = await CancellationScope.nonCancellable(() => resolveCaseSmsRecipients(request));
  if (!smsTaskQueue) return recipients;
  const sms = proxyActivities<Record<string, (input: SendSmsInput) => Promise<unknown>>>({
    taskQueue: smsTaskQueue,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 10 },
  });
  await CancellationScope.nonCancellable(() =>
    Promise.all(
      recipients.recipients
        .filter((r): r is { userId: number; phone: string } => Boolean(r.phone))
        .map((r) => sms[SMS_SEND_ACTIVITY]({ to: r.phone, text: request.text, idempotencyKey: `${request.idempotencyKey}/${r.userId}`, userId: r.userId })),
    ),
  );
  return { ...recipients, via: 'sms-worker' };
}
