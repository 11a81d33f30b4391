import { organisationUserIds } from '../../db/accounts';
import { caseInfo } from '../../db/cases/cases';
import { creditEventOf, enterpriseOf } from '../../db/registries/lookups';
import { applyFinalCreditChange } from '../../db/registries/approvals';
import type { ServiceTaskInput, ServiceTaskResult } from '../../lib/cases/changes';
import { noticeRecord } from '../../db/credit/records';
import { chineseDate } from '../../lib/approvals/pdf';
import { addDays, beijingDate, BUREAU, header, issueDocument, numberVariable, type ApprovalDeps } from './support';

/**
 * Credit notice and appeal (信用记分告知 and 信用申诉, 000 主要功能 2.4, C3; docs/credit.md): a
 * pre-deduction (a pending credit record) is notified to the enterprise with a printed notice,
 * and the enterprise may appeal with evidence inside a window; district and city review the
 * appeal; the deduction is then made final, adjusted or cancelled, and the score follows.
 * `approvalCreditPrededuction` serves the first version of credit-appeal, which staff started
 * by hand; cases of it may still be running.
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
     * 记分告知: checks the record is a pending deduction of the applicant enterprise, issues the
     * 记分告知单 (points, item, facts, the rectification and appeal periods) as the case's
     * document, and texts the enterprise's accounts. Retried, it finds the notice issued.
     */
    async approvalCreditNotice(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const eventId = numberVariable(input, 'eventId');
      const record = eventId ? await noticeRecord(db, eventId) : null;
      const problem = !record
        ? '信用记录不存在'
        : record.enterpriseId !== c.applicantOrganisationId
          ? '信用记录不属于该企业'
          : record.noticeCaseId !== c.id
            ? '该记录的告知不是本案件'
            : record.status !== 'pending'
              ? '信用记录不是待告知的预扣分'
              : null;
      if (problem || !record) return { variables: { eventValid: false, eventProblem: problem }, note: `不能告知：${problem}` };
      const today = beijingDate();
      const appealDeadline = addDays(today, record.appealDays);
      const doc = await issueDocument(deps, {
        caseInfo: c,
        kind: 'credit_notice',
        numberRule: header(input, 'numberRule', 'XYJFGZ-{yyyy}-{seq:5}'),
        title: '信用记分告知单',
        data: { eventId: record.id, points: record.points, appealDeadline },
        build: (number, issuedOn) => ({
          title: '信用记分告知单',
          number,
          subtitle: `（案件编号 ${c.number}）`,
          rows: [
            ['被记分单位', record.enterpriseName],
            ['统一社会信用代码', record.enterpriseCreditCode],
            ...(record.projectName ? ([['物业项目', record.projectName]] as Array<[string, string]>) : []),
            ...(record.staffName ? ([['项目经理', record.staffName]] as Array<[string, string]>) : []),
            ['记分事项', record.itemCode ? `${record.itemCode} ${record.itemName ?? ''}` : record.description],
            ['事实', record.description],
            ['发生日期', chineseDate(record.occurredOn)],
            ['预扣分值', `${record.points} 分`],
            ['记分依据', record.standardName ? `${record.standardName}（第 ${record.standardVersion} 版）` : '信用评价标准'],
            ['整改期限', record.rectifyDays ? `自告知之日起 ${record.rectifyDays} 日内` : '—'],
            ['申诉期限', `自告知之日起 ${record.appealDays} 日内（${chineseDate(appealDeadline)}前）`],
          ],
          paragraphs: [
            '对上述记分有异议的，请在申诉期限内登录苏州物业监管平台，在本案件的“企业确认或申诉”中提交申诉理由和证明材料，由区局复核、市局审核。',
            '申诉期满未申诉的，或确认接受的，预扣分即生效，计入本单位信用分。申诉成立的，撤销或调整预扣分。',
          ],
          issuer: BUREAU,
          issuedOn,
        }),
      });
      const text = `【苏州物业监管平台】${record.enterpriseName}：您单位因“${record.description}”被预扣信用分${record.points}分（记分告知单${doc.number}）。如有异议，请于${chineseDate(appealDeadline)}前登录平台提交申诉及证明材料，逾期未申诉的扣分生效。`;
      const userIds = await organisationUserIds(db, record.enterpriseId, ['enterprise', 'project_manager']);
      return {
        variables: { eventValid: true, eventPoints: record.points, eventDescription: record.description, enterpriseName: record.enterpriseName, noticeNo: doc.number, appealDeadline },
        sms: userIds.length ? [{ userIds, text }] : [],
        note: `记分告知单 ${doc.number}：${record.itemName ?? record.description}，预扣 ${record.points} 分，申诉期至 ${appealDeadline}`,
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
      // An upheld appeal cancels the deduction, or lowers it to the city's adjustedPoints (given
      // as a size or as a negative number; a figure that does not lower it cancels it).
      const adjusted = numberVariable(input, 'adjustedPoints');
      const size = Math.abs(Number(event.points));
      const finalPoints = decision === 'restore' ? (adjusted !== undefined && Math.abs(adjusted) > 0 && Math.abs(adjusted) < size ? -Math.abs(adjusted) : null) : Number(event.points);
      const written = await applyFinalCreditChange(db, { caseRef: c.number, eventId, finalPoints });
      const creditResult = decision === 'restore' ? (finalPoints === null ? 'cancelled' : 'adjusted') : 'confirmed';
      return {
        variables: { creditResult, finalPoints },
        note: `${written.applied ? '' : '（此前已写入）'}最终记分：${creditResult === 'confirmed' ? `扣分生效 ${finalPoints}` : creditResult === 'cancelled' ? '预扣分撤销' : `调整为 ${finalPoints}`}`,
      };
    },
  };
}
