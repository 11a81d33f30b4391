import { organisationUserIds } from '../../db/accounts';
import { caseInfo } from '../../db/cases/cases';
import { publish } from '../../db/approvals/publicity';
import { drawnExpertUserIds } from '../../db/approvals/tender-experts';
import { bidderEnterpriseIds, tendererOrganisationIdOf } from '../../db/approvals/tenders';
import type { ServiceTaskInput, ServiceTaskResult } from '../../lib/cases/changes';
import { header, type ApprovalDeps } from './support';

/**
 * Steps every approval uses: texting the people a step concerns and publishing a result for the
 * portal. The texts themselves go out through the case workflow's SMS seam (the activity answers
 * `sms`), so the SMS worker receives them with keys derived from the step.
 */
export const NOTIFY_TARGETS = ['applicant', 'applicantOrganisation', 'bidders', 'experts', 'tenderer'] as const;

export function createCommonApprovalActivities(deps: ApprovalDeps) {
  const { db } = deps;

  async function recipients(input: ServiceTaskInput, targets: string[]): Promise<number[]> {
    const c = await caseInfo(db, input.caseId);
    const ids = new Set<number>();
    for (const target of targets) {
      switch (target) {
        case 'applicant':
          ids.add(c.startedBy);
          break;
        case 'applicantOrganisation':
          (await organisationUserIds(db, c.applicantOrganisationId, ['enterprise', 'owners_committee', 'developer'])).forEach((id) => ids.add(id));
          break;
        case 'tenderer': {
          const tenderer = await tendererOrganisationIdOf(db, c.id);
          (await organisationUserIds(db, tenderer ?? c.applicantOrganisationId, ['developer', 'owners_committee'])).forEach((id) => ids.add(id));
          break;
        }
        case 'bidders': {
          const enterprises = await bidderEnterpriseIds(db, c.id);
          for (const e of enterprises) (await organisationUserIds(db, e, ['enterprise'])).forEach((id) => ids.add(id));
          break;
        }
        case 'experts': {
          (await drawnExpertUserIds(db, c.id)).forEach((id) => ids.add(id));
          break;
        }
        default:
          throw new Error(`unknown SMS target "${target}" (known: ${NOTIFY_TARGETS.join(', ')})`);
      }
    }
    return [...ids].sort((a, b) => a - b);
  }

  return {
    /** Headers: `to` (comma list of NOTIFY_TARGETS), `message` (FEEL allowed). */
    async approvalNotify(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const targets = header(input, 'to', 'applicant')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const text = header(input, 'message', `【苏州物业监管平台】您的案件${input.caseNumber}有新进展，请登录平台查看。`);
      const userIds = await recipients(input, targets);
      return { sms: userIds.length ? [{ userIds, text }] : [], note: `短信通知（${targets.join('、')}，${userIds.length}人）：${text}` };
    },

    /** Headers: `kind`, `title`, `body` (FEEL allowed), `days` (publicity period; empty = no end). */
    async approvalPublish(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const kind = header(input, 'kind', input.nodeId);
      const title = header(input, 'title', input.caseNumber);
      const days = Number(header(input, 'days', '0')) || undefined;
      await publish(db, { caseId: input.caseId, kind, title, body: header(input, 'body', title), days });
      return { variables: { [`published_${kind}`]: true }, note: `公示：${title}` };
    },
  };
}
