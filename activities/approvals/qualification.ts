import { caseInfo } from '../../db/cases/cases';
import { applyEnterpriseDetailsChange } from '../../db/approvals/enterprise-details';
import { doublyRegisteredStaff, enterpriseOf, otherEmployersOf } from '../../db/registries/lookups';
import { existingFileIds } from '../../db/files';
import { setEnterpriseQualification } from '../../db/registries/approvals';
import { QUALIFICATION_LEVELS } from '../../db/registries/enterprises';
import { requiredMaterials } from '../../lib/approvals/forms';
import { givenMaterials } from '../../lib/forms/materials';
import type { ServiceTaskInput, ServiceTaskResult } from '../../lib/cases/changes';
import { creditStanding, standingInWords } from '../../db/credit/scores';
import { addYears, beijingDate, BUREAU, header, issueDocument, numberVariable, variable, type ApprovalDeps } from './support';

/**
 * Qualification (资质, 000 主要功能 6, 002 §3.2): application, change, out-of-town filing and
 * periodic review share one process; the variable `kind` says which. These activities run its
 * automatic checks, issue the certificate and write the result into the enterprise registry.
 */
export const QUALIFICATION_KINDS: Record<string, string> = { application: '资质申报', change: '资质变更', out_of_town: '异地企业备案', review: '资质审查' };

interface Check {
  code: string;
  label: string;
  ok: boolean;
  detail: string;
}

const dateText = (d: Date | string | null) => (d === null ? null : d instanceof Date ? beijingDate(d) : String(d).slice(0, 10));

function enterpriseIdOf(input: ServiceTaskInput): number {
  return numberVariable(input, 'enterpriseId') ?? Number(input.variables.applicantOrganisationId);
}

export function createQualificationActivities(deps: ApprovalDeps) {
  const { db } = deps;
  const enterprise = (id: number) => enterpriseOf(db, id);

  return {
    /** 自动核查: staff registered at two enterprises, required materials, the current qualification's validity. */
    async approvalQualificationChecks(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const kind = String(variable(input, 'kind') ?? 'application');
      const enterpriseId = enterpriseIdOf(input);
      const ent = await enterprise(enterpriseId);
      const checks: Check[] = [];
      if (!ent || ent.kind !== 'property_service') {
        checks.push({ code: 'registered', label: '企业资料库登记', ok: false, detail: '申请企业不是企业资料库中的物业服务企业' });
        return { variables: { enterpriseId, checks, checksPassed: false, duplicateStaff: [] }, note: '自动核查：企业未登记' };
      }
      checks.push({ code: 'registered', label: '企业资料库登记', ok: true, detail: ent.name });

      const duplicates = await doublyRegisteredStaff(db, enterpriseId);
      const duplicateStaff: Array<{ name: string; role: string; otherEnterprises: string[] }> = [];
      for (const d of duplicates) {
        const others = await otherEmployersOf(db, d.person, enterpriseId);
        duplicateStaff.push({ name: d.name, role: d.role, otherEnterprises: others });
      }
      checks.push({
        code: 'double_registration',
        label: '人员重复挂职',
        ok: duplicateStaff.length === 0,
        detail: duplicateStaff.length ? duplicateStaff.map((d) => `${d.name}（另在${d.otherEnterprises.join('、')}）`).join('；') : '未发现',
      });

      // Checked at the start (lib/forms/form-values.ts); a supplement may still send anything.
      const given = givenMaterials(variable<unknown>(input, 'materials'));
      const fileIds = given.map((m) => m.fileId);
      const stored = await existingFileIds(db, fileIds);
      const present = new Set(given.filter((m) => stored.has(m.fileId)).map((m) => m.code));
      // The material list of the form pinned to the case's version, not the file on disk now.
      const missing = (await requiredMaterials(db, input.caseId, kind)).filter((m) => !present.has(m.code));
      checks.push({ code: 'materials', label: '申报材料齐全', ok: missing.length === 0, detail: missing.length ? `缺少：${missing.map((m) => m.label).join('、')}` : '齐全' });

      const validUntil = dateText(ent.qualification_valid_until);
      const today = beijingDate();
      const valid = ent.qualification_level !== 'none' && validUntil !== null && validUntil >= today;
      if (kind === 'change' || kind === 'review') {
        checks.push({ code: 'expiry', label: '资质有效期', ok: valid, detail: valid ? `有效期至${validUntil}` : validUntil ? `已于${validUntil}过期` : '尚无资质' });
      } else {
        checks.push({ code: 'expiry', label: '资质有效期', ok: true, detail: valid ? `现持${QUALIFICATION_LEVELS[ent.qualification_level as keyof typeof QUALIFICATION_LEVELS]}资质，有效期至${validUntil}` : '尚无有效资质' });
      }
      if (kind === 'out_of_town') {
        checks.push({ code: 'out_of_town', label: '异地企业', ok: Boolean(ent.out_of_town), detail: ent.out_of_town ? '登记为外地企业' : '企业资料库登记为本地企业' });
      }
      // The enterprise's credit (C5): shown to the reviewers; a black-listed enterprise fails the check.
      const standing = await creditStanding(db, enterpriseId);
      checks.push({ code: 'credit', label: '信用状况', ok: !standing.blackListed, detail: standingInWords(standing) });
      const checksPassed = checks.every((c) => c.ok);
      return {
        variables: {
          enterpriseId,
          enterpriseName: ent.name,
          currentLevel: ent.qualification_level,
          currentValidUntil: validUntil,
          checks,
          checksPassed,
          duplicateStaff,
        },
        note: `自动核查：${checks.map((c) => `${c.label}${c.ok ? '✓' : '✗'}`).join('，')}`,
      };
    },

    /** 打印证书: the certificate (or, for an out-of-town enterprise, the filing certificate) with its number. */
    async approvalQualificationCertificate(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const kind = String(variable(input, 'kind') ?? 'application');
      const enterpriseId = enterpriseIdOf(input);
      const ent = await enterprise(enterpriseId);
      if (!ent) throw new Error(`enterprise ${enterpriseId} not found`);
      const level = String(variable(input, 'grantedLevel') ?? variable(input, 'level') ?? ent.qualification_level);
      if (!(level in QUALIFICATION_LEVELS) || level === 'none') throw new Error(`"${level}" is not a qualification level`);
      const validYears = Number(header(input, 'validYears', '3'));
      const current = dateText(ent.qualification_valid_until);
      const today = beijingDate();
      // A change re-issues the certificate for the time the old one had left.
      const validUntil = kind === 'change' && current && current >= today ? current : addYears(today, validYears);
      const name = (kind === 'change' && (variable<string>(input, 'newName') ?? '').trim()) || ent.name;
      const address = (kind === 'change' && (variable<string>(input, 'newAddress') ?? '').trim()) || ent.address || '';
      const legal = (kind === 'change' && (variable<string>(input, 'newLegalRepresentative') ?? '').trim()) || ent.legal_representative;
      const outOfTown = kind === 'out_of_town';
      const title = outOfTown ? '外地物业服务企业备案证明' : '物业服务企业资质证书';
      const doc = await issueDocument(deps, {
        caseInfo: c,
        kind: outOfTown ? 'out_of_town_filing' : 'qualification_certificate',
        numberRule: header(input, 'numberRule', 'SZWYZZ-{yyyy}-{seq:5}'),
        title,
        data: { enterpriseId, name, level, validUntil, kind },
        build: (number, issuedOn) => ({
          title,
          number,
          subtitle: `（${QUALIFICATION_KINDS[kind] ?? kind}，案件编号 ${c.number}）`,
          rows: [
            ['企业名称', name],
            ['法定代表人', legal],
            ['住所', address],
            ...(outOfTown ? ([['在苏分支机构', String(variable(input, 'branchAddress') ?? '')]] as Array<[string, string]>) : []),
            ['资质等级', QUALIFICATION_LEVELS[level as keyof typeof QUALIFICATION_LEVELS]],
            ['有效期至', validUntil],
          ],
          paragraphs: [outOfTown ? '该企业已在本市办理异地物业服务企业备案，可在本市从事物业管理活动。' : '经审核，该企业符合物业服务企业资质条件，特发此证。'],
          issuer: BUREAU,
          issuedOn,
        }),
      });
      return {
        variables: { certificateNo: doc.number, certificateFileId: doc.fileId, grantedLevel: level, grantedLevelName: QUALIFICATION_LEVELS[level as keyof typeof QUALIFICATION_LEVELS], validUntil, certificateIssuedOn: doc.issuedOn },
        note: `${title} ${doc.number}`,
      };
    },

    /** 更新企业资料库: qualification level, certificate and validity; for a change, name, address, legal representative. */
    async approvalQualificationRegister(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const enterpriseId = enterpriseIdOf(input);
      const kind = String(variable(input, 'kind') ?? 'application');
      const written = await setEnterpriseQualification(db, {
        caseRef: c.number,
        enterpriseId,
        level: String(variable(input, 'grantedLevel')) as never,
        certificateNo: String(variable(input, 'certificateNo')),
        validUntil: String(variable(input, 'validUntil')),
      });
      if (kind === 'change') {
        await applyEnterpriseDetailsChange(db, {
          caseRef: c.number,
          enterpriseId,
          details: { name: variable<string>(input, 'newName'), address: variable<string>(input, 'newAddress'), legal_representative: variable<string>(input, 'newLegalRepresentative') },
        });
      }
      return { variables: { registryUpdated: true }, note: written.applied ? '企业资料库已更新' : '企业资料库此前已由本案更新' };
    },
  };
}
