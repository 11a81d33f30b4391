import { z } from 'zod';

/**
 * A credit standard (信用评价标准, C1): what the city scores and how. The city publishes it in
 * versions; each version holds its items (what earns or costs points) and its model (the base,
 * the cap on good records, the weights and the grade bands), and applies to records from its
 * effective date. A record keeps the version it was scored under (db/credit/records.ts).
 *
 * Every number here is the bureau's to set; the defaults (DEFAULT_MODEL) follow the published
 * rules docs/credit.md cites (Yantai/Shandong grade bands, a one-year validity, uncapped
 * deductions).
 */

/** Seed 000's three data classes a record comes from. */
export const DATA_CLASSES = ['self_check', 'daily_service', 'business_info'] as const;
/** The areas a standard scores (Suzhou 2025: 基础信息, 履约服务, 安全管理, 矛盾处置). */
export const SCORE_AREAS = ['basic_info', 'performance', 'safety', 'disputes'] as const;
/** Who a record is about. */
export const CREDIT_SUBJECTS = ['enterprise', 'manager', 'project'] as const;
/** A project's nature (property_projects.nature): the "project type" weights are keyed by it. */
export const PROJECT_NATURES = ['residential_high_rise', 'residential_multi_storey', 'detached_villa', 'terraced_villa', 'commercial_office', 'public_utility'] as const;
/** An enterprise's qualification level (enterprises.qualification_level). */
export const QUALIFICATION_LEVELS = ['level_1', 'level_2', 'level_3', 'provisional', 'none'] as const;

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const points = z.number().min(0).max(100).multipleOf(0.01);

/** One item of the catalogue: a kind of good or bad record and what it is worth. */
export const StandardItem = z
  .object({
    code: z.string().regex(CODE, 'letters, digits, . _ - (at most 32)'),
    name: z.string().trim().min(1).max(128),
    dataClass: z.enum(DATA_CLASSES),
    area: z.enum(SCORE_AREAS),
    kind: z.enum(['good', 'bad']),
    /** Points as a positive size: a bad item costs them, a good one earns them. Equal bounds: fixed points. */
    pointsMin: points,
    pointsMax: points,
    /** How long a record counts, in months from the day it occurred; null: until it is rectified (serious records). */
    validityMonths: z.number().int().min(1).max(120).nullable(),
    /** 一票否决: a valid record of it forces the bottom grade, whatever the score. */
    veto: z.boolean().default(false),
    subjects: z.array(z.enum(CREDIT_SUBJECTS)).min(1),
    evidenceRequired: z.boolean().default(true),
    /** The share of a project's record its project manager also takes (Yinchuan), 0 to 1. */
    managerShare: z.number().min(0).max(1).default(0),
  })
  .superRefine((item, ctx) => {
    if (item.pointsMin > item.pointsMax) ctx.addIssue({ code: 'custom', path: ['pointsMin'], message: 'must not exceed pointsMax' });
    if (item.kind === 'good' && item.veto) ctx.addIssue({ code: 'custom', path: ['veto'], message: 'only a bad item can be a veto item' });
    if (item.validityMonths === null && item.kind === 'good') ctx.addIssue({ code: 'custom', path: ['validityMonths'], message: 'a good record needs a validity' });
  });
export type StandardItem = z.infer<typeof StandardItem>;

const weights = <K extends readonly [string, ...string[]]>(keys: K) => z.partialRecord(z.enum(keys), z.number().min(0).max(5));

/** A grade band: a score at or above `min` earns `grade` (bands ordered from the best down). */
const GradeBand = z.object({ grade: z.string().regex(/^[A-Z+-]{1,4}$/, 'a grade such as AAA, AA, A, B, C'), min: z.number().min(-1000).max(1000) });

/** How records become a score and a grade. */
export const ScoringModel = z
  .object({
    base: z.number().min(0).max(1000),
    /** The most good records can add in a cycle (Yantai: 40); null: no cap. Deductions are never capped. */
    goodCap: z.number().min(0).max(1000).nullable(),
    /** Bands from the best grade down; the last one's `min` is the floor of the bottom grade (any score). */
    grades: z.array(GradeBand).min(2).max(10),
    /**
     * Yantai: a score below the bottom band but one with no bad record at all is graded this
     * (B), not the bottom grade — only good records missing keeps a new enterprise low.
     */
    gradeWithoutBadRecords: z.string().nullable(),
    /** The best grade enters the red list (红榜); these grades the black list (黑榜, barred from tenders). */
    redListGrades: z.array(z.string()).max(10),
    blackListGrades: z.array(z.string()).max(10),
    /**
     * The fewest days a subject stays on the black list once on it, even if its grade recovers
     * sooner (a 失信 record's publicity period); 0: it leaves with its grade.
     */
    blackListMinDays: z.number().int().min(0).max(3650).default(0),
    /** Multipliers of a project's record points by the project's nature (project type); absent: 1. */
    projectTypeWeights: weights(PROJECT_NATURES),
    /** Multipliers by the project's managed floor area: the first class whose `maxArea` (m²) it does not exceed; absent: 1. */
    areaClasses: z.array(z.object({ name: z.string().min(1).max(32), maxArea: z.number().positive().nullable(), weight: z.number().min(0).max(5) })).max(10),
    /** Multipliers of an enterprise's deductions by its qualification level; absent: 1. */
    qualificationWeights: weights(QUALIFICATION_LEVELS),
    /** A cycle is a calendar year from this month and day (Beijing date); its rating resets the running score. */
    cycleStart: z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/),
    /** Records until rectification (validity null) still unrectified count on into the next cycle. */
    carryUnrectified: z.boolean(),
    /** Days an enterprise has to appeal a pre-deduction before it becomes final. */
    appealDays: z.number().int().min(1).max(90),
    /**
     * Deduction points in a cycle at which a person is suspended, by staff role (C6; Beijing: 12
     * for a project manager); a role not named has no cap. Lifted by a recorded retraining and a
     * passed exam after the suspension.
     */
    managerCaps: z.partialRecord(z.enum(['legal_representative', 'principal', 'project_manager', 'professional', 'technical', 'repair_duty', 'certified_operator']), z.number().positive().max(1000)).default({ project_manager: 12 }),
  })
  .superRefine((m, ctx) => {
    for (let i = 1; i < m.grades.length; i++) {
      if (m.grades[i].min >= m.grades[i - 1].min) ctx.addIssue({ code: 'custom', path: ['grades', i, 'min'], message: 'bands must go from the highest minimum down' });
    }
    const names = m.grades.map((g) => g.grade);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['grades'], message: 'each grade once' });
    for (const key of ['redListGrades', 'blackListGrades', 'gradeWithoutBadRecords'] as const) {
      const listed = m[key] === null ? [] : Array.isArray(m[key]) ? m[key] : [m[key]];
      for (const g of listed) if (!names.includes(g)) ctx.addIssue({ code: 'custom', path: [key], message: `${g} is not one of the grades` });
    }
    const area = m.areaClasses;
    for (let i = 0; i < area.length; i++) {
      const max = area[i].maxArea;
      if (max === null && i !== area.length - 1) ctx.addIssue({ code: 'custom', path: ['areaClasses', i, 'maxArea'], message: 'only the last class may be open-ended' });
      if (i > 0 && max !== null && (area[i - 1].maxArea ?? Infinity) >= max) ctx.addIssue({ code: 'custom', path: ['areaClasses', i, 'maxArea'], message: 'classes must grow' });
    }
  });
export type ScoringModel = z.infer<typeof ScoringModel>;

/** A version's whole content, as an editor sends it. */
export const StandardContent = z
  .object({
    name: z.string().trim().min(1).max(128),
    model: ScoringModel,
    items: z.array(StandardItem).min(1).max(500),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.items.forEach((item, i) => {
      if (seen.has(item.code)) ctx.addIssue({ code: 'custom', path: ['items', i, 'code'], message: `${item.code} appears twice` });
      seen.add(item.code);
    });
  });
export type StandardContent = z.infer<typeof StandardContent>;

/** The defaults a first standard starts from (docs/credit.md says where each comes from). */
export const DEFAULT_MODEL: ScoringModel = {
  base: 80,
  goodCap: 40,
  grades: [
    { grade: 'AAA', min: 85 },
    { grade: 'AA', min: 80 },
    { grade: 'A', min: 70 },
    { grade: 'B', min: 60 },
    { grade: 'C', min: -1000 },
  ],
  gradeWithoutBadRecords: 'B',
  redListGrades: ['AAA'],
  blackListGrades: ['C'],
  blackListMinDays: 0,
  projectTypeWeights: {},
  areaClasses: [],
  qualificationWeights: {},
  cycleStart: '01-01',
  carryUnrectified: true,
  appealDays: 10,
  managerCaps: { project_manager: 12 },
};
