import { organisationUserIds } from '../../db/accounts';
import { caseInfo } from '../../db/cases/cases';
import { creditEventOf, enterpriseOf } from '../../db/registries/lookups';
import { applyFinalCreditChange } from '../../db/registries/approvals';
import type { ServiceTaskInput, ServiceTaskResult } from '../../lib/cases/changes';
import { header, numberVariable, type ApprovalDeps } from './support';

/**
 * Credit appeal (信用申诉, 000 主要功能 2.4, C3): a pre-deduction (a pending credit event) is
 * notified to the enterprise, which may appeal with evidence inside a window; district and city
 * review the appeal; the deduction is then made final, adjusted or cancelled in the registry.
 */
export function createCreditAppealActivities(deps: ApprovalDeps) {
  const { db } = deps;

  return {
    /** 预扣分告知: checks the event is a pending deduction of the applicant enterprise and texts the enterprise. */
    async approvalCreditPrededuction(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const eventId = numberVariable(input, 'eventId');
      const event = eventId ? await creditEventOf(db, eventId) : undefined;
      const problem = !event
        ? '信用事件不存在'
        : event.enterprise_id !== c.applicantOrganisationId
          ? '信用事件不属于申请企业'
          : event.status !== 'pending'
            ? '信用事件不是待确认的预扣分'
            : Number(event.points) >= 0
              ? '信用事件不是扣分'
              : null;
      if (problem || !event) return { variables: { eventValid: false, eventProblem: problem }, note: `不能发起申诉流程：${problem}` };
      const enterprise = (await enterpriseOf(db, event.enterprise_id))!;
      const window = header(input, 'appealWindowText', '规定期限');
      const text = `【苏州物业监管平台】${enterprise.name}：您单位因“${event.description}”被预扣信用分${Math.abs(Number(event.points))}分（案件${c.number}）。如有异议，请于${window}内登录平台提交申诉及证明材料，逾期未申诉的扣分生效。`;
      const userIds = await organisationUserIds(db, event.enterprise_id, ['enterprise']);
      return {
        variables: { eventValid: true, eventPoints: Number(event.points), eventDescription: event.description, eventCategory: event.category, enterpriseName: enterprise.name },
        sms: userIds.length ? [{ userIds, text }] : [],
        note: `预扣分告知：${event.description}（${event.points}分）`,
      };
    },

    /**
     * 确认最终记分. Header `decision`: "confirm" (the deduction stands), "restore" (appeal upheld:
     * cancelled, or set to `adjustedPoints` when the city reviewer gave them).
     */
    async approvalCreditFinal(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const eventId = numberVariable(input, 'eventId')!;
      const decision = header(input, 'decision', 'confirm');
      const event = (await creditEventOf(db, eventId))!;
      const adjusted = numberVariable(input, 'adjustedPoints');
      const finalPoints = decision === 'restore' ? (adjusted !== undefined && adjusted < 0 ? adjusted : null) : Number(event.points);
      const written = await applyFinalCreditChange(db, { caseRef: c.number, eventId, finalPoints });
      const creditResult = decision === 'restore' ? (finalPoints === null ? 'cancelled' : 'adjusted') : 'confirmed';
      return {
        variables: { creditResult, finalPoints },
        note: `${written.applied ? '' : '（此前已写入）'}最终记分：${creditResult === 'confirmed' ? `扣分生效 ${finalPoints}` : creditResult === 'cancelled' ? '预扣分撤销' : `调整为 ${finalPoints}`}`,
      };
    },
  };
}
