import type { Knex } from 'knex';
import { beijingToday } from '../../lib/credit/days';
import { scoreAt, cycleStartOf, type CreditScore, type ScoredRecord } from '../../lib/credit/score';
import { DEFAULT_MODEL, type ScoringModel } from '../../lib/credit/standard';
import { isBlackListed, syncLists } from './lists';
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
  occurred_on: string;
  valid_until: string | null;
  rectified_on: string | null;
  veto: number | boolean;
  area?: string | null;
  nature?: string | null;
  floor_area?: string | number | null;
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
/**
 * What a read needs beyond the points: the area of each record's item (a subject's breakdown),
 * and its project's nature and floor area (only when the model weights by them). A bulk
 * recomputation reads neither unless the model needs them, and dates come as text.
 */
interface RecordDetail {
  areas: boolean;
  projects: boolean;
}

async function recordsOf(db: Knex | Knex.Transaction, type: SubjectType, ids: number[], day: string, cycleStart: string, detail: RecordDetail): Promise<Map<number, ScoredRecord[]>> {
  const column = type === 'enterprise' ? 'ce.enterprise_id' : 'ce.staff_id';
  const q = db('credit_events as ce')
    .whereIn(column, ids)
    .where('ce.status', 'final')
    .where('ce.occurred_on', '<=', day)
    .where((w) => w.where('ce.valid_until', '>=', day).orWhere((u) => u.whereNull('ce.valid_until').where((r) => r.whereNull('ce.rectified_on').orWhere('ce.rectified_on', '>', day))))
    .where((w) => w.where('ce.occurred_on', '>=', cycleStart).orWhereNull('ce.valid_until'))
    .select(
      `${column} as subject_id`,
      'ce.id',
      'ce.points',
      db.raw("DATE_FORMAT(ce.occurred_on, '%Y-%m-%d') AS occurred_on"),
      db.raw("DATE_FORMAT(ce.valid_until, '%Y-%m-%d') AS valid_until"),
      db.raw("DATE_FORMAT(ce.rectified_on, '%Y-%m-%d') AS rectified_on"),
      'ce.veto',
    );
  if (detail.areas) q.leftJoin('credit_standard_items as i', 'i.id', 'ce.item_id').select('i.area');
  if (detail.projects) q.leftJoin('property_projects as p', 'p.id', 'ce.project_id').select('p.nature', 'p.floor_area');
  const rows = (await q) as RecordRow[];
  const bySubject = new Map<number, ScoredRecord[]>();
  for (const r of rows) {
    const points = Number(r.points);
    const subject = Number(r.subject_id);
    let list = bySubject.get(subject);
    if (!list) bySubject.set(subject, (list = []));
    list.push({
      id: r.id,
      // The sign says what a record is: the intake stores a bad item's points negative (and records from before standards have no item).
      kind: points < 0 ? 'bad' : 'good',
      points: Math.abs(points),
      occurredOn: r.occurred_on,
      validUntil: r.valid_until,
      rectifiedOn: r.rectified_on,
      veto: Boolean(r.veto),
      area: r.area ?? null,
      projectNature: r.nature ?? null,
      projectFloorArea: r.floor_area === null || r.floor_area === undefined ? null : Number(r.floor_area),
    });
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

type Scored = Map<number, CreditScore & { standardId: number | null }>;

/** Scores of some subjects on a day with their breakdown by area, computed from their records (nothing written). */
export async function scoresAt(db: Knex | Knex.Transaction, type: SubjectType, ids: number[], day: string): Promise<Scored> {
  return scoresUnder(db, type, ids, day, await modelAt(db, day), { areas: true });
}

export async function scoresUnder(db: Knex | Knex.Transaction, type: SubjectType, ids: number[], day: string, { model, standardId }: { model: ScoringModel; standardId: number | null }, opts: { areas?: boolean } = {}): Promise<Scored> {
  const unique = [...new Set(ids)];
  const out: Scored = new Map();
  if (!unique.length) return out;
  const cycleStart = cycleStartOf(day, model);
  const weighted = Object.keys(model.projectTypeWeights).length > 0 || model.areaClasses.length > 0;
  const [records, levels] = await Promise.all([recordsOf(db, type, unique, day, cycleStart, { areas: opts.areas ?? false, projects: weighted }), qualificationsOf(db, type, unique)]);
  for (const id of unique) out.set(id, { ...scoreAt(records.get(id) ?? [], model, { qualificationLevel: levels.get(id) ?? null }, day), standardId });
  return out;
}

/** Writes scores as their cycles' rows of `credit_scores` (`year`: the year the cycle starts); writing them again writes the same. */
export async function storeScores(trx: Knex | Knex.Transaction, type: SubjectType, scores: Scored): Promise<void> {
  if (!scores.size) return;
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

/**
 * Recomputes and stores the running scores of some subjects for the cycle containing `day`
 * (today by default). `credit_scores.year` is the year the cycle starts in.
 */
export async function refreshScores(trx: Knex | Knex.Transaction, subjects: { enterpriseIds: number[]; staffIds: number[] }, day: string = beijingToday()): Promise<void> {
  const inForce = await modelAt(trx, day);
  for (const [type, ids] of [
    ['enterprise', subjects.enterpriseIds],
    ['staff', subjects.staffIds],
  ] as const) {
    const scores = await scoresUnder(trx, type, ids, day, inForce);
    if (!scores.size) continue;
    await storeScores(trx, type, scores);
    // The lists are today's: a recomputation of an earlier cycle leaves them as they are.
    if (day === beijingToday()) await syncLists(trx, type, scores, inForce.model, day);
  }
}

/** What the reviewers of a qualification or a tender are shown of an enterprise's credit today. */
export interface CreditStanding {
  score: number;
  grade: string;
  blackListed: boolean;
  /** Final bad records counting today, and pre-deductions still open. */
  badRecords: number;
  pendingRecords: number;
}

export async function creditStanding(db: Knex | Knex.Transaction, enterpriseId: number, day: string = beijingToday()): Promise<CreditStanding> {
  const score = (await scoresAt(db, 'enterprise', [enterpriseId], day)).get(enterpriseId)!;
  const [pending, blackListed] = await Promise.all([db('credit_events').where({ enterprise_id: enterpriseId, status: 'pending' }).count({ n: '*' }).first() as Promise<{ n: number | string }>, isBlackListed(db, enterpriseId)]);
  return { score: score.score, grade: score.grade, blackListed, badRecords: score.counted.filter((c) => c.effective < 0).length, pendingRecords: Number(pending.n) };
}

/** The standing in words, as the automatic checks show it. */
export function standingInWords(s: CreditStanding): string {
  return `信用等级 ${s.grade}（${s.score} 分），在效不良记录 ${s.badRecords} 条${s.pendingRecords ? `，待确认预扣分 ${s.pendingRecords} 条` : ''}${s.blackListed ? '，列入信用黑名单' : ''}`;
}

export interface RankingRow {
  rank: number;
  enterpriseId: number;
  name: string;
  districtCode: string | null;
  score: number;
  grade: string | null;
  veto: boolean;
  /** The same enterprise's score of the cycle before, for the trend (null: none). */
  previousScore: number | null;
}

/**
 * Enterprises ranked by their score of a cycle, city-wide or in a district, best first: one
 * range of `(subject_type, year, score)` read from the top, cut to the page. Ties share a rank.
 */
export async function enterpriseRanking(db: Knex, opts: { year: number; districtCode?: string; limit: number; offset: number }): Promise<RankingRow[]> {
  const q = db('credit_scores as s')
    .join('enterprises as e', 'e.id', 's.subject_id')
    .leftJoin('credit_scores as prev', (j) =>
      j
        .on('prev.subject_id', 's.subject_id')
        .andOnVal('prev.subject_type', 'enterprise')
        .andOnVal('prev.year', opts.year - 1),
    )
    .where({ 's.subject_type': 'enterprise', 's.year': opts.year })
    .orderBy('s.score', 'desc')
    .orderBy('s.subject_id')
    .limit(opts.limit)
    .offset(opts.offset)
    .select('s.subject_id', 'e.name', 'e.district_code', 's.score', 's.grade', 's.veto', 'prev.score as previous_score');
  if (opts.districtCode) q.where('e.district_code', opts.districtCode);
  const rows = (await q) as Array<{ subject_id: number; name: string; district_code: string | null; score: string; grade: string | null; veto: number; previous_score: string | null }>;
  // Standard competition ranks (1, 1, 3): the page's first row counts the enterprises scoring higher (in its district when ranked by district).
  const first = rows[0];
  let above = 0;
  if (first) {
    const higher = db('credit_scores as s').join('enterprises as e', 'e.id', 's.subject_id').where({ 's.subject_type': 'enterprise', 's.year': opts.year }).where('s.score', '>', first.score);
    if (opts.districtCode) higher.where('e.district_code', opts.districtCode);
    above = Number(((await higher.count({ n: '*' }).first()) as { n: number | string }).n);
  }
  let rank = above + 1;
  return rows.map((r, i) => {
    // A new score: every enterprise before it in the order scored higher.
    if (i > 0 && Number(r.score) < Number(rows[i - 1].score)) rank = opts.offset + i + 1;
    return { rank, enterpriseId: r.subject_id, name: r.name, districtCode: r.district_code, score: Number(r.score), grade: r.grade, veto: Boolean(r.veto), previousScore: r.previous_score === null ? null : Number(r.previous_score) };
  });
}

/** How many enterprises hold each grade in a cycle (the distribution chart), city-wide or in a district. */
export async function gradeDistribution(db: Knex, opts: { year: number; districtCode?: string }): Promise<Record<string, number>> {
  const q = db('credit_scores as s').where({ 's.subject_type': 'enterprise', 's.year': opts.year }).groupBy('s.grade').select('s.grade').count({ n: '*' });
  if (opts.districtCode) q.join('enterprises as e', 'e.id', 's.subject_id').where('e.district_code', opts.districtCode);
  const rows = (await q) as Array<{ grade: string | null; n: number | string }>;
  return Object.fromEntries(rows.map((r) => [r.grade ?? '—', Number(r.n)]));
}

/**
 * Recomputes every running score of today's cycle (on demand, e.g. after a standard's weights
 * changed): every enterprise and every person with a record, in batches of 2,000, one
 * transaction each. Answers how many subjects it scored.
 */
export async function recomputeAllScores(db: Knex, opts: { heartbeat?: (done: number) => void } = {}): Promise<{ enterprises: number; staff: number }> {
  const enterprises = ((await db('enterprises').where('kind', 'property_service').orderBy('id').pluck('id')) as number[]).map(Number);
  const staff = ((await db('credit_events').whereNotNull('staff_id').distinct().orderBy('staff_id').pluck('staff_id')) as number[]).map(Number);
  const day = beijingToday();
  for (let i = 0; i < Math.max(enterprises.length, staff.length); i += 2000) {
    await db.transaction((trx) => refreshScores(trx, { enterpriseIds: enterprises.slice(i, i + 2000), staffIds: staff.slice(i, i + 2000) }, day));
    opts.heartbeat?.(i + 2000);
  }
  return { enterprises: enterprises.length, staff: staff.length };
}
