import type { Knex } from 'knex';
import { z } from 'zod';
import { RegistryError, isCityWide, type Actor } from './actor';
import type { FieldSpec } from './fields';
import type { RegistryResource } from './resource';
import { creditEventScope, enterpriseScope } from './scope';
import { beijingToday } from '../../lib/credit/days';
import { validUntilOf } from '../../lib/credit/score';
import { refreshScores } from '../credit/scores';
import { checkManagerCaps, managersOfProjects, reinstateIfRetrained } from '../credit/managers';

/**
 * 物业诚信档案资料库 (D2): credit events of enterprises and of their project managers
 * (complaints, petitions, daily service, rewards and penalties, with points, source and date),
 * trainings and exams, and the current scores.
 *
 * An event is `pending` while it is a pre-deduction open to appeal (C3) and counts in the score
 * only once `final`. Scores follow the credit standard in force (docs/credit.md), kept in
 * `credit_scores` and recomputed in the transaction that changes a subject's events, so a
 * ranking is one indexed read.
 */

export const CREDIT_CATEGORIES = {
  complaint: '投诉',
  petition: '信访',
  daily_service: '日常服务',
  reward: '奖励',
  penalty: '处罚',
  honour: '荣誉',
  praise: '表扬',
  overdue_rectification: '逾期整改',
  media: '媒体舆情',
  maintenance_fund: '维修资金违规',
  late_update: '信息更新不及时',
  self_check: '自查情况',
};
export const CREDIT_SOURCES = {
  complaint_system: '投诉系统',
  petition_system: '信访系统',
  inspection: '监督检查',
  media: '媒体',
  maintenance_fund_system: '维修资金系统',
  self_check: '日常自查',
  manual: '人工录入',
  approval: '审批结果',
  rectification: '整改逾期',
  registry_deadline: '信息更新逾期',
  bureau: '表彰表扬',
};
export const CREDIT_STATUSES = { pending: '预记分', final: '已生效', cancelled: '已撤销' };

export const CREDIT_EVENT_FIELDS: FieldSpec[] = [
  { name: 'enterprise_id', label: '企业', type: 'ref', required: true },
  { name: 'staff_id', label: '项目经理/人员', type: 'ref' },
  { name: 'project_id', label: '项目', type: 'ref' },
  { name: 'district_code', label: '区县代码', type: 'string', derived: true },
  { name: 'category', label: '类别', type: 'enum', required: true, values: CREDIT_CATEGORIES },
  { name: 'points', label: '分值', type: 'decimal', required: true, min: -100, maxValue: 100 },
  { name: 'source', label: '来源', type: 'enum', values: CREDIT_SOURCES, default: 'manual' },
  { name: 'source_ref', label: '来源编号', type: 'string', max: 64 },
  { name: 'occurred_on', label: '发生日期', type: 'date', required: true },
  { name: 'description', label: '事由', type: 'string', required: true, max: 500 },
  { name: 'status', label: '状态', type: 'enum', values: CREDIT_STATUSES, default: 'pending' },
];

export const TRAINING_KINDS = { training: '培训', exam: '考核' };
export const TRAINING_RESULTS = { attended: '已参加', passed: '合格', failed: '不合格' };
export const TRAINING_FIELDS: FieldSpec[] = [
  { name: 'staff_id', label: '人员', type: 'ref', required: true },
  { name: 'kind', label: '类型', type: 'enum', required: true, values: TRAINING_KINDS },
  { name: 'title', label: '名称', type: 'string', required: true, max: 128 },
  { name: 'held_on', label: '日期', type: 'date', required: true },
  { name: 'hours', label: '学时', type: 'decimal', maxValue: 1000 },
  { name: 'score', label: '成绩', type: 'decimal', maxValue: 100 },
  { name: 'result', label: '结果', type: 'enum', required: true, values: TRAINING_RESULTS },
  { name: 'certificate_no', label: '证书编号', type: 'string', max: 64 },
];

/**
 * Recomputes the running scores of an enterprise and (when given) a person for a year's cycle:
 * this year's as of today, an earlier year's as of its last day (db/credit/scores.ts).
 */
export async function recomputeScores(trx: Knex.Transaction | Knex, subjects: { enterpriseIds: number[]; staffIds: number[] }, year = Number(beijingToday().slice(0, 4))): Promise<void> {
  const today = beijingToday();
  await refreshScores(trx, subjects, year === Number(today.slice(0, 4)) ? today : `${year}-12-31`);
}

/** An event is placed in its project's district, or else its enterprise's; a person must work for the enterprise. */
async function placeEvent(trx: Knex.Transaction, body: Record<string, unknown>): Promise<void> {
  const enterprise = (await trx('enterprises').where('id', Number(body.enterprise_id)).first('district_code')) as { district_code: string } | undefined;
  if (!enterprise) throw new RegistryError('invalid', 'does not exist', 'enterprise_id');
  let district = enterprise.district_code;
  if (body.project_id) {
    const project = (await trx('property_projects').where('id', Number(body.project_id)).first('district_code')) as { district_code: string } | undefined;
    if (!project) throw new RegistryError('invalid', 'does not exist', 'project_id');
    district = project.district_code;
  }
  if (
    body.staff_id &&
    !(await trx('enterprise_staff')
      .where({ id: Number(body.staff_id), enterprise_id: Number(body.enterprise_id) })
      .first('id'))
  ) {
    throw new RegistryError('invalid', 'is not a person of this enterprise', 'staff_id');
  }
  body.district_code = district;
}

function creditWriteProblem(actor: Actor, before: Record<string, unknown> | null, after: Record<string, unknown>): Promise<string | null> {
  if (isCityWide(actor)) return Promise.resolve(null);
  const scope = actor.scope;
  if (actor.role === 'district_staff' && scope.kind === 'district') {
    if (before && before.district_code !== scope.districtCode) return Promise.resolve('The event belongs to another district');
    return Promise.resolve(after.district_code === scope.districtCode ? null : 'A district records events of its own district only');
  }
  return Promise.resolve('Your role may not record credit events');
}

export const creditEvents: RegistryResource = {
  name: 'credit-events',
  entity: 'credit_event',
  title: '信用记录',
  table: 'credit_events',
  alias: 'ce',
  fields: CREDIT_EVENT_FIELDS,
  approvable: false,
  readPermission: 'registries:read',
  writePermission: 'credit:write',
  base: (db) =>
    db('credit_events as ce')
      .join('enterprises as e', 'e.id', 'ce.enterprise_id')
      .leftJoin('enterprise_staff as s', 's.id', 'ce.staff_id')
      .leftJoin('property_projects as p', 'p.id', 'ce.project_id')
      .select('ce.*', 'e.name as enterprise_name', 's.name as staff_name', 'p.name as project_name'),
  displayColumns: { enterprise_name: '企业名称', staff_name: '人员姓名', project_name: '项目名称' },
  readScope: (q, scope) => creditEventScope(q, scope),
  writeProblem: creditWriteProblem,
  sortable: ['id', 'occurred_on', 'category', 'points', 'status', 'enterprise_id', 'updated_at'],
  defaultSort: ['occurred_on', 'DESC'],
  searchColumns: ['ce.description', 'e.name', 'ce.source_ref'],
  filter: z.object({
    enterprise_id: z.coerce.number().int().optional(),
    staff_id: z.coerce.number().int().optional(),
    project_id: z.coerce.number().int().optional(),
    district_code: z.string().max(16).optional(),
    category: z.enum(Object.keys(CREDIT_CATEGORIES) as [string, ...string[]]).optional(),
    source: z.enum(Object.keys(CREDIT_SOURCES) as [string, ...string[]]).optional(),
    status: z.enum(Object.keys(CREDIT_STATUSES) as [string, ...string[]]).optional(),
    occurred_from: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    occurred_to: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  }),
  applyFilter(q, f) {
    for (const c of ['enterprise_id', 'staff_id', 'project_id', 'district_code', 'category', 'source', 'status']) if (f[c] !== undefined) q.where(`ce.${c}`, f[c] as string);
    if (f.occurred_from) q.where('ce.occurred_on', '>=', f.occurred_from as string);
    if (f.occurred_to) q.where('ce.occurred_on', '<=', f.occurred_to as string);
  },
  prepare: placeEvent,
  async afterWrite(trx, id, before, after) {
    // Entered by hand here, a record counts for the default year (docs/credit.md); the record intake sets its item's validity.
    if (typeof after.occurred_on === 'string')
      await trx('credit_events')
        .where('id', id)
        .whereNull('item_id')
        .update({ valid_until: validUntilOf(after.occurred_on, 12) });
    const enterpriseIds = [before?.enterprise_id, after.enterprise_id].filter((v): v is number => typeof v === 'number');
    const staffIds = [before?.staff_id, after.staff_id].filter((v): v is number => typeof v === 'number');
    const years = new Set([before?.occurred_on, after.occurred_on].filter((v): v is string => typeof v === 'string').map((d) => Number(d.slice(0, 4))));
    for (const year of years) await recomputeScores(trx, { enterpriseIds, staffIds }, year);
    // The people it counts against (its own, and the managers of its project) reach their cap or not (C6).
    const projectIds = [before?.project_id, after.project_id].filter((v): v is number => typeof v === 'number');
    await checkManagerCaps(trx, [...staffIds, ...(await managersOfProjects(trx, projectIds))]);
  },
};

export const trainings: RegistryResource = {
  name: 'trainings',
  entity: 'training',
  title: '培训考核',
  table: 'credit_trainings',
  alias: 't',
  fields: TRAINING_FIELDS,
  approvable: false,
  readPermission: 'registries:read',
  writePermission: 'credit:write',
  base: (db) => db('credit_trainings as t').join('enterprise_staff as s', 's.id', 't.staff_id').join('enterprises as e', 'e.id', 's.enterprise_id').select('t.*', 's.name as staff_name', 's.enterprise_id', 'e.name as enterprise_name'),
  displayColumns: { staff_name: '姓名', enterprise_name: '企业名称' },
  readScope: (q, scope) => enterpriseScope(q, scope, 'e', 's.enterprise_id'),
  async writeProblem(actor, _before, after, trx) {
    if (isCityWide(actor)) return null;
    if (actor.role === 'district_staff' && actor.scope.kind === 'district') {
      const row = (await trx('enterprise_staff as s').join('enterprises as e', 'e.id', 's.enterprise_id').where('s.id', Number(after.staff_id)).first('e.district_code')) as { district_code: string } | undefined;
      return row?.district_code === actor.scope.districtCode ? null : 'A district records trainings of its own enterprises’ staff only';
    }
    return 'Your role may not record trainings';
  },
  sortable: ['id', 'held_on', 'kind', 'result', 'staff_id'],
  defaultSort: ['held_on', 'DESC'],
  searchColumns: ['t.title', 's.name'],
  filter: z.object({
    staff_id: z.coerce.number().int().optional(),
    kind: z.enum(['training', 'exam']).optional(),
    result: z.enum(['attended', 'passed', 'failed']).optional(),
  }),
  applyFilter(q, f) {
    for (const c of ['staff_id', 'kind', 'result']) if (f[c] !== undefined) q.where(`t.${c}`, f[c] as string);
  },
  // A retraining and a passed exam recorded after a suspension lift it (C6).
  async afterWrite(trx, _id, _before, after) {
    if (typeof after.staff_id === 'number') await reinstateIfRetrained(trx, after.staff_id);
  },
};
