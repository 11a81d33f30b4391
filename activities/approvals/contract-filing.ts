import { caseInfo } from '../../db/cases/cases';
import { enterpriseOf, projectOf } from '../../db/registries/lookups';
import { recordFiledContract } from '../../db/registries/approvals';
import type { ServiceTaskInput, ServiceTaskResult } from '../../lib/cases/changes';
import { addDays, beijingDate, BUREAU, header, issueDocument, numberVariable, variable, type ApprovalDeps } from './support';

/**
 * Contract filing (契约备案, 000 主要功能 1.4, 002 §3.3): a property service contract or a
 * temporary management agreement is filed within 15 days of signing. The filing's key data is
 * compared with the project registry: what the registry lacks is stored, what differs is shown
 * to the district reviewer, who confirms which value is right; then the filing certificate.
 */
export const CONTRACT_KINDS: Record<string, string> = { preliminary_service: '前期物业服务合同', service: '物业服务合同', temporary_management: '临时管理规约' };

/** Filing fields compared with the project registry: form field → registry field, label. */
export const COMPARED_FIELDS: Array<{ form: string; field: string; label: string; numeric: boolean }> = [
  { form: 'projectName', field: 'name', label: '项目名称', numeric: false },
  { form: 'projectAddress', field: 'address', label: '项目地址', numeric: false },
  { form: 'floorArea', field: 'floor_area', label: '建筑面积（㎡）', numeric: true },
  { form: 'households', field: 'households', label: '总户数', numeric: true },
  { form: 'buildingsCount', field: 'buildings_count', label: '总幢数', numeric: true },
  { form: 'elevators', field: 'elevators', label: '电梯数', numeric: true },
];

/** Days after signing within which a contract must be filed (002 §3.3.2). */
export const FILING_DAYS = 15;

interface Conflict {
  field: string;
  label: string;
  filed: unknown;
  registry: unknown;
}

const blank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

function same(a: unknown, b: unknown, numeric: boolean): boolean {
  if (numeric) return Math.abs(Number(a) - Number(b)) < 0.005;
  return String(a).trim() === String(b).trim();
}

export function createContractFilingActivities(deps: ApprovalDeps) {
  const { db } = deps;
  const enterpriseIdOf = (input: ServiceTaskInput) => numberVariable(input, 'enterpriseId') ?? Number(input.variables.applicantOrganisationId);

  return {
    /** 比对登记数据: deadline and lateness, data the registry lacks, data that conflicts. */
    async approvalContractCompare(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const projectId = numberVariable(input, 'projectId');
      const project = projectId ? await projectOf(db, projectId) : undefined;
      const enterpriseId = enterpriseIdOf(input);
      const enterprise = await enterpriseOf(db, enterpriseId);
      const problems: string[] = [];
      if (!project) problems.push('项目不在项目资料库中');
      if (!enterprise || enterprise.kind !== 'property_service') problems.push('物业服务企业不在企业资料库中');
      if (project && input.variables.districtCode && project.district_code !== input.variables.districtCode) problems.push('案件所属区与项目所在区不一致');
      const signedOn = String(variable(input, 'signedOn') ?? '');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(signedOn)) problems.push('签订日期缺失或格式不正确');
      if (!String(variable(input, 'contractNo') ?? '').trim()) problems.push('合同编号缺失');
      if (!(String(variable(input, 'kind') ?? '') in CONTRACT_KINDS)) problems.push('备案类别不正确');
      if (problems.length || !project) {
        return { variables: { filingValid: false, filingProblems: problems, conflicts: [], newData: {} }, note: `备案数据不完整：${problems.join('；')}` };
      }
      const deadline = addDays(signedOn, FILING_DAYS);
      const today = beijingDate();
      const daysLate = Math.max(0, Math.round((Date.parse(today) - Date.parse(deadline)) / 86_400_000));
      const conflicts: Conflict[] = [];
      const newData: Record<string, unknown> = {};
      for (const f of COMPARED_FIELDS) {
        const filed = input.variables[f.form];
        if (blank(filed)) continue;
        const value = f.numeric ? Number(filed) : String(filed).trim();
        const current = project[f.field];
        if (blank(current)) newData[f.field] = value;
        else if (!same(value, current, f.numeric)) conflicts.push({ field: f.field, label: f.label, filed: value, registry: f.numeric ? Number(current) : current });
      }
      return {
        variables: {
          filingValid: true,
          filingProblems: [],
          enterpriseId,
          enterpriseName: enterprise!.name,
          projectName: project.name,
          projectCode: project.code,
          filingDeadline: deadline,
          lateFiling: daysLate > 0,
          daysLate,
          conflicts,
          newData,
        },
        note: `比对项目资料库：新增${Object.keys(newData).length}项，不一致${conflicts.length}项${daysLate > 0 ? `；逾期备案${daysLate}天（应于${deadline}前备案）` : ''}`,
      };
    },

    /** 打印备案证明: the filing certificate with its number. */
    async approvalContractCertificate(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const kind = String(variable(input, 'kind'));
      const title = '物业服务合同备案证明';
      const v = (name: string) => (blank(input.variables[name]) ? '' : String(input.variables[name]));
      const doc = await issueDocument(deps, {
        caseInfo: c,
        kind: 'contract_filing',
        numberRule: header(input, 'numberRule', 'WYBA-{district}-{yyyy}-{seq:5}'),
        title,
        data: { projectId: numberVariable(input, 'projectId'), enterpriseId: enterpriseIdOf(input), contractNo: v('contractNo'), kind },
        build: (number, issuedOn) => ({
          title,
          number,
          subtitle: `（${CONTRACT_KINDS[kind] ?? kind}，案件编号 ${c.number}）`,
          rows: [
            ['备案类别', CONTRACT_KINDS[kind] ?? kind],
            ['物业项目', `${v('projectName')}（${v('projectCode')}）`],
            ['物业服务企业', v('enterpriseName')],
            ['合同编号', v('contractNo')],
            ['签订日期', v('signedOn')],
            ['合同期限', v('startsOn') || v('endsOn') ? `${v('startsOn')} 至 ${v('endsOn')}` : ''],
            ['物业服务费', v('feePerSqm') ? `${v('feePerSqm')} 元/平方米·月` : ''],
            ['备案期限', input.variables.lateFiling ? `应于${v('filingDeadline')}前备案，逾期${v('daysLate')}天` : `${v('filingDeadline')}前（按期备案）`],
          ],
          paragraphs: ['该合同已在本局备案。本证明仅证明备案事实，不作为对合同内容的确认。'],
          issuer: BUREAU,
          issuedOn,
        }),
      });
      return { variables: { filingNo: doc.number, filingFileId: doc.fileId, filedOn: doc.issuedOn }, note: `${title} ${doc.number}` };
    },

    /**
     * 登记项目资料库: the filed contract, the data the registry lacked, and each conflicting field
     * corrected to the filed value unless the reviewer kept the registry's (keepRegistryValues).
     */
    async approvalContractRegister(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const keep = new Set((variable<string[]>(input, 'keepRegistryValues') ?? []).map(String));
      const conflicts = variable<Conflict[]>(input, 'conflicts') ?? [];
      const corrections: Record<string, unknown> = { ...(variable<Record<string, unknown>>(input, 'newData') ?? {}) };
      for (const k of conflicts) if (!keep.has(k.field)) corrections[k.field] = k.filed;
      const fee = numberVariable(input, 'feePerSqm');
      const date = (name: string) => {
        const s = String(variable(input, name) ?? '');
        return /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : null;
      };
      const written = await recordFiledContract(db, {
        caseRef: c.number,
        projectId: numberVariable(input, 'projectId')!,
        enterpriseId: enterpriseIdOf(input),
        kind: String(variable(input, 'kind')) as 'service',
        contractNo: String(variable(input, 'contractNo')),
        startsOn: date('startsOn'),
        endsOn: date('endsOn'),
        feePerSqm: fee ?? null,
        filingNo: String(variable(input, 'filingNo')),
        filedOn: String(variable(input, 'filedOn')),
        projectCorrections: corrections,
      });
      return {
        variables: { registryCorrections: corrections, keptRegistryValues: [...keep] },
        note: `${written.applied ? '已登记' : '此前已登记'}：合同备案，项目资料更新 ${Object.keys(corrections).join('、') || '无'}`,
      };
    },
  };
}
