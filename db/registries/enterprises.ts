import type { Knex } from 'knex';
import { z } from 'zod';
import { insertOrganisation, updateOrganisation } from '../organisations';
import { isCityWide, type Actor } from './actor';
import { EMAIL, PHONE, type FieldSpec } from './fields';
import { creditCodeProblem } from './identifiers';
import { regionsAgree } from './projects';
import type { RegistryResource } from './resource';
import { enterpriseScope } from './scope';

/**
 * 物业服务企业资料库 (D3): property-service companies, developers and subcontractors.
 *
 * An enterprise *is* an organisation: `enterprises.id` is its `organisations.id`. Users belong to
 * organisations, and scope confines an enterprise user to `organisationId`; sharing the key makes
 * "an enterprise sees and edits only its own records" a plain `enterprises.id = ?` with no
 * mapping to keep in step. Creating an enterprise therefore creates its organisation in the same
 * transaction, and the organisation's name, place, phone and address follow the registry.
 */
export const ENTERPRISE_KINDS = { property_service: '物业服务企业', developer: '建设单位', subcontractor: '专业分包公司' };
export const SPECIALTIES = { repair: '建筑维修', elevator: '电梯维修', security: '保安', cleaning: '保洁', greening: '绿化' };
export const QUALIFICATION_LEVELS = { level_1: '一级', level_2: '二级', level_3: '三级', provisional: '暂定', none: '无' };

export const ENTERPRISE_FIELDS: FieldSpec[] = [
  { name: 'name', label: '企业名称', type: 'string', required: true, max: 128 },
  { name: 'kind', label: '企业类型', type: 'enum', required: true, values: ENTERPRISE_KINDS },
  { name: 'specialty', label: '专业类别', type: 'enum', values: SPECIALTIES },
  { name: 'parent_enterprise_id', label: '所属物业服务企业', type: 'ref' },
  { name: 'credit_code', label: '统一社会信用代码', type: 'string', required: true, max: 18, check: (v: string) => creditCodeProblem(v) },
  { name: 'legal_representative', label: '法定代表人', type: 'string', required: true, max: 64 },
  { name: 'registered_capital', label: '注册资本(万元)', type: 'decimal', maxValue: 1e9 },
  { name: 'established_on', label: '成立日期', type: 'date' },
  { name: 'address', label: '住所', type: 'string', max: 255 },
  { name: 'district_code', label: '注册区县代码', type: 'string', required: true, max: 16 },
  { name: 'street_code', label: '注册街道代码', type: 'string', max: 16 },
  { name: 'phone', label: '联系电话', type: 'string', max: 32, pattern: PHONE },
  { name: 'service_phone', label: '24小时服务电话', type: 'string', max: 32, pattern: PHONE },
  { name: 'email', label: 'Email地址', type: 'string', max: 128, pattern: EMAIL },
  { name: 'employees', label: '员工人数', type: 'int', maxValue: 1_000_000 },
  { name: 'out_of_town', label: '异地企业备案', type: 'bool' },
  { name: 'qualification_level', label: '资质等级', type: 'enum', values: QUALIFICATION_LEVELS, default: 'none' },
  { name: 'qualification_certificate_no', label: '资质证书编号', type: 'string', max: 64 },
  { name: 'qualification_valid_until', label: '资质有效期至', type: 'date' },
  { name: 'remarks', label: '其他信息', type: 'text' },
];

/** Granted by the qualification approval (or corrected by the city bureau), never by the enterprise itself. */
export const QUALIFICATION_FIELDS = ['qualification_level', 'qualification_certificate_no', 'qualification_valid_until'];

const ORG_PREFIX: Record<string, string> = { property_service: 'ENT', developer: 'DEV', subcontractor: 'SUB' };

async function enterpriseWriteProblem(actor: Actor, before: Record<string, unknown> | null, after: Record<string, unknown>): Promise<string | null> {
  if (isCityWide(actor)) return null;
  const scope = actor.scope;
  if (actor.role === 'district_staff' && scope.kind === 'district') {
    if (before && before.district_code !== scope.districtCode) return 'The enterprise is registered outside your district';
    return after.district_code === scope.districtCode ? null : 'A district may only register enterprises in its own district';
  }
  if (actor.role === 'enterprise' && before && before.id === actor.organisationId) {
    for (const key of ['credit_code', 'kind', 'parent_enterprise_id', 'out_of_town']) {
      if ((before[key] ?? null) !== (after[key] ?? null)) return `An enterprise may not change its own ${key}`;
    }
    return null;
  }
  return before ? 'You may not edit this enterprise' : 'Your role may not register enterprises';
}

/** The organisation row an enterprise shares its id with: created first, then kept in step. */
async function insertEnterpriseOrganisation(trx: Knex.Transaction, values: Record<string, unknown>): Promise<number> {
  return insertOrganisation(trx, { code: `${ORG_PREFIX[values.kind as string]}-${values.credit_code as string}`, ...organisationFields(values) });
}

const organisationFields = (v: Record<string, unknown>) => ({
  name: v.name as string,
  kind: v.kind === 'developer' ? ('developer' as const) : ('enterprise' as const),
  district_code: (v.district_code as string | null) ?? null,
  street_code: (v.street_code as string | null) ?? null,
  phone: (v.phone as string | null) ?? null,
  address: (v.address as string | null) ?? null,
});

export const enterprises: RegistryResource = {
  name: 'enterprises',
  entity: 'enterprise',
  title: '企业',
  table: 'enterprises',
  alias: 'e',
  fields: ENTERPRISE_FIELDS,
  approvable: true,
  importKey: { fields: ['credit_code'], label: '统一社会信用代码' },
  refKeys: [{ field: 'parent_enterprise_id', table: 'enterprises', keyColumn: 'credit_code', label: '所属物业服务企业信用代码' }],
  readPermission: 'registries:read',
  writePermission: 'registries:write',
  base: (db) =>
    db('enterprises as e')
      .leftJoin('regions as rd', 'rd.code', 'e.district_code')
      .leftJoin('enterprises as ep', 'ep.id', 'e.parent_enterprise_id')
      .leftJoin('credit_scores as cs', (j) => j.on('cs.subject_id', 'e.id').andOnVal('cs.subject_type', 'enterprise').andOnVal('cs.year', new Date().getUTCFullYear()))
      .select(
        'e.*',
        'rd.name as district_name',
        'ep.name as parent_enterprise_name',
        (db as Knex).raw('COALESCE(cs.score, 100) as credit_score'),
        (db as Knex).raw('(select count(*) from property_projects pp where pp.enterprise_id = e.id) as projects_count'),
      ),
  displayColumns: { district_name: '注册区县', parent_enterprise_name: '所属物业服务企业名称', credit_score: '本年度信用分', projects_count: '在管项目数' },
  readScope: (q, scope) => enterpriseScope(q, scope),
  writeProblem: enterpriseWriteProblem,
  protectedFields: { fields: QUALIFICATION_FIELDS, mayChange: isCityWide },
  sortable: ['id', 'name', 'kind', 'credit_code', 'district_code', 'qualification_level', 'qualification_valid_until', 'registered_capital', 'approved', 'updated_at', 'credit_score'],
  defaultSort: ['id', 'ASC'],
  searchColumns: ['e.name', 'e.credit_code', 'e.legal_representative'],
  filter: z.object({
    kind: z.enum(Object.keys(ENTERPRISE_KINDS) as [string, ...string[]]).optional(),
    specialty: z.enum(Object.keys(SPECIALTIES) as [string, ...string[]]).optional(),
    district_code: z.string().max(16).optional(),
    qualification_level: z.enum(Object.keys(QUALIFICATION_LEVELS) as [string, ...string[]]).optional(),
    parent_enterprise_id: z.coerce.number().int().optional(),
    approved: z.boolean().optional(),
    /** Qualification expires on or before this date (for periodic review). */
    qualification_expires_by: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  }),
  applyFilter(q, f) {
    for (const c of ['kind', 'specialty', 'district_code', 'qualification_level', 'parent_enterprise_id']) if (f[c] !== undefined) q.where(`e.${c}`, f[c] as string);
    if (f.approved !== undefined) q.where('e.approved', f.approved ? 1 : 0);
    if (f.qualification_expires_by) q.where('e.qualification_valid_until', '<=', f.qualification_expires_by as string);
  },
  crossCheck(b) {
    const problems: Array<{ path: string; reason: string }> = [];
    if (b.kind === 'subcontractor' && !b.specialty) problems.push({ path: 'specialty', reason: 'is required for a subcontractor' });
    if (b.kind !== 'subcontractor' && b.specialty) problems.push({ path: 'specialty', reason: 'applies only to subcontractors' });
    if (b.kind !== 'subcontractor' && b.parent_enterprise_id) problems.push({ path: 'parent_enterprise_id', reason: 'applies only to subcontractors' });
    return problems;
  },
  prepare: regionsAgree,
  beforeInsert: insertEnterpriseOrganisation,
  async afterWrite(trx, id, _before, after) {
    await updateOrganisation(trx, id, organisationFields(after));
  },
};
