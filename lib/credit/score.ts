import type { ScoringModel } from './standard';

/**
 * The running credit score of one subject at a date, from its records (C4). Pure: the database
 * reads the records (db/credit/scores.ts) and this decides what they are worth, so the formula
 * is tested with hand-computed examples (lib/credit/score.test.ts) and written in docs/credit.md.
 *
 *   counted   = final records that occurred in the cycle up to the date and are valid on it
 *               (plus unrectified until-rectified records of earlier cycles, when carried)
 *   effective = points × project type weight × area class weight   (1 where none applies)
 *   score     = base + min(goodCap, Σ effective good) − qualification weight × Σ effective bad
 *   grade     = bottom grade with a valid veto record; else the first band the score reaches;
 *               the bottom band with no bad record counted is gradeWithoutBadRecords
 */

/** A record as scoring reads it: `points` is a positive size; `kind` says whether it earns or costs. */
export interface ScoredRecord {
  id: number;
  kind: 'good' | 'bad';
  points: number;
  /** Beijing calendar days, YYYY-MM-DD. */
  occurredOn: string;
  /** The last day it counts; null: until rectified. */
  validUntil: string | null;
  rectifiedOn: string | null;
  veto: boolean;
  area: string | null;
  projectNature: string | null;
  projectFloorArea: number | null;
}

export interface ScoredSubject {
  qualificationLevel: string | null;
}

export interface CreditScore {
  at: string;
  cycleStart: string;
  base: number;
  /** Σ effective good points before the cap, and what the cap let through. */
  goodRaw: number;
  good: number;
  /** Σ effective bad points, after the qualification weight. */
  bad: number;
  score: number;
  grade: string;
  veto: boolean;
  redList: boolean;
  blackList: boolean;
  /** Effective points per area (good added, bad as a positive size), for the breakdown chart. */
  areas: Record<string, { good: number; bad: number }>;
  /** The records that counted, with what each was worth. */
  counted: Array<{ id: number; effective: number }>;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The first day of the cycle `at` falls in (a cycle starts each year on the model's MM-DD). */
export function cycleStartOf(at: string, model: Pick<ScoringModel, 'cycleStart'>): string {
  const year = Number(at.slice(0, 4));
  const thisYear = `${year}-${model.cycleStart}`;
  return at >= thisYear ? thisYear : `${year - 1}-${model.cycleStart}`;
}

/** The last day a record of `validityMonths` counts: the day before the same date that many months on (clamped to month ends). */
export function validUntilOf(occurredOn: string, validityMonths: number | null): string | null {
  if (validityMonths === null) return null;
  const [y, m, d] = occurredOn.split('-').map(Number);
  const monthIndex = m - 1 + validityMonths;
  const year = y + Math.floor(monthIndex / 12);
  const month = monthIndex % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const end = new Date(Date.UTC(year, month, Math.min(d, lastDay)));
  end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}

function validOn(r: ScoredRecord, at: string): boolean {
  if (r.validUntil !== null) return r.validUntil >= at;
  return r.rectifiedOn === null || r.rectifiedOn > at;
}

/** Whether a record counts on `at`: occurred by then, still valid, and in this cycle (or carried into it). */
export function counts(r: ScoredRecord, at: string, cycleStart: string, model: Pick<ScoringModel, 'carryUnrectified'>): boolean {
  if (r.occurredOn > at || !validOn(r, at)) return false;
  if (r.occurredOn >= cycleStart) return true;
  return model.carryUnrectified && r.validUntil === null;
}

function areaWeight(model: ScoringModel, floorArea: number | null): number {
  if (floorArea === null || !model.areaClasses.length) return 1;
  const cls = model.areaClasses.find((c) => c.maxArea === null || floorArea <= c.maxArea);
  return cls ? cls.weight : 1;
}

/** What one record is worth under the model (positive size), before the cap and the qualification weight. */
export function effectivePoints(r: ScoredRecord, model: ScoringModel): number {
  const typeWeight = r.projectNature ? (model.projectTypeWeights[r.projectNature as keyof typeof model.projectTypeWeights] ?? 1) : 1;
  return r.points * typeWeight * areaWeight(model, r.projectFloorArea);
}

/** The grade of a score under the model's bands and rules. */
export function gradeOf(model: ScoringModel, score: number, opts: { veto: boolean; anyBad: boolean }): string {
  const bottom = model.grades[model.grades.length - 1].grade;
  if (opts.veto) return bottom;
  const band = model.grades.find((g) => score >= g.min)?.grade ?? bottom;
  if (band === bottom && !opts.anyBad && model.gradeWithoutBadRecords) return model.gradeWithoutBadRecords;
  return band;
}

export function scoreAt(records: readonly ScoredRecord[], model: ScoringModel, subject: ScoredSubject, at: string): CreditScore {
  const cycleStart = cycleStartOf(at, model);
  const areas: CreditScore['areas'] = {};
  const counted: CreditScore['counted'] = [];
  let goodRaw = 0;
  let badRaw = 0;
  let veto = false;
  for (const r of records) {
    if (!counts(r, at, cycleStart, model)) continue;
    const effective = effectivePoints(r, model);
    counted.push({ id: r.id, effective: round2(r.kind === 'good' ? effective : -effective) });
    const area = (areas[r.area ?? 'other'] ??= { good: 0, bad: 0 });
    if (r.kind === 'good') {
      goodRaw += effective;
      area.good = round2(area.good + effective);
    } else {
      badRaw += effective;
      area.bad = round2(area.bad + effective);
      veto ||= r.veto;
    }
  }
  const good = model.goodCap === null ? goodRaw : Math.min(goodRaw, model.goodCap);
  const qualificationWeight = subject.qualificationLevel ? (model.qualificationWeights[subject.qualificationLevel as keyof typeof model.qualificationWeights] ?? 1) : 1;
  const bad = badRaw * qualificationWeight;
  const score = round2(model.base + good - bad);
  const grade = gradeOf(model, score, { veto, anyBad: badRaw > 0 });
  return {
    at,
    cycleStart,
    base: model.base,
    goodRaw: round2(goodRaw),
    good: round2(good),
    bad: round2(bad),
    score,
    grade,
    veto,
    redList: model.redListGrades.includes(grade),
    blackList: model.blackListGrades.includes(grade),
    areas,
    counted,
  };
}
