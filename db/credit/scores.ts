import type { Knex } from 'knex';
import { beijingToday, dayOf } from '../../lib/credit/days';
import { scoreAt, cycleStartOf, type CreditScore, type ScoredRecord } from '../../lib/credit/score';
import { DEFAULT_MODEL, type ScoringModel } from '../../lib/credit/standard';
import { standardAt } from './standards';

/**
 * Running scores (C4): the records of a subject valid on a day, scored by lib/credit/score.ts
 * under the standard in force that day (the default model before any is published), kept in
 * `credit_scores` per subject and cycle so rankings and lists are one indexed read. A change to
 * a subject's records recomputes that subject in the same transaction.
 */

export type SubjectType = 'enterprise' | 'staff';

interface RecordRow {
  id: number;
  subject_id: number;
  points: string | number;
  occurred_on: Date | string;
  valid_until: Date | string | null;
  rectified_on: Date | string | null;
  veto: number | boolean;
  item_kind: 'good' | 'bad' | null;
  area: string | null;
  nature: string | null;
  floor_area: string | number | null;
}

/** The model in force on a day, with the standard's id (null: the default model, no standard published yet). */
export async function modelAt(db: Knex | Knex.Transaction, day: string): Promise<{ model: ScoringModel; standardId: number | null }> {
  const standard = await standardAt(db, day);
  return standard ? { model: standard.model, standardId: standard.id } : { model: DEFAULT_MODEL, standardId: null };
}

/**
 * The final records of some subjects that may count on `day`: occurred by then, valid on it,
 * and in its cycle or (until-rectified ones) carried into it. One range per subject of the
 * (enterprise_id|staff_id, occurred_on) index.
 */
async function recordsOf(db: Knex | Knex.Transaction, type: SubjectType, ids: number[], day: string, cycleStart: string): Promise<Map<number, ScoredRecord[]>> {
  const column = type === 'enterprise' ? 'ce.enterprise_id' : 'ce.staff_id';
  const rows = (await db('credit_events as ce')
    .leftJoin('credit_standard_items as i', 'i.id', 'ce.item_id')
    .leftJoin('property_projects as p', 'p.id', 'ce.project_id')
    .whereIn(column, ids)
    .where('ce.status', 'final')
    .where('ce.occurred_on', '<=', day)
    .where((q) => q.where('ce.valid_until', '>=', day).orWhere((u) => u.whereNull('ce.valid_until').where((r) => r.whereNull('ce.rectified_on').orWhere('ce.rectified_on', '>', day))))
    .where((q) => q.where('ce.occurred_on', '>=', cycleStart).orWhereNull('ce.valid_until'))
    .select(`${column} as subject_id`, 'ce.id', 'ce.points', 'ce.occurred_on', 'ce.valid_until', 'ce.rectified_on', 'ce.veto', 'i.kind as item_kind', 'i.area', 'p.nature', 'p.floor_area')) as RecordRow[];
  const bySubject = new Map<number, ScoredRecord[]>();
  for (const r of rows) {
    const points = Number(r.points);
    const list = bySubject.get(Number(r.subject_id)) ?? [];
    list.push({
      id: r.id,
      // A record entered before standards existed has no item: its sign says what it is.
      kind: r.item_kind ?? (points < 0 ? 'bad' : 'good'),
      points: Math.abs(points),
      occurredOn: dayOf(r.occurred_on)!,
      validUntil: dayOf(r.valid_until),
      rectifiedOn: dayOf(r.rectified_on),
      veto: Boolean(r.veto),
      area: r.area,
      projectNature: r.nature,
      projectFloorArea: r.floor_area === null ? null : Number(r.floor_area),
    });
    bySubject.set(Number(r.subject_id), list);
  }
  return bySubject;
}

async function qualificationsOf(db: Knex | Knex.Transaction, type: SubjectType, ids: number[]): Promise<Map<number, string | null>> {
  // A person's deductions are weighted by their enterprise's level, as the enterprise's are.
  const rows = (
    type === 'enterprise'
      ? await db('enterprises').whereIn('id', ids).select('id', 'qualification_level')
      : await db('enterprise_staff as s').join('enterprises as e', 'e.id', 's.enterprise_id').whereIn('s.id', ids).select('s.id', 'e.qualification_level')
  ) as Array<{ id: number; qualification_level: string | null }>;
  return new Map(rows.map((r) => [r.id, r.qualification_level]));
}

/** Scores of some subjects on a day, computed from their records (nothing written). */
export async function scoresAt(db: Knex | Knex.Transaction, type: SubjectType, ids: number[], day: string): Promise<Map<number, CreditScore & { standardId: number | null }>> {
  const unique = [...new Set(ids)];
  const out = new Map<number, CreditScore & { standardId: number | null }>();
  if (!unique.length) return out;
  const { model, standardId } = await modelAt(db, day);
  const cycleStart = cycleStartOf(day, model);
  const [records, levels] = await Promise.all([recordsOf(db, type, unique, day, cycleStart), qualificationsOf(db, type, unique)]);
  for (const id of unique) out.set(id, { ...scoreAt(records.get(id) ?? [], model, { qualificationLevel: levels.get(id) ?? null }, day), standardId });
  return out;
}

/**
 * Recomputes and stores the running scores of some subjects for the cycle containing `day`
 * (today by default). `credit_scores.year` is the year the cycle starts in.
 */
export async function refreshScores(trx: Knex | Knex.Transaction, subjects: { enterpriseIds: number[]; staffIds: number[] }, day: string = beijingToday()): Promise<void> {
  for (const [type, ids] of [
    ['enterprise', subjects.enterpriseIds],
    ['staff', subjects.staffIds],
  ] as const) {
    const scores = await scoresAt(trx, type, ids, day);
    if (!scores.size) continue;
    const rows = [...scores.entries()].map(([id, s]) => ({
      subject_type: type,
      subject_id: id,
      year: Number(s.cycleStart.slice(0, 4)),
      score: s.score,
      additions: s.good,
      deductions: s.bad,
      events: s.counted.length,
      grade: s.grade,
      veto: s.veto,
      standard_id: s.standardId,
      updated_at: new Date(),
    }));
    await trx('credit_scores').insert(rows).onConflict(['subject_type', 'subject_id', 'year']).merge(['score', 'additions', 'deductions', 'events', 'grade', 'veto', 'standard_id', 'updated_at']);
  }
}
