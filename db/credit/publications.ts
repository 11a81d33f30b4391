import type { Knex } from 'knex';
import { dayOf } from '../../lib/credit/days';

/**
 * The SQL of a year's rating publication (`credit_publications`, C5): claimed by the case that
 * takes it through review, approval and publicity, then published. A year has one row; a case
 * that ended without publishing (rejected, terminated) leaves it to be started again.
 */
type Db = Knex | Knex.Transaction;

export type PublicationStatus = 'review' | 'publicity' | 'published';

export interface Publication {
  year: number;
  status: PublicationStatus;
  caseId: number | null;
  publicityFrom: string | null;
  publicityTo: string | null;
  publishedOn: string | null;
}

export async function publicationOf(db: Db, year: number): Promise<Publication | null> {
  const r = (await db('credit_publications').where('year', year).first()) as { year: number; status: PublicationStatus; case_id: number | null; publicity_from: Date | null; publicity_to: Date | null; published_on: Date | null } | undefined;
  if (!r) return null;
  return { year: r.year, status: r.status, caseId: r.case_id, publicityFrom: dayOf(r.publicity_from), publicityTo: dayOf(r.publicity_to), publishedOn: dayOf(r.published_on) };
}

/**
 * Makes a case the year's publication, in the transaction that creates the case: false while
 * another case of it runs or once it is published.
 */
export async function claimPublication(trx: Knex.Transaction, year: number, caseId: number): Promise<boolean> {
  const row = (await trx('credit_publications as p').leftJoin('cases as c', 'c.id', 'p.case_id').where('p.year', year).forUpdate().first('p.status', 'p.case_id', 'c.status as case_status')) as
    { status: PublicationStatus; case_id: number | null; case_status: string | null } | undefined;
  if (!row) {
    await trx('credit_publications').insert({ year, status: 'review', case_id: caseId });
    return true;
  }
  const running = row.case_id !== null && row.case_status !== null && !['completed', 'terminated', 'withdrawn'].includes(row.case_status);
  if (row.status === 'published' || running) return false;
  await trx('credit_publications').where('year', year).update({ status: 'review', case_id: caseId, publicity_from: null, publicity_to: null, published_on: null });
  return true;
}

/** Publicity from today for `days` days (the case's step); writing it again writes the same. */
export async function openPublicity(db: Db, year: number, caseId: number, from: string, to: string): Promise<void> {
  await db('credit_publications').where({ year, case_id: caseId }).whereIn('status', ['review', 'publicity']).update({ status: 'publicity', publicity_from: from, publicity_to: to });
}

export async function markPublished(db: Db, year: number, caseId: number, on: string): Promise<void> {
  await db('credit_publications')
    .where({ year, case_id: caseId })
    .whereIn('status', ['publicity', 'published'])
    .update({ status: 'published', published_on: db.raw('COALESCE(published_on, ?)', [on]) });
}

export interface PublicRating {
  name: string;
  grade: string;
  score: number;
}

/** A year's rated enterprises on the red or black list (by grade), best first, bounded. */
export async function ratedOnList(db: Db, year: number, grades: string[], limit = 500): Promise<PublicRating[]> {
  if (!grades.length) return [];
  const rows = (await db('credit_annual_ratings as r')
    .join('enterprises as e', 'e.id', 'r.subject_id')
    .where({ 'r.subject_type': 'enterprise', 'r.year': year })
    .whereIn('r.grade', grades)
    .orderBy('r.score', 'desc')
    .orderBy('r.subject_id')
    .limit(limit)
    .select('e.name', 'r.grade', 'r.score')) as Array<{ name: string; grade: string; score: string }>;
  return rows.map((r) => ({ name: r.name, grade: r.grade, score: Number(r.score) }));
}
