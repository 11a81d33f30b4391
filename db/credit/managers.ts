import type { Knex } from 'knex';
import { beijingToday, dayOf } from '../../lib/credit/days';
import { cycleStartOf } from '../../lib/credit/score';
import { modelAt } from './scores';

/**
 * Project managers' caps (C6, docs/credit.md). A person's deduction points in a cycle are their
 * own bad records plus, for a project they manage (`enterprise_staff.project_id`), the share of
 * each of its bad records the item gives the manager (`manager_share`, Yinchuan: the manager
 * takes the deductions of the project run). At the cap the model sets for their role they are
 * suspended in the staff registry — they cannot be named manager of a project — until a
 * retraining and a passed exam are recorded after the suspension (seed 000: 重新培训、考核).
 */
type Db = Knex | Knex.Transaction;

interface StaffRow {
  id: number;
  enterprise_id: number;
  role: string;
  project_id: number | null;
}

/** Deduction points of some people in the cycle containing `day` (records final and valid on it). */
export async function managerPoints(db: Db, staffIds: number[], day: string): Promise<Map<number, number>> {
  const out = new Map<number, number>(staffIds.map((id) => [id, 0]));
  if (!staffIds.length) return out;
  const { model } = await modelAt(db, day);
  const cycleStart = cycleStartOf(day, model);
  const valid = (q: Knex.QueryBuilder) =>
    q
      .where('ce.status', 'final')
      .where('ce.points', '<', 0)
      .where('ce.occurred_on', '<=', day)
      .where((w) => w.where('ce.occurred_on', '>=', cycleStart).orWhereNull('ce.valid_until'))
      .where((w) => w.where('ce.valid_until', '>=', day).orWhere((u) => u.whereNull('ce.valid_until').where((r) => r.whereNull('ce.rectified_on').orWhere('ce.rectified_on', '>', day))));
  const own = (await valid(db('credit_events as ce').whereIn('ce.staff_id', staffIds))
    .groupBy('ce.staff_id')
    .select('ce.staff_id as id')
    .sum({ points: db.raw('-ce.points') })) as Array<{ id: number; points: string | number }>;
  for (const r of own) out.set(Number(r.id), (out.get(Number(r.id)) ?? 0) + Number(r.points));
  const shared = (await valid(
    db('credit_events as ce').join('credit_standard_items as i', 'i.id', 'ce.item_id').join('enterprise_staff as s', 's.project_id', 'ce.project_id').whereIn('s.id', staffIds).whereNull('ce.staff_id').where('i.manager_share', '>', 0),
  )
    .groupBy('s.id')
    .select('s.id')
    .sum({ points: db.raw('-ce.points * i.manager_share') })) as Array<{ id: number; points: string | number }>;
  for (const r of shared) out.set(Number(r.id), (out.get(Number(r.id)) ?? 0) + Number(r.points));
  for (const [id, p] of out) out.set(id, Math.round(p * 100) / 100);
  return out;
}

/** The managers of some projects (anyone the staff registry names on them), for rechecking when a project's record changes. */
export async function managersOfProjects(db: Db, projectIds: number[]): Promise<number[]> {
  if (!projectIds.length) return [];
  return ((await db('enterprise_staff').whereIn('project_id', projectIds).where('active', true).pluck('id')) as number[]).map(Number);
}

export interface Suspension {
  id: number;
  staffId: number;
  suspendedOn: string;
  points: number;
  cap: number;
  reinstatedOn: string | null;
}

const suspensionOf = (r: { id: number; staff_id: number; suspended_on: Date | string; points: string; cap: string; reinstated_on: Date | string | null }): Suspension => ({
  id: r.id,
  staffId: r.staff_id,
  suspendedOn: dayOf(r.suspended_on)!,
  points: Number(r.points),
  cap: Number(r.cap),
  reinstatedOn: dayOf(r.reinstated_on),
});

export async function openSuspension(db: Db, staffId: number): Promise<Suspension | null> {
  const row = await db('credit_manager_suspensions').where('staff_id', staffId).whereNull('reinstated_on').first();
  return row ? suspensionOf(row) : null;
}

/**
 * Suspends the people among `staffIds` whose points reached their role's cap on `day` and who
 * are not suspended already; answers the new suspensions. Rechecking writes nothing new.
 */
export async function checkManagerCaps(trx: Knex.Transaction, staffIds: number[], day: string = beijingToday()): Promise<Suspension[]> {
  const unique = [...new Set(staffIds)];
  if (!unique.length) return [];
  const { model } = await modelAt(trx, day);
  const caps = model.managerCaps as Record<string, number | undefined>;
  const people = ((await trx('enterprise_staff').whereIn('id', unique).select('id', 'enterprise_id', 'role', 'project_id')) as StaffRow[]).filter((s) => caps[s.role] !== undefined);
  if (!people.length) return [];
  const points = await managerPoints(
    trx,
    people.map((p) => p.id),
    day,
  );
  const suspended = new Set(
    (
      (await trx('credit_manager_suspensions')
        .whereIn(
          'staff_id',
          people.map((p) => p.id),
        )
        .whereNull('reinstated_on')
        .forUpdate()
        .pluck('staff_id')) as number[]
    ).map(Number),
  );
  const made: Suspension[] = [];
  for (const p of people) {
    const cap = caps[p.role]!;
    const total = points.get(p.id) ?? 0;
    if (total < cap || suspended.has(p.id)) continue;
    const [id] = await trx('credit_manager_suspensions').insert({ staff_id: p.id, enterprise_id: p.enterprise_id, suspended_on: day, points: total, cap });
    made.push({ id, staffId: p.id, suspendedOn: day, points: total, cap, reinstatedOn: null });
  }
  return made;
}

/**
 * Lifts a person's suspension once a retraining (attended or passed) and a passed exam are
 * recorded on or after the day it began; answers whether it was lifted.
 */
export async function reinstateIfRetrained(trx: Knex.Transaction, staffId: number, day: string = beijingToday()): Promise<boolean> {
  const open = (await trx('credit_manager_suspensions').where('staff_id', staffId).whereNull('reinstated_on').forUpdate().first()) as { id: number; suspended_on: Date | string } | undefined;
  if (!open) return false;
  const since = dayOf(open.suspended_on)!;
  const training = (await trx('credit_trainings').where({ staff_id: staffId, kind: 'training' }).whereIn('result', ['attended', 'passed']).where('held_on', '>=', since).orderBy('held_on').first('id')) as { id: number } | undefined;
  const exam = (await trx('credit_trainings').where({ staff_id: staffId, kind: 'exam', result: 'passed' }).where('held_on', '>=', since).orderBy('held_on').first('id')) as { id: number } | undefined;
  if (!training || !exam) return false;
  await trx('credit_manager_suspensions').where('id', open.id).update({ reinstated_on: day, training_id: training.id, exam_id: exam.id });
  return true;
}

/** Suspensions whose enterprise has not been texted yet, oldest first. */
export async function suspensionsToNotify(db: Db, limit = 50): Promise<number[]> {
  return ((await db('credit_manager_suspensions').whereNull('notified_at').orderBy('id').limit(limit).pluck('id')) as number[]).map(Number);
}

/** The text of a suspension and who receives it: the enterprise's and its project managers' accounts. */
export async function suspensionAlert(db: Db, suspensionId: number): Promise<{ text: string; userIds: number[] } | null> {
  const r = (await db('credit_manager_suspensions as m')
    .join('enterprise_staff as s', 's.id', 'm.staff_id')
    .join('enterprises as e', 'e.id', 'm.enterprise_id')
    .where('m.id', suspensionId)
    .first('m.enterprise_id', 'm.points', 'm.cap', 's.name', 'e.name as enterprise_name')) as { enterprise_id: number; points: string; cap: string; name: string; enterprise_name: string } | undefined;
  if (!r) return null;
  const userIds = ((await db('users').where({ organisation_id: r.enterprise_id, active: true }).whereIn('role', ['enterprise', 'project_manager']).orderBy('id').pluck('id')) as number[]).map(Number);
  const text = `【苏州物业监管平台】${r.enterprise_name}：项目经理${r.name}本周期信用扣分${Number(r.points)}分，已达上限${Number(r.cap)}分，即日起暂停担任项目经理，须重新参加培训并考核合格后恢复。`;
  return { text, userIds };
}

export async function markSuspensionNotified(db: Db, suspensionId: number): Promise<void> {
  await db('credit_manager_suspensions').where('id', suspensionId).whereNull('notified_at').update({ notified_at: new Date() });
}
