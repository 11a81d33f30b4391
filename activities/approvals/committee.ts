import { caseInfo } from '../../db/cases/cases';
import { committeeOf, projectHasLiveCommittee, projectOf } from '../../db/registries/lookups';
import { saveCommitteeFromApproval } from '../../db/registries/approvals';
import type { ServiceTaskInput, ServiceTaskResult } from '../../lib/cases/changes';
import { addDays, allocateOnce, beijingDate, header, numberVariable, variable, type ApprovalDeps } from './support';

/**
 * Owners' committee filing (业委会, 000 主要功能 8, 002 §3.5): formation, re-election, member
 * change and deregistration, reviewed by the street office and filed with the district bureau
 * within 30 days; the committee record is then written through the registry model layer.
 */
export const COMMITTEE_KINDS: Record<string, string> = { formation: '业委会成立备案', re_election: '业委会换届备案', member_change: '业委会成员变更备案', deregistration: '业委会注销备案' };
/** Days within which a formation, re-election, change or deregistration must be filed (002 §3.5.1). */
export const COMMITTEE_FILING_DAYS = 30;

interface Member {
  name: string;
  position: 'director' | 'deputy_director' | 'member';
  officer?: boolean;
  phone?: string | null;
  responsibility?: string | null;
  birth_year?: number | null;
  political_status?: string | null;
}

export function createCommitteeActivities(deps: ApprovalDeps) {
  const { db } = deps;
  const committeeIdOf = async (input: ServiceTaskInput) => {
    const given = numberVariable(input, 'committeeId');
    if (given) return given;
    const own = (await committeeOf(db, Number(input.variables.applicantOrganisationId))) as { id: number } | undefined;
    return own?.id;
  };

  return {
    /** 核验申请: the project (formation) or committee exists and lies in the case's street; the filing due date. */
    async approvalCommitteeCheck(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const kind = String(variable(input, 'kind') ?? '');
      const problems: string[] = [];
      if (!(kind in COMMITTEE_KINDS)) problems.push('备案类别不正确');
      let projectId = numberVariable(input, 'projectId');
      let committeeId: number | undefined;
      if (kind !== 'formation') {
        committeeId = await committeeIdOf(input);
        const committee = committeeId ? ((await committeeOf(db, committeeId)) as { project_id: number; status: string } | undefined) : undefined;
        if (!committee) problems.push('业委会不在业委会资料库中');
        else if (committee.status === 'dissolved') problems.push('业委会已注销');
        else projectId = committee.project_id;
      } else if (projectId && (await projectHasLiveCommittee(db, projectId))) {
        problems.push('该项目已有业委会');
      }
      const project = projectId ? ((await projectOf(db, projectId)) as { id: number; name: string; district_code: string; street_code: string | null } | undefined) : undefined;
      if (!project) problems.push('物业项目不在项目资料库中');
      else if (project.street_code !== input.variables.streetCode) problems.push('案件所属街道与项目所在街道不一致');
      const members = variable<Member[]>(input, 'members') ?? [];
      if (kind !== 'deregistration' && kind !== '' && !members.some((m) => m?.position === 'director')) problems.push('成员名单缺少主任');
      const decidedOn = String(variable(input, 'assemblyDate') ?? '');
      const base = /^\d{4}-\d{2}-\d{2}$/.test(decidedOn) ? decidedOn : beijingDate();
      const filingDueDate = addDays(base, COMMITTEE_FILING_DAYS);
      return {
        variables: {
          applicationValid: problems.length === 0,
          applicationProblems: problems,
          projectId: project?.id ?? null,
          projectName: project?.name ?? null,
          committeeId: committeeId ?? null,
          filingDueDate,
          // The district's deadline as a due date the task row carries (end of that day, Beijing time).
          filingDueAt: `${filingDueDate}T23:59:59+08:00`,
        },
        note: problems.length ? `申请不符合条件：${problems.join('；')}` : `核验通过，应于${filingDueDate}前完成备案`,
      };
    },

    /** 备案登记: the committee record (created for a formation), its members, term, filing number and status. */
    async approvalCommitteeRegister(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const kind = String(variable(input, 'kind'));
      const committeeId = numberVariable(input, 'committeeId') ?? null;
      const filingNo = await allocateOnce(db, c, 'committee_filing', header(input, 'numberRule', 'YWHBA-{district}-{yyyy}-{seq:4}'), COMMITTEE_KINDS[kind] ?? kind);
      const str = (name: string) => {
        const v = variable<string>(input, name);
        return typeof v === 'string' && v.trim() ? v.trim() : null;
      };
      const date = (name: string) => {
        const v = str(name);
        return v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
      };
      const current = committeeId ? ((await committeeOf(db, committeeId)) as Record<string, unknown>) : null;
      const members =
        kind === 'deregistration'
          ? undefined
          : (variable<Member[]>(input, 'members') ?? []).map((m) => ({
              name: String(m.name),
              position: m.position,
              officer: Boolean(m.officer),
              responsibility: m.responsibility ?? null,
              phone: m.phone ?? null,
              birth_year: m.birth_year ?? null,
              political_status: m.political_status ?? null,
            }));
      const pick = (name: string, column: string) => str(name) ?? (current?.[column] as string | null | undefined) ?? null;
      const dateOf = (v: unknown) => (v instanceof Date ? beijingDate(v) : typeof v === 'string' ? v.slice(0, 10) : null);
      const written = await saveCommitteeFromApproval(db, {
        caseRef: c.number,
        committeeId,
        committee: {
          name: pick('name', 'name') ?? `${String(input.variables.projectName ?? '')}业主委员会`,
          project_id: numberVariable(input, 'projectId')!,
          office_address: pick('officeAddress', 'office_address'),
          phone_24h: pick('phone24h', 'phone_24h'),
          established_on: kind === 'formation' ? (date('assemblyDate') ?? beijingDate()) : dateOf(current?.established_on),
          term_starts_on: date('termStartsOn') ?? dateOf(current?.term_starts_on),
          term_ends_on: date('termEndsOn') ?? dateOf(current?.term_ends_on),
          filing_no: filingNo,
          status: kind === 'deregistration' ? 'dissolved' : 'active',
        },
        ...(members ? { members } : {}),
      });
      return { variables: { committeeId: written.entityId, committeeFilingNo: filingNo }, note: `${written.applied ? '已登记' : '此前已登记'}业委会资料库，备案编号 ${filingNo}` };
    },
  };
}
