import type { Knex } from 'knex';
import { beijingToday, dayOf } from '../../lib/credit/days';
import { cycleStartOf } from '../../lib/credit/score';
import { modelAt, refreshScores, scoresUnder, storeScores, type SubjectType } from './scores';

/**
 * The annual rating (年度信用评定, C5; docs/credit.md): every enterprise and every scored person is
 * rated on the last day of a cycle under the standard in force that day, the score and grade
 * archived in `credit_annual_ratings`, the cycle's running scores set to the same, and — once
 * the new cycle has begun — the running scores of the new cycle computed afresh (the reset: a
 * cycle's records stop counting when it ends, unrectified serious ones carried as the model
 * says). Every write is an upsert by subject and year, so a rating run again, or retried after a
 * crash half-way, writes the same rows and doubles nothing.
 */

const BATCH = 2000;

/** The last day of the cycle a year names (the cycle starting in that year). */
export async function cycleEndOf(db: Knex, year: number): Promise<{ start: string; end: string }> {
  const { model } = await modelAt(db, `${year}-12-31`);
  const start = `${year}-${model.cycleStart}`;
  const next = new Date(`${year + 1}-${model.cycleStart}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() - 1);
  return { start, end: next.toISOString().slice(0, 10) };
}

/** The cycle that ended most recently before a day: the one the year-end Schedule rates. */
export async function lastEndedCycle(db: Knex, day: string): Promise<number> {
  const { model } = await modelAt(db, day);
  return Number(cycleStartOf(day, model).slice(0, 4)) - 1;
}

/** Who is rated: every property-service enterprise, and every person with a record or a score of the cycle. */
async function subjectsOf(db: Knex, type: SubjectType, start: string, end: string): Promise<number[]> {
  if (type === 'enterprise') return ((await db('enterprises').where('kind', 'property_service').orderBy('id').pluck('id')) as number[]).map(Number);
  const withRecords = (await db('credit_events').whereNotNull('staff_id').whereBetween('occurred_on', [start, end]).distinct().pluck('staff_id')) as number[];
  const withScores = (await db('credit_scores')
    .where({ subject_type: 'staff', year: Number(start.slice(0, 4)) })
    .pluck('subject_id')) as number[];
  return [...new Set([...withRecords, ...withScores].map(Number))].sort((a, b) => a - b);
}

export interface RatingSummary {
  year: number;
  ratedOn: string;
  enterprises: number;
  staff: number;
  grades: Record<string, number>;
  /** Whether the new cycle's running scores were computed (it has begun). */
  reset: boolean;
}

export async function rateCycle(db: Knex, year: number, opts: { heartbeat?: (done: number) => void; today?: string } = {}): Promise<RatingSummary> {
  const today = opts.today ?? beijingToday();
  const { start, end } = await cycleEndOf(db, year);
  if (end >= today) throw new Error(`the ${year} cycle ends on ${end}: it can be rated from the day after`);
  const inForce = await modelAt(db, end);
  const counts: Record<SubjectType, number> = { enterprise: 0, staff: 0 };
  const grades: Record<string, number> = {};
  for (const type of ['enterprise', 'staff'] as const) {
    const ids = await subjectsOf(db, type, start, end);
    for (let i = 0; i < ids.length; i += BATCH) {
      const scores = await scoresUnder(db, type, ids.slice(i, i + BATCH), end, inForce);
      const rows = [...scores.entries()].map(([id, s]) => ({ id, s }));
      await db.transaction(async (trx) => {
        await trx('credit_annual_ratings')
          .insert(
            rows.map(({ id, s }) => ({ subject_type: type, subject_id: id, year, score: s.score, grade: s.grade, veto: s.veto, additions: s.good, deductions: s.bad, records: s.counted.length, standard_id: s.standardId, rated_on: end })),
          )
          .onConflict(['subject_type', 'subject_id', 'year'])
          .merge(['score', 'grade', 'veto', 'additions', 'deductions', 'records', 'standard_id', 'rated_on']);
        await storeScores(trx, type, scores);
      });
      counts[type] += rows.length;
      if (type === 'enterprise') for (const { s } of rows) grades[s.grade] = (grades[s.grade] ?? 0) + 1;
      opts.heartbeat?.(counts.enterprise + counts.staff);
    }
  }
  // The reset: the new cycle's running scores, from its own records only.
  const reset = (await cycleEndOf(db, year + 1)).start <= today;
  if (reset) {
    const enterprises = await subjectsOf(db, 'enterprise', start, end);
    const staff = await subjectsOf(db, 'staff', start, end);
    for (let i = 0; i < Math.max(enterprises.length, staff.length); i += BATCH) {
      await db.transaction((trx) => refreshScores(trx, { enterpriseIds: enterprises.slice(i, i + BATCH), staffIds: staff.slice(i, i + BATCH) }, today));
      opts.heartbeat?.(counts.enterprise + counts.staff + i);
    }
  }
  const now = new Date();
  await db('credit_rating_runs')
    .insert({ year, rated_on: end, enterprises: counts.enterprise, staff: counts.staff, runs: 1, first_run_at: now, last_run_at: now })
    .onConflict('year')
    .merge({ rated_on: end, enterprises: counts.enterprise, staff: counts.staff, runs: db.raw('runs + 1'), last_run_at: now });
  return { year, ratedOn: end, enterprises: counts.enterprise, staff: counts.staff, grades, reset };
}

export interface RatingRun {
  year: number;
  ratedOn: string;
  enterprises: number;
  staff: number;
  runs: number;
  firstRunAt: Date;
  lastRunAt: Date;
  grades: Record<string, number>;
}

export async function ratingRun(db: Knex, year: number): Promise<RatingRun | null> {
  const run = (await db('credit_rating_runs').where('year', year).first()) as { year: number; rated_on: Date | string; enterprises: number; staff: number; runs: number; first_run_at: Date; last_run_at: Date } | undefined;
  if (!run) return null;
  const grades = (await db('credit_annual_ratings').where({ subject_type: 'enterprise', year }).groupBy('grade').select('grade').count({ n: '*' })) as Array<{ grade: string; n: number | string }>;
  return {
    year: run.year,
    ratedOn: dayOf(run.rated_on)!,
    enterprises: run.enterprises,
    staff: run.staff,
    runs: run.runs,
    firstRunAt: run.first_run_at,
    lastRunAt: run.last_run_at,
    grades: Object.fromEntries(grades.map((g) => [g.grade, Number(g.n)])),
  };
}

/** A subject's annual ratings, newest first (its credit report's history). */
export async function ratingsOf(db: Knex, subjectType: SubjectType, subjectId: number, limit = 10): Promise<Array<{ year: number; score: number; grade: string }>> {
  const rows = (await db('credit_annual_ratings').where({ subject_type: subjectType, subject_id: subjectId }).orderBy('year', 'desc').limit(limit).select('year', 'score', 'grade')) as Array<{ year: number; score: string; grade: string }>;
  return rows.map((r) => ({ year: r.year, score: Number(r.score), grade: r.grade }));
}
