import type { Knex } from 'knex';
import { openSuspension } from '../credit/managers';
import { z } from 'zod';
import { isCityWide, type Actor } from './actor';
import { PHONE, type FieldSpec } from './fields';
import { idNumberProblem } from './identifiers';
import { STAFF_ID_NUMBER, STAFF_MOBILE, idNumberIndex, orWhereIdNumber } from './pii';
import type { RegistryResource } from './resource';
import { enterpriseScope } from './scope';

/**
 * Enterprise staff (D3 主要人员管理): managers, professional and technical staff, the 24-hour
 * repair crew and certified operators, one row per person per enterprise. A person (by ID card
 * number) active at two enterprises at once is a double registration (重复挂职): every staff
 * write recomputes the flag for everyone with that number, in the same transaction.
 *
 * The ID number and the mobile are stored encrypted (pii.ts); "the same person" is the same
 * blind index of the ID number, `id_number_bidx`, which also carries the per-enterprise
 * uniqueness and exact look-ups.
 */
export const STAFF_ROLES = {
  legal_representative: '法定代表人',
  principal: '企业负责人',
  project_manager: '项目经理',
  professional: '物业管理专业人员',
  technical: '管理和技术人员',
  repair_duty: '24小时维修服务人员',
  certified_operator: '持证上岗人员',
};

export const STAFF_FIELDS: FieldSpec[] = [
  { name: 'enterprise_id', label: '所属企业', type: 'ref', required: true },
  { name: 'name', label: '姓名', type: 'string', required: true, max: 64 },
  { name: 'id_number', label: '身份证号', type: 'string', required: true, max: 18, check: (v: string) => idNumberProblem(v), personal: STAFF_ID_NUMBER },
  { name: 'mobile', label: '联系电话', type: 'string', max: 32, pattern: PHONE, personal: STAFF_MOBILE },
  { name: 'role', label: '人员类别', type: 'enum', required: true, values: STAFF_ROLES },
  { name: 'title', label: '职称/技术等级', type: 'string', max: 64 },
  { name: 'certificate_type', label: '证书类别', type: 'string', max: 64 },
  { name: 'certificate_no', label: '证书编号', type: 'string', max: 64 },
  { name: 'certificate_valid_until', label: '证书有效期至', type: 'date' },
  { name: 'project_id', label: '负责项目', type: 'ref' },
  { name: 'active', label: '在职', type: 'bool', default: true },
  { name: 'registered_on', label: '登记日期', type: 'date' },
  { name: 'left_on', label: '离职日期', type: 'date' },
  { name: 'duplicate_registration', label: '重复挂职', type: 'bool', derived: true },
];

/** Recomputes the double-registration flag of every row of these people (by clear ID number). */
export async function refreshDuplicateFlags(trx: Knex.Transaction | Knex, idNumbers: string[]): Promise<void> {
  await refreshDuplicateFlagsByIndex(trx, [...new Set(idNumbers.map(idNumberIndex))]);
}

/** The same by blind index (what rotation and the seed have at hand). */
export async function refreshDuplicateFlagsByIndex(trx: Knex.Transaction | Knex, indexes: string[]): Promise<void> {
  if (indexes.length === 0) return;
  const counts = (await trx('enterprise_staff').whereIn('id_number_bidx', indexes).where('active', 1).groupBy('id_number_bidx').select('id_number_bidx').countDistinct({ n: 'enterprise_id' })) as Array<{
    id_number_bidx: string;
    n: number | string;
  }>;
  const duplicated = counts.filter((c) => Number(c.n) > 1).map((c) => c.id_number_bidx);
  // Only active registrations are in conflict; a row the person has left stays unflagged.
  await trx('enterprise_staff')
    .whereIn('id_number_bidx', indexes)
    .update({ duplicate_registration: duplicated.length ? trx.raw('active = 1 AND id_number_bidx IN (?)', [duplicated]) : 0 });
}

async function enterpriseDistrict(trx: Knex.Transaction, enterpriseId: unknown): Promise<string | null> {
  const row = (await trx('enterprises').where('id', Number(enterpriseId)).first('district_code')) as { district_code: string } | undefined;
  return row?.district_code ?? null;
}

async function staffWriteProblem(actor: Actor, before: Record<string, unknown> | null, after: Record<string, unknown>, trx: Knex.Transaction): Promise<string | null> {
  // Over the credit cap (C6): nobody names the person manager of a project until retrained and examined.
  if (before && after.project_id && after.project_id !== before.project_id && (await openSuspension(trx, Number(before.id)))) {
    return 'This person is suspended for reaching the credit cap and may not be named manager of a project until a retraining and a passed exam are recorded';
  }
  if (isCityWide(actor)) return null;
  const scope = actor.scope;
  if (actor.role === 'district_staff' && scope.kind === 'district') {
    if (before && (await enterpriseDistrict(trx, before.enterprise_id)) !== scope.districtCode) return 'The person works for an enterprise outside your district';
    return (await enterpriseDistrict(trx, after.enterprise_id)) === scope.districtCode ? null : 'A district may only register staff of its own enterprises';
  }
  if (actor.role === 'enterprise') {
    if (before && before.enterprise_id !== actor.organisationId) return 'You may not edit another enterprise’s staff';
    return after.enterprise_id === actor.organisationId ? null : 'An enterprise may only register its own staff';
  }
  return 'Your role may not edit staff';
}

export const staff: RegistryResource = {
  name: 'staff',
  entity: 'staff',
  title: '从业人员',
  table: 'enterprise_staff',
  alias: 's',
  fields: STAFF_FIELDS,
  approvable: true,
  importKey: { fields: ['enterprise_id', 'id_number'], label: '所属企业信用代码 + 身份证号' },
  refKeys: [
    { field: 'enterprise_id', table: 'enterprises', keyColumn: 'credit_code', label: '所属企业信用代码' },
    { field: 'project_id', table: 'property_projects', keyColumn: 'code', label: '负责项目代码' },
  ],
  readPermission: 'registries:read',
  writePermission: 'registries:write',
  base: (db) =>
    db('enterprise_staff as s')
      // LEFT although every person has an enterprise (NOT NULL, foreign key): it keeps staff the
      // driving table, so a list page reads staff in its sort order instead of sorting them all.
      .leftJoin('enterprises as e', 'e.id', 's.enterprise_id')
      .leftJoin('property_projects as sp', 'sp.id', 's.project_id')
      .leftJoin('credit_scores as cs', (j) => j.on('cs.subject_id', 's.id').andOnVal('cs.subject_type', 'staff').andOnVal('cs.year', new Date().getUTCFullYear()))
      .select('s.*', 'e.name as enterprise_name', 'e.district_code as enterprise_district_code', 'sp.name as project_name', (db as Knex).raw('COALESCE(cs.score, 100) as credit_score')),
  displayColumns: { enterprise_name: '所属企业名称', project_name: '负责项目名称', credit_score: '本年度信用分' },
  readScope: (q, scope) => enterpriseScope(q, scope, 'e', 's.enterprise_id'),
  writeProblem: staffWriteProblem,
  sortable: ['id', 'name', 'role', 'enterprise_id', 'certificate_valid_until', 'registered_on', 'duplicate_registration', 'approved', 'updated_at', 'enterprise_name', 'credit_score'],
  defaultSort: ['id', 'ASC'],
  // The ID number is encrypted: a search finds it whole (blind index) or by its last four, not by a prefix.
  searchColumns: ['s.name', 's.certificate_no'],
  searchMore: (w, text) => orWhereIdNumber(w, 's', text),
  filter: z.object({
    enterprise_id: z.coerce.number().int().optional(),
    project_id: z.coerce.number().int().optional(),
    role: z.enum(Object.keys(STAFF_ROLES) as [string, ...string[]]).optional(),
    active: z.boolean().optional(),
    duplicate_registration: z.boolean().optional(),
    id_number: z.string().max(18).optional(),
    approved: z.boolean().optional(),
  }),
  applyFilter(q, f) {
    for (const c of ['enterprise_id', 'project_id', 'role']) if (f[c] !== undefined) q.where(`s.${c}`, f[c] as string);
    if (f.id_number !== undefined) q.where('s.id_number_bidx', idNumberIndex(f.id_number as string));
    for (const c of ['active', 'duplicate_registration', 'approved']) if (f[c] !== undefined) q.where(`s.${c}`, f[c] ? 1 : 0);
  },
  crossCheck(b) {
    if (b.left_on && b.active) return [{ path: 'active', reason: 'a person who has left cannot be active' }];
    return [];
  },
  async afterWrite(trx, _id, before, after) {
    await refreshDuplicateFlags(trx, [...new Set([before?.id_number, after.id_number].filter((v): v is string => typeof v === 'string'))]);
  },
};
