import type { Knex } from 'knex';
import { z } from 'zod';
import { countCodesStartingWith, insertOrganisation, updateOrganisation } from '../organisations';
import { RegistryError, isCityWide, type Actor } from './actor';
import { PHONE, type FieldSpec } from './fields';
import { MEMBER_PHONE } from './pii';
import type { ChildSpec, RegistryResource } from './resource';
import { committeeScope } from './scope';

/**
 * 业主委员会资料库 (D4): the committee of a project, its members and officers, and the providers
 * it contracts. Like an enterprise, a committee shares its id with its organisation, so the
 * committee's own users reach exactly their committee. Its district and street are its project's.
 */
export const COMMITTEE_STATUSES = { preparing: '筹备中', active: '履职中', expired: '任期届满', dissolved: '已注销' };
export const POSITIONS = { director: '主任', deputy_director: '副主任', member: '委员' };
export const PROVIDER_SERVICES = { property_service: '物业服务', security: '保安', cleaning: '保洁', greening: '绿化', repair: '专业维修', elevator: '电梯维保' };

export const COMMITTEE_FIELDS: FieldSpec[] = [
  { name: 'name', label: '业委会名称', type: 'string', required: true, max: 128 },
  { name: 'project_id', label: '所属物业项目', type: 'ref', required: true },
  { name: 'district_code', label: '区县代码', type: 'string', derived: true },
  { name: 'street_code', label: '街道代码', type: 'string', derived: true },
  { name: 'office_address', label: '办公地点', type: 'string', max: 255 },
  { name: 'phone_24h', label: '24小时联系电话', type: 'string', max: 32, pattern: PHONE },
  { name: 'established_on', label: '成立日期', type: 'date' },
  { name: 'term_starts_on', label: '本届任期起', type: 'date' },
  { name: 'term_ends_on', label: '本届任期止', type: 'date' },
  { name: 'filing_no', label: '备案编号', type: 'string', max: 64 },
  { name: 'status', label: '状态', type: 'enum', values: COMMITTEE_STATUSES, default: 'active' },
  { name: 'remarks', label: '其他信息', type: 'text' },
];

const MEMBER_FIELDS: FieldSpec[] = [
  { name: 'name', label: '姓名', type: 'string', required: true, max: 64 },
  { name: 'position', label: '职务', type: 'enum', required: true, values: POSITIONS },
  { name: 'officer', label: '主管人员', type: 'bool' },
  { name: 'responsibility', label: '主管业务', type: 'string', max: 128 },
  { name: 'phone', label: '联系电话', type: 'string', max: 32, pattern: PHONE, personal: MEMBER_PHONE },
  // Optional by design (PIPL minimisation, docs/personal-data.md): asked only where a filing
  // needs it (age of eligibility, the party-building ratio of a committee); never exported.
  { name: 'birth_year', label: '出生年份', type: 'int', min: 1900, maxValue: 2100 },
  { name: 'political_status', label: '政治面貌', type: 'string', max: 16 },
];

const PROVIDER_FIELDS: FieldSpec[] = [
  { name: 'service', label: '服务类别', type: 'enum', required: true, values: PROVIDER_SERVICES },
  { name: 'enterprise_id', label: '企业', type: 'ref' },
  { name: 'provider_name', label: '单位名称', type: 'string', required: true, max: 128 },
  { name: 'qualification', label: '资质', type: 'string', max: 64 },
  { name: 'contact_person', label: '负责人', type: 'string', max: 64 },
  { name: 'phone', label: '联系电话', type: 'string', max: 32, pattern: PHONE },
  { name: 'contract_starts_on', label: '合同起', type: 'date' },
  { name: 'contract_ends_on', label: '合同止', type: 'date' },
];

const CHILDREN: ChildSpec[] = [
  { key: 'members', table: 'committee_members', foreignKey: 'committee_id', fields: MEMBER_FIELDS, orderBy: 'position' },
  { key: 'providers', table: 'committee_providers', foreignKey: 'committee_id', fields: PROVIDER_FIELDS, orderBy: 'service' },
];

/** Set by the formation / re-election approval or by the bureau, not by the committee itself. */
const FILING_FIELDS = ['name', 'project_id', 'established_on', 'term_starts_on', 'term_ends_on', 'filing_no', 'status'];

async function committeeWriteProblem(actor: Actor, before: Record<string, unknown> | null, after: Record<string, unknown>): Promise<string | null> {
  if (isCityWide(actor)) return null;
  const scope = actor.scope;
  if (actor.role === 'district_staff' && scope.kind === 'district') {
    if (before && before.district_code !== scope.districtCode) return 'The committee is outside your district';
    return after.district_code === scope.districtCode ? null : 'A district may only register committees of its own projects';
  }
  if (actor.role === 'owners_committee' && before && before.id === actor.organisationId) return null;
  return before ? 'You may not edit this committee' : 'Your role may not register committees';
}

/** A committee's place is its project's. */
async function placeFromProject(trx: Knex.Transaction, body: Record<string, unknown>): Promise<void> {
  const project = (await trx('property_projects').where('id', Number(body.project_id)).first('district_code', 'street_code')) as { district_code: string; street_code: string | null } | undefined;
  if (!project) throw new RegistryError('invalid', 'does not exist', 'project_id');
  body.district_code = project.district_code;
  body.street_code = project.street_code;
}

export const committees: RegistryResource = {
  name: 'committees',
  entity: 'committee',
  title: '业主委员会',
  table: 'owners_committees',
  alias: 'c',
  fields: COMMITTEE_FIELDS,
  children: CHILDREN,
  approvable: true,
  readPermission: 'registries:read',
  writePermission: 'registries:write',
  base: (db) =>
    db('owners_committees as c')
      .join('property_projects as cp', 'cp.id', 'c.project_id')
      .leftJoin('regions as rd', 'rd.code', 'c.district_code')
      .leftJoin('regions as rs', 'rs.code', 'c.street_code')
      .select('c.*', 'cp.name as project_name', 'cp.code as project_code', 'rd.name as district_name', 'rs.name as street_name'),
  displayColumns: { project_name: '项目名称', project_code: '项目代码', district_name: '区县', street_name: '街道' },
  readScope: (q, scope) => committeeScope(q, scope),
  writeProblem: committeeWriteProblem,
  protectedFields: { fields: FILING_FIELDS, mayChange: (a) => a.role !== 'owners_committee' },
  sortable: ['id', 'name', 'district_code', 'status', 'term_ends_on', 'approved', 'updated_at', 'project_name'],
  defaultSort: ['id', 'ASC'],
  searchColumns: ['c.name', 'cp.name', 'c.filing_no'],
  filter: z.object({
    district_code: z.string().max(16).optional(),
    street_code: z.string().max(16).optional(),
    project_id: z.coerce.number().int().optional(),
    status: z.enum(Object.keys(COMMITTEE_STATUSES) as [string, ...string[]]).optional(),
    approved: z.boolean().optional(),
    /** Terms ending on or before this date (re-election due). */
    term_ends_by: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  }),
  applyFilter(q, f) {
    for (const c of ['district_code', 'street_code', 'project_id', 'status']) if (f[c] !== undefined) q.where(`c.${c}`, f[c] as string);
    if (f.approved !== undefined) q.where('c.approved', f.approved ? 1 : 0);
    if (f.term_ends_by) q.where('c.term_ends_on', '<=', f.term_ends_by as string);
  },
  crossCheck(b) {
    if (b.term_starts_on && b.term_ends_on && String(b.term_ends_on) < String(b.term_starts_on)) return [{ path: 'term_ends_on', reason: 'must not be before the term starts' }];
    return [];
  },
  prepare: placeFromProject,
  async beforeInsert(trx, values) {
    // One committee per project area at a time; a re-formed committee after dissolution gets a suffix.
    const project = (await trx('property_projects').where('id', Number(values.project_id)).first('code')) as { code: string };
    const n = await countCodesStartingWith(trx, `OC-${project.code}`);
    const code = n ? `OC-${project.code}-${n + 1}` : `OC-${project.code}`;
    return insertOrganisation(trx, {
      code,
      name: values.name as string,
      kind: 'owners_committee',
      district_code: (values.district_code as string | null) ?? null,
      street_code: (values.street_code as string | null) ?? null,
      phone: (values.phone_24h as string | null) ?? null,
      address: (values.office_address as string | null) ?? null,
    });
  },
  async afterWrite(trx, id, _before, after) {
    await updateOrganisation(trx, id, {
      name: after.name as string,
      district_code: (after.district_code as string | null) ?? null,
      street_code: (after.street_code as string | null) ?? null,
      phone: (after.phone_24h as string | null) ?? null,
      address: (after.office_address as string | null) ?? null,
    });
  },
};
