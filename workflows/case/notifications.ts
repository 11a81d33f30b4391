import { workflowInfo } from '@temporalio/workflow';
import type { CaseSmsResult } from '../../lib/cases/changes';
import type { CaseContext } from './context';
import { sendCaseSms } from './sms';

/**
 * The texts a case sends and to whom, through the SMS seam (sms.ts). Sending counts as busy on
 * the persister, so an update answers only after its texts went out. The idempotency key is the
 * workflow id plus a key naming the occasion: a retried or replayed send is accepted once.
 */

export const SMS_TEXTS = {
  rejected: (caseNumber: string, stepName: string, comment: string | undefined) => `【物业监管平台】您的申请（案件${caseNumber}）经“${stepName}”审查不予通过${comment ? `，理由：${comment}` : ''}。`,
  returnedToApplicant: (caseNumber: string, comment: string | undefined) => `【物业监管平台】您的申请（案件${caseNumber}）已退回补正${comment ? `：${comment}` : ''}。请登录平台补充材料后重新提交。`,
  /** A non-interrupting boundary timer's reminder to the task's holders. */
  timerReminder: (caseNumber: string, stepName: string) => `【物业监管平台】案件${caseNumber}的“${stepName}”待您办理，请及时处理。`,
  /** A person's 催办 (task command "remind"). */
  remindedBy: (actorName: string, caseNumber: string, taskName: string) => `【物业监管平台】${actorName}催办：案件${caseNumber}的“${taskName}”请尽快办理。`,
};

/** Texts the applicant (the user who started the case) and records it in the history. */
export async function notifyApplicant(ctx: CaseContext, text: string, key: string, nodeId: string): Promise<void> {
  const sent = await ctx.persister.whileBusy(() => sendCaseSms({ caseId: ctx.input.caseId, userIds: [ctx.input.applicant.userId], text, idempotencyKey: `${workflowInfo().workflowId}/${key}` }, ctx.input.smsTaskQueue));
  await ctx.persist({ history: [ctx.entry('sms_sent', { nodeId, comment: text, data: { ...sent } })] });
}

/** Texts whoever holds or may claim these tasks; the caller records it. */
export function textTaskHolders(ctx: CaseContext, taskKeys: string[], text: string, key: string): Promise<CaseSmsResult> {
  return ctx.persister.whileBusy(() => sendCaseSms({ caseId: ctx.input.caseId, userIds: [], holdersOfTaskKeys: taskKeys, text, idempotencyKey: `${workflowInfo().workflowId}/${key}` }, ctx.input.smsTaskQueue));
}

/** Texts the users a service task named; the caller records it. */
export function textUsers(ctx: CaseContext, userIds: number[], text: string, key: string): Promise<CaseSmsResult> {
  return ctx.persister.whileBusy(() => sendCaseSms({ caseId: ctx.input.caseId, userIds, text, idempotencyKey: `${workflowInfo().workflowId}/${key}` }, ctx.input.smsTaskQueue));
}
