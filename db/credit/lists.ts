import type { Knex } from 'knex';
import { dayOf } from '../../lib/credit/days';
import type { CreditScore } from '../../lib/credit/score';
import type { ScoringModel } from '../../lib/credit/standard';

/**
 * The SQL of the red and black lists (`credit_list_entries`, C5). A subject is on a list while
 * its running grade is one the model lists (`redListGrades`, `blackListGrades`): it enters on
 * the day its grade reaches it, and leaves on the day the grade leaves it — for the black list
 * not before `blackListMinDays` have passed. The lists move with the score (refreshScores), so
 * "who is on the black list" is one indexed range and tender screening reads it at once.
 */

export type CreditList = 'red' | 'black';
type Db = Knex | Knex.Transaction;

const addDays = (day: string, days: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/** Opens and closes the subjects' list entries as their scores on `day` say. */
export async function syncLists(trx: Db, subjectType: 'enterprise' | 'staff', scores: Map<number, CreditScore & { standardId: number | null }>, model: ScoringModel, day: string): Promise<void> {
  const ids = [...scores.keys()];
  if (!ids.length) return;
  const open = (await trx('credit_list_entries').where('subject_type', subjectType).whereIn('subject_id', ids).whereNull('left_on').forUpdate().select('id', 'subject_id', 'list', 'entered_on')) as Array<{
    id: number;
    subject_id: number;
    list: CreditList;
    entered_on: Date | string;
  }>;
  const openOf = (id: number, list: CreditList) => open.find((e) => e.subject_id === id && e.list === list);
  const entering: Array<Record<string, unknown>> = [];
  const leaving: number[] = [];
  for (const [id, s] of scores) {
    for (const [list, on] of [
      ['red', s.redList],
      ['black', s.blackList],
    ] as const) {
      const entry = openOf(id, list);
      if (on && !entry) entering.push({ subject_type: subjectType, subject_id: id, list, grade: s.grade, score: s.score, entered_on: day, standard_id: s.standardId });
      if (!on && entry) {
        const stayedEnough = list !== 'black' || addDays(dayOf(entry.entered_on)!, model.blackListMinDays) <= day;
        if (stayedEnough) leaving.push(entry.id);
      }
    }
  }
  if (entering.length) await trx('credit_list_entries').insert(entering);
  if (leaving.length) await trx('credit_list_entries').whereIn('id', leaving).update({ left_on: day });
}

export async function isBlackListed(db: Db, enterpriseId: number): Promise<boolean> {
  return Boolean(await db('credit_list_entries').where({ subject_type: 'enterprise', subject_id: enterpriseId, list: 'black' }).whereNull('left_on').first('id'));
}

/** Which of these enterprises are on the black list now. */
export async function blackListedAmong(db: Db, enterpriseIds: number[]): Promise<Set<number>> {
  if (!enterpriseIds.length) return new Set();
  const ids = (await db('credit_list_entries').where({ subject_type: 'enterprise', list: 'black' }).whereIn('subject_id', enterpriseIds).whereNull('left_on').pluck('subject_id')) as number[];
  return new Set(ids.map(Number));
}

export interface ListMember {
  id: number;
  subjectId: number;
  name: string;
  districtCode: string | null;
  grade: string;
  score: number;
  enteredOn: string;
}

/** Enterprises on a list now, newest entries first, at most `limit` (one range of credit_lists_now). */
export async function enterprisesOnList(db: Db, list: CreditList, opts: { districtCode?: string; limit: number; offset: number }): Promise<ListMember[]> {
  const q = db('credit_list_entries as l')
    .join('enterprises as e', 'e.id', 'l.subject_id')
    .where({ 'l.list': list, 'l.subject_type': 'enterprise' })
    .whereNull('l.left_on')
    .orderBy('l.entered_on', 'desc')
    .orderBy('l.id', 'desc')
    .limit(opts.limit)
    .offset(opts.offset)
    .select('l.id', 'l.subject_id', 'e.name', 'e.district_code', 'l.grade', 'l.score', 'l.entered_on');
  if (opts.districtCode) q.where('e.district_code', opts.districtCode);
  const rows = (await q) as Array<{ id: number; subject_id: number; name: string; district_code: string | null; grade: string; score: string; entered_on: Date | string }>;
  return rows.map((r) => ({ id: r.id, subjectId: r.subject_id, name: r.name, districtCode: r.district_code, grade: r.grade, score: Number(r.score), enteredOn: dayOf(r.entered_on)! }));
}

/** One subject's stays on the lists, newest first (its credit report). */
export async function listStaysOf(db: Db, subjectType: 'enterprise' | 'staff', subjectId: number): Promise<Array<{ list: CreditList; grade: string; enteredOn: string; leftOn: string | null }>> {
  const rows = (await db('credit_list_entries').where({ subject_type: subjectType, subject_id: subjectId }).orderBy('entered_on', 'desc').limit(100).select('list', 'grade', 'entered_on', 'left_on')) as Array<{
    list: CreditList;
    grade: string;
    entered_on: Date | string;
    left_on: Date | string | null;
  }>;
  return rows.map((r) => ({ list: r.list, grade: r.grade, enteredOn: dayOf(r.entered_on)!, leftOn: dayOf(r.left_on) }));
}
