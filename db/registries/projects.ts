import type { Knex } from 'knex';
import { z } from 'zod';
import { regionParent } from '../regions';
import { RegistryError, isCityWide, type Actor } from './actor';
import { EMAIL, PHONE, POSTCODE, type FieldSpec } from './fields';
import type { ChildSpec, RegistryResource } from './resource';
import { projectScope } from './scope';

/** 物业项目资料库 (D1): every field of 000 一 and 主要功能 5. */
export const NATURES = {
  residential_high_rise: '居住-高层',
  residential_multi_storey: '居住-多层',
  detached_villa: '居住-独幢别墅',
  terraced_villa: '居住-联排别墅',
  commercial_office: '非居住-商业办公',
  public_utility: '非居住-公共事业',
};
export const MANAGEMENT_MODES = { entrusted: '委托物业服务企业管理', self_managed: '业主委员会自管' };

const count = (name: string, label: string): FieldSpec => ({ name, label, type: 'int', maxValue: 1_000_000 });
const area = (name: string, label: string): FieldSpec => ({ name, label, type: 'decimal', maxValue: 100_000_000 });
const flag = (name: string, label: string): FieldSpec => ({ name, label, type: 'bool' });
const phone = (name: string, label: string): FieldSpec => ({ name, label, type: 'string', max: 32, pattern: PHONE });

export const PROJECT_FIELDS: FieldSpec[] = [
  { name: 'code', label: '项目代码', type: 'string', required: true, max: 32, pattern: { regex: /^[A-Za-z0-9-]{4,32}$/, message: 'letters, digits and hyphens, 4 to 32' } },
  { name: 'name', label: '项目名称', type: 'string', required: true, max: 128 },
  { name: 'address', label: '坐落', type: 'string', required: true, max: 255 },
  { name: 'district_code', label: '所属区县代码', type: 'string', required: true, max: 16 },
  { name: 'street_code', label: '所属街道代码', type: 'string', max: 16 },
  { name: 'community_code', label: '所属居委代码', type: 'string', max: 16 },
  { name: 'ring_road', label: '归属环线', type: 'string', max: 32 },
  { name: 'block', label: '归属板块', type: 'string', max: 64 },
  { name: 'housing_office', label: '归属房管所', type: 'string', max: 64 },
  { name: 'postcode', label: '邮编', type: 'string', max: 6, pattern: POSTCODE },
  { name: 'longitude', label: '经度', type: 'decimal', min: 73, maxValue: 136 },
  { name: 'latitude', label: '纬度', type: 'decimal', min: 3, maxValue: 54 },
  area('land_area', '占地面积(㎡)'),
  area('floor_area', '建筑面积(㎡)'),
  { name: 'door_numbers', label: '门牌信息', type: 'string', max: 255 },
  { name: 'build_year', label: '建成年代', type: 'int', min: 1900, maxValue: 2100 },
  { name: 'nature', label: '物业性质', type: 'enum', required: true, values: NATURES },
  { name: 'management_mode', label: '管理方式', type: 'enum', required: true, values: MANAGEMENT_MODES },
  { name: 'enterprise_id', label: '物业服务企业', type: 'ref' },
  { name: 'developer_id', label: '建设单位', type: 'ref' },
  count('buildings_count', '幢数'),
  count('floors_max', '层数(最高)'),
  count('stairs_count', '楼梯数'),
  count('households', '户数'),
  count('elevators', '电梯数'),
  count('parking_total', '停车位总数'),
  count('parking_above', '地面停车位'),
  count('parking_below', '地下停车位'),
  count('entrances_24h', '24小时常开出入口'),
  count('entrances_timed', '定时看守出入口'),
  count('water_tanks', '水箱个数'),
  count('reservoirs', '蓄水池个数'),
  area('property_rooms_area', '物业用房总面积(㎡)'),
  area('office_rooms_area', '办公用房面积(㎡)'),
  area('commercial_rooms_area', '商业用房面积(㎡)'),
  count('fire_hydrants', '消防栓数量'),
  count('fire_extinguishers', '灭火器数量'),
  count('smoke_detectors', '烟感数量'),
  count('heat_detectors', '温感数量'),
  count('sprinkler_pumps', '喷淋泵数量'),
  count('sprinkler_heads', '喷淋头数量'),
  flag('fire_alarm_system', '消防报警系统'),
  flag('perimeter_alarm', '周界报警系统'),
  count('video_cameras', '视频监控摄像机'),
  flag('video_control_room', '监控中心'),
  flag('access_control', '出入口控制(对讲/门禁)'),
  flag('indoor_alarm', '室内报警系统'),
  flag('physical_protection', '实体防护装置'),
  { name: 'maintenance_fund_account', label: '维修资金账号', type: 'string', max: 64 },
  { name: 'maintenance_fund_balance', label: '维修资金余额(元)', type: 'decimal', maxValue: 1e11 },
  { name: 'office_name', label: '小区管理处名称', type: 'string', max: 128 },
  { name: 'office_address', label: '管理处地址', type: 'string', max: 255 },
  { name: 'manager_name', label: '项目经理', type: 'string', max: 64 },
  phone('manager_mobile', '项目经理手机'),
  phone('manager_phone', '项目经理座机'),
  { name: 'manager_certificate_no', label: '项目经理上岗证编号', type: 'string', max: 64 },
  { name: 'email', label: 'Email地址', type: 'string', max: 128, pattern: EMAIL },
  phone('day_repair_phone', '日间报修电话'),
  phone('night_repair_phone', '夜间报修电话'),
  { name: 'remarks', label: '其他信息', type: 'text' },
];

const BUILDING_FIELDS: FieldSpec[] = [
  { name: 'number', label: '幢号', type: 'string', required: true, max: 32 },
  { name: 'door_number', label: '门牌', type: 'string', max: 128 },
  { name: 'floors_above', label: '地上层数', type: 'int', maxValue: 200 },
  { name: 'floors_below', label: '地下层数', type: 'int', maxValue: 20 },
  { name: 'stairs', label: '楼梯(单元)数', type: 'int', maxValue: 100 },
  { name: 'households', label: '户数', type: 'int', maxValue: 10000 },
  { name: 'elevators', label: '电梯数', type: 'int', maxValue: 100 },
  { name: 'structure', label: '结构', type: 'string', max: 32 },
  { name: 'build_year', label: '建成年份', type: 'int', min: 1900, maxValue: 2100 },
];

export const FACILITY_STATUSES = { good: '完好', fair: '基本完好', poor: '损坏', out_of_service: '停用' };
const FACILITY_FIELDS: FieldSpec[] = [
  { name: 'kind', label: '设施类型', type: 'string', required: true, max: 32 },
  { name: 'name', label: '名称', type: 'string', required: true, max: 128 },
  { name: 'quantity', label: '数量', type: 'int', default: 1, maxValue: 100000 },
  { name: 'location', label: '位置', type: 'string', max: 128 },
  { name: 'status', label: '状况', type: 'enum', values: FACILITY_STATUSES, default: 'good' },
  { name: 'last_checked_on', label: '最近检查', type: 'date' },
];

const CONTRACT_FIELDS: FieldSpec[] = [
  { name: 'kind', label: '类型', type: 'enum', values: { preliminary_service: '前期物业服务合同', service: '物业服务合同', temporary_management: '临时管理规约' } },
  { name: 'enterprise_id', label: '企业', type: 'ref' },
  { name: 'contract_no', label: '合同编号', type: 'string' },
  { name: 'starts_on', label: '起始日', type: 'date' },
  { name: 'ends_on', label: '终止日', type: 'date' },
  { name: 'fee_per_sqm', label: '收费标准(元/㎡·月)', type: 'decimal' },
  { name: 'filing_no', label: '备案编号', type: 'string' },
  { name: 'filed_on', label: '备案日期', type: 'date' },
  { name: 'case_ref', label: '审批案件', type: 'string' },
];
const AWARD_FIELDS: FieldSpec[] = [
  { name: 'enterprise_id', label: '中标企业', type: 'ref' },
  { name: 'tenderer', label: '招标人', type: 'enum', values: { developer: '建设单位', owners_assembly: '业主大会' } },
  { name: 'awarded_on', label: '中标日期', type: 'date' },
  { name: 'term_months', label: '服务期限(月)', type: 'int' },
  { name: 'fee_per_sqm', label: '中标价(元/㎡·月)', type: 'decimal' },
  { name: 'announcement_no', label: '公告编号', type: 'string' },
  { name: 'case_ref', label: '审批案件', type: 'string' },
];

const CHILDREN: ChildSpec[] = [
  { key: 'buildings', table: 'project_buildings', foreignKey: 'project_id', fields: BUILDING_FIELDS, orderBy: 'number' },
  { key: 'facilities', table: 'project_facilities', foreignKey: 'project_id', fields: FACILITY_FIELDS, orderBy: 'kind' },
  { key: 'contracts', table: 'property_contracts', foreignKey: 'project_id', fields: CONTRACT_FIELDS, orderBy: 'filed_on', readOnly: true },
  { key: 'awards', table: 'tender_awards', foreignKey: 'project_id', fields: AWARD_FIELDS, orderBy: 'awarded_on', readOnly: true },
];

/** Fields only the bureau (city or district) changes: where a project is, what it is called by, who manages it. */
const PLACEMENT = ['code', 'district_code', 'street_code', 'community_code', 'enterprise_id', 'developer_id', 'management_mode'];

async function projectWriteProblem(actor: Actor, before: Record<string, unknown> | null, after: Record<string, unknown>, trx: Knex.Transaction): Promise<string | null> {
  if (isCityWide(actor)) return null;
  const scope = actor.scope;
  if (actor.role === 'district_staff' && scope.kind === 'district') {
    if (before && before.district_code !== scope.districtCode) return 'The project is outside your district';
    return after.district_code === scope.districtCode ? null : 'A district may only place projects in its own district';
  }
  if (!before) return 'Your role may not create projects';
  if (actor.role === 'enterprise' && before.enterprise_id === actor.organisationId) return null;
  if (actor.role === 'owners_committee' && before.management_mode === 'self_managed') {
    const own = await trx('owners_committees').where({ id: actor.organisationId, project_id: before.id }).first('id');
    if (own) return null;
  }
  return 'You may not edit this project';
}

export async function regionsAgree(trx: Knex.Transaction, body: Record<string, unknown>): Promise<void> {
  // A street must lie in the district and a community in the street; the check runs in
  // `prepare` so a mismatch is a field problem, not a foreign-key surprise.
  const pairs: Array<[string, string]> = [
    ['street_code', 'district_code'],
    ['community_code', 'street_code'],
  ];
  for (const [child, parent] of pairs) {
    if (!body[child]) continue;
    const parentCode = await regionParent(trx, body[child] as string);
    if (parentCode === undefined || parentCode !== body[parent]) throw new RegistryError('invalid', `does not lie in ${parent}`, child);
  }
}

export const projects: RegistryResource = {
  name: 'projects',
  entity: 'project',
  title: '物业项目',
  table: 'property_projects',
  alias: 'p',
  fields: PROJECT_FIELDS,
  children: CHILDREN,
  approvable: true,
  importKey: { fields: ['code'], label: '项目代码' },
  refKeys: [
    { field: 'enterprise_id', table: 'enterprises', keyColumn: 'credit_code', label: '物业服务企业信用代码' },
    { field: 'developer_id', table: 'enterprises', keyColumn: 'credit_code', label: '建设单位信用代码' },
  ],
  readPermission: 'registries:read',
  writePermission: 'registries:write',
  base: (db) =>
    db('property_projects as p')
      .leftJoin('regions as rd', 'rd.code', 'p.district_code')
      .leftJoin('regions as rs', 'rs.code', 'p.street_code')
      .leftJoin('regions as rc', 'rc.code', 'p.community_code')
      .leftJoin('enterprises as pe', 'pe.id', 'p.enterprise_id')
      .leftJoin('enterprises as pd', 'pd.id', 'p.developer_id')
      .select('p.*', 'rd.name as district_name', 'rs.name as street_name', 'rc.name as community_name', 'pe.name as enterprise_name', 'pd.name as developer_name'),
  displayColumns: { district_name: '区县', street_name: '街道', community_name: '居委', enterprise_name: '物业服务企业名称', developer_name: '建设单位名称' },
  readScope: (q, scope) => projectScope(q, scope),
  writeProblem: projectWriteProblem,
  protectedFields: { fields: PLACEMENT, mayChange: (a) => isCityWide(a) || a.role === 'district_staff' },
  sortable: ['id', 'code', 'name', 'district_code', 'street_code', 'nature', 'management_mode', 'build_year', 'floor_area', 'households', 'approved', 'updated_at', 'enterprise_name'],
  defaultSort: ['id', 'ASC'],
  searchColumns: ['p.name', 'p.code', 'p.address'],
  filter: z.object({
    district_code: z.string().max(16).optional(),
    street_code: z.string().max(16).optional(),
    community_code: z.string().max(16).optional(),
    nature: z.enum(Object.keys(NATURES) as [string, ...string[]]).optional(),
    management_mode: z.enum(['entrusted', 'self_managed']).optional(),
    enterprise_id: z.coerce.number().int().optional(),
    approved: z.boolean().optional(),
    build_year_gte: z.coerce.number().int().optional(),
    build_year_lte: z.coerce.number().int().optional(),
  }),
  applyFilter(q, f) {
    for (const c of ['district_code', 'street_code', 'community_code', 'nature', 'management_mode', 'enterprise_id']) if (f[c] !== undefined) q.where(`p.${c}`, f[c] as string);
    if (f.approved !== undefined) q.where('p.approved', f.approved ? 1 : 0);
    if (f.build_year_gte !== undefined) q.where('p.build_year', '>=', f.build_year_gte as number);
    if (f.build_year_lte !== undefined) q.where('p.build_year', '<=', f.build_year_lte as number);
  },
  crossCheck(b) {
    const problems: Array<{ path: string; reason: string }> = [];
    const n = (k: string) => (typeof b[k] === 'number' ? (b[k] as number) : null);
    const total = n('parking_total');
    const above = n('parking_above');
    const below = n('parking_below');
    if (total !== null && above !== null && below !== null && above + below !== total) {
      problems.push({ path: 'parking_total', reason: 'must equal above-ground plus underground spaces' });
    }
    if (b.management_mode === 'entrusted' && !b.enterprise_id) problems.push({ path: 'enterprise_id', reason: 'is required when an enterprise manages the project' });
    if (b.management_mode === 'self_managed' && b.enterprise_id) problems.push({ path: 'enterprise_id', reason: 'must be empty when the owners manage the project themselves' });
    return problems;
  },
  prepare: regionsAgree,
};
