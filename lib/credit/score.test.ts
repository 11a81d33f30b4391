import { scoreAt, validUntilOf, cycleStartOf, type ScoredRecord } from './score';
import { DEFAULT_MODEL, ScoringModel, StandardContent, type ScoringModel as Model } from './standard';

/**
 * The scoring formula (docs/credit.md) against scores worked out by hand. Default model: base
 * 80, good capped at 40, AAA ≥ 85, AA ≥ 80, A ≥ 70, B ≥ 60, C below; no bad record below 60 → B.
 */
let nextId = 1;
const record = (kind: 'good' | 'bad', points: number, occurredOn: string, extra: Partial<ScoredRecord> = {}): ScoredRecord => ({
  id: nextId++,
  kind,
  points,
  occurredOn,
  validUntil: validUntilOf(occurredOn, 12),
  rectifiedOn: null,
  veto: false,
  area: 'performance',
  projectNature: null,
  projectFloorArea: null,
  ...extra,
});
const model = (change: Partial<Model> = {}): Model => ScoringModel.parse({ ...DEFAULT_MODEL, ...change });
const noQualification = { qualificationLevel: null };
const AT = '2026-06-30';

describe('credit scores', () => {
  it('starts from the base: 80 is AA with no record', () => {
    const s = scoreAt([], model(), noQualification, AT);
    expect(s).toMatchObject({ score: 80, grade: 'AA', good: 0, bad: 0, veto: false, redList: false, blackList: false, cycleStart: '2026-01-01' });
  });

  it('caps good records and never caps bad ones', () => {
    // Good 25 + 20 = 45, capped at 40; bad 3 + 2.5 = 5.5 → 80 + 40 − 5.5 = 114.5 (AAA, red list).
    const records = [record('good', 25, '2026-02-01'), record('good', 20, '2026-03-01'), record('bad', 3, '2026-04-01'), record('bad', 2.5, '2026-05-01')];
    const s = scoreAt(records, model(), noQualification, AT);
    expect(s).toMatchObject({ goodRaw: 45, good: 40, bad: 5.5, score: 114.5, grade: 'AAA', redList: true });
    // Bad records pile up with no floor: 30 × 4 = 120 → 80 − 120 = −40 (C, black list).
    const worse = scoreAt(
      [1, 2, 3, 4].map((m) => record('bad', 30, `2026-0${m}-10`)),
      model(),
      noQualification,
      AT,
    );
    expect(worse).toMatchObject({ bad: 120, score: -40, grade: 'C', blackList: true });
  });

  it('counts a record only within its validity, and a rectified until-rectified one until the rectification', () => {
    expect(validUntilOf('2026-03-15', 12)).toBe('2027-03-14');
    expect(validUntilOf('2026-01-31', 1)).toBe('2026-02-27'); // a month on is 28 Feb (clamped); the day before it is the last
    const short = record('bad', 6, '2026-01-10', { validUntil: validUntilOf('2026-01-10', 3) }); // counts through 2026-04-09
    expect(scoreAt([short], model(), noQualification, '2026-04-09').score).toBe(74);
    expect(scoreAt([short], model(), noQualification, '2026-04-10').score).toBe(80);
    const serious = record('bad', 10, '2026-02-01', { validUntil: null, rectifiedOn: '2026-05-20' });
    expect(scoreAt([serious], model(), noQualification, '2026-05-19').score).toBe(70);
    expect(scoreAt([serious], model(), noQualification, '2026-05-20').score).toBe(80);
    // A record dated after the day asked about does not count yet.
    expect(scoreAt([record('bad', 4, '2026-07-01')], model(), noQualification, AT).score).toBe(80);
  });

  it('forces the bottom grade on a valid veto record, whatever the score', () => {
    const s = scoreAt([record('good', 30, '2026-01-05'), record('bad', 1, '2026-02-05', { veto: true })], model(), noQualification, AT);
    expect(s).toMatchObject({ score: 109, veto: true, grade: 'C', blackList: true });
    // Once it has expired, the grade follows the score again.
    const expired = scoreAt([record('bad', 1, '2025-02-05', { veto: true, validUntil: '2026-02-04' })], model(), noQualification, AT);
    expect(expired).toMatchObject({ veto: false, grade: 'AA' });
  });

  it('grades below 60 with no bad record as B, not C', () => {
    // A base of 50 (a bureau that starts enterprises low): no record at all is 50, B by the rule; one bad point makes it C.
    const low = model({ base: 50 });
    expect(scoreAt([], low, noQualification, AT)).toMatchObject({ score: 50, grade: 'B' });
    expect(scoreAt([record('bad', 1, '2026-03-01')], low, noQualification, AT)).toMatchObject({ score: 49, grade: 'C' });
    expect(scoreAt([], model({ base: 50, gradeWithoutBadRecords: null }), noQualification, AT).grade).toBe('C');
  });

  it('weights records by project type and area class, and deductions by qualification level', () => {
    const weighted = model({
      projectTypeWeights: { commercial_office: 1.5 },
      areaClasses: [
        { name: '5万㎡以下', maxArea: 50_000, weight: 0.8 },
        { name: '5万㎡以上', maxArea: null, weight: 1.2 },
      ],
      qualificationWeights: { level_1: 1.1 },
    });
    const records = [
      // Office project of 120,000 m²: 4 × 1.5 × 1.2 = 7.2
      record('bad', 4, '2026-03-01', { projectNature: 'commercial_office', projectFloorArea: 120_000 }),
      // Residential project of 30,000 m²: 5 × 1 × 0.8 = 4
      record('bad', 5, '2026-03-02', { projectNature: 'residential_high_rise', projectFloorArea: 30_000 }),
      // No project: 2 as it is; good 10 × 0.8 = 8 (a small project's praise)
      record('bad', 2, '2026-03-03'),
      record('good', 10, '2026-03-04', { projectFloorArea: 20_000 }),
    ];
    // Level 1: bad (7.2 + 4 + 2) × 1.1 = 14.52 → 80 + 8 − 14.52 = 73.48 (A)
    expect(scoreAt(records, weighted, { qualificationLevel: 'level_1' }, AT)).toMatchObject({ good: 8, bad: 14.52, score: 73.48, grade: 'A' });
    // Level 2 has no weight set: bad 13.2 → 80 + 8 − 13.2 = 74.8
    expect(scoreAt(records, weighted, { qualificationLevel: 'level_2' }, AT).score).toBe(74.8);
    expect(scoreAt(records, weighted, noQualification, AT).areas).toEqual({ performance: { good: 8, bad: 13.2 } });
  });

  it('resets with the cycle: last cycle’s records stop counting, an unrectified serious one is carried', () => {
    expect(cycleStartOf('2027-01-01', DEFAULT_MODEL)).toBe('2027-01-01');
    expect(cycleStartOf('2026-12-31', DEFAULT_MODEL)).toBe('2026-01-01');
    expect(cycleStartOf('2026-03-31', { cycleStart: '04-01' })).toBe('2025-04-01');
    const lastYear = [record('bad', 5, '2026-11-01'), record('good', 6, '2026-12-01'), record('bad', 8, '2026-10-01', { validUntil: null })];
    expect(scoreAt(lastYear, model(), noQualification, '2026-12-31').score).toBe(73); // 80 + 6 − 5 − 8
    expect(scoreAt(lastYear, model(), noQualification, '2027-01-01').score).toBe(72); // only the unrectified 8 carries
    expect(scoreAt(lastYear, model({ carryUnrectified: false }), noQualification, '2027-01-01').score).toBe(80);
  });

  it('refuses a model or a standard that contradicts itself, naming the field', () => {
    const bad = ScoringModel.safeParse({
      ...DEFAULT_MODEL,
      grades: [
        { grade: 'A', min: 60 },
        { grade: 'B', min: 70 },
      ],
      redListGrades: ['AAA'],
    });
    expect(bad.success).toBe(false);
    const paths = bad.success ? [] : bad.error.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['grades.1.min', 'redListGrades', 'blackListGrades']));
    const item = { code: 'B-01', name: '未按时整改', dataClass: 'daily_service', area: 'safety', kind: 'bad', pointsMin: 5, pointsMax: 2, validityMonths: 12, subjects: ['enterprise'] };
    const standard = StandardContent.safeParse({ name: '2027版', model: DEFAULT_MODEL, items: [item, { ...item, pointsMin: 1 }] });
    expect(standard.success).toBe(false);
    expect(standard.success ? [] : standard.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['items.0.pointsMin: must not exceed pointsMax', 'items.1.code: B-01 appears twice']);
  });
});
