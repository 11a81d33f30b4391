import type { Knex } from 'knex';
import { z } from 'zod';
import { beijingToday, calendarDay } from '../../lib/credit/days';
import { validUntilOf } from '../../lib/credit/score';
import { DEFAULT_MODEL } from '../../lib/credit/standard';
import type { StandardItemRow } from './standards';
import { standardAt } from './standards';
import { refreshScores } from './scores';

/**
 * The one intake of credit records (C2). Every source calls it: district and street staff
 * entering a record with evidence, and the platform itself — a rectification gone overdue, a
 * self-check not entered, a complaint found true, registry data not updated by its deadline —
 * and the bureau's honours and praise. A record names its item of the standard in force on the
 * day it occurred and keeps that version; its points must be the item's (or within its range);
 * its validity is the item's. `(source, sourceRef)` is the source event: the same event given
 * twice makes one record, so a retried activity or a re-run sweep doubles nothing.
 *
 * A good record is final at once. A bad one is a pre-deduction (`pending`): it counts only when
 * it becomes final after the notice and the appeal window (C3).
 */

/** Who raises records, and the category the registry's list files each under. */
export const INTAKE_SOURCES = {
  manual: { category: null, zh: '人工录入' },
  rectification: { category: 'overdue_rectification', zh: '整改逾期' },
  self_check: { category: 'self_check', zh: '自查未录入' },
  complaint_system: { category: 'complaint', zh: '投诉查实' },
  registry_deadline: { category: 'late_update', zh: '信息更新逾期' },
  bureau: { category: null, zh: '表彰表扬' },
} as const;
export type IntakeSource = keyof typeof INTAKE_SOURCES;

const Evidence = z.object({ name: z.string().trim().min(1).max(255), fileId: z.string().max(64).optional(), url: z.url().max(500).optional() });

export const RecordIntake = z.object({
  source: z.enum(Object.keys(INTAKE_SOURCES) as [IntakeSource, ...IntakeSource[]]),
  /** The source event's own id (a rectification notice's number, a complaint's case number …). */
  sourceRef: z.string().trim().min(1).max(64),
  itemCode: z.string().trim().min(1).max(32),
  enterpriseId: z.number().int().positive(),
  staffId: z.number().int().positive().nullable().default(null),
  projectId: z.number().int().positive().nullable().default(null),
  /** The points as a positive size; may be left out when the item's points are fixed. */
  points: z.number().positive().max(100).multipleOf(0.01).optional(),
  occurredOn: calendarDay,
  description: z.string().trim().min(1).max(500),
  evidence: z.array(Evidence).max(20).default([]),
  /** Days the enterprise has to put it right, printed on the notice (bad records). */
  rectifyDays: z.number().int().min(1).max(365).nullable().default(null),
  /**
   * The user who recorded it, or for a record the platform raised, the officer responsible for
   * its source (the inspector of an overdue rectification …); null only for a good record the
   * platform raises by itself. A pre-deduction's notice goes out in this officer's name.
   */
  recordedBy: z.number().int().positive().nullable(),
});
export type RecordIntake = z.input<typeof RecordIntake>;

/** Why the intake refused a record: the field and the reason, for a 4xx. */
export class IntakeRefused extends Error {
  constructor(
    readonly status: 409 | 422,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export interface IntakeResult {
  id: number;
  /** False when the source event had already made this record (nothing written). */
  created: boolean;
  status: 'pending' | 'final' | 'cancelled';
  districtCode: string;
  points: number;
  validUntil: string | null;
}

function subjectOf(input: { staffId: number | null; projectId: number | null }): 'manager' | 'project' | 'enterprise' {
  return input.staffId ? 'manager' : input.projectId ? 'project' : 'enterprise';
}

function pointsFor(item: StandardItemRow, given: number | undefined): number {
  if (given === undefined) {
    if (item.pointsMin !== item.pointsMax) throw new IntakeRefused(422, 'points', `item ${item.code} scores between ${item.pointsMin} and ${item.pointsMax}: say how many`);
    return item.pointsMin;
  }
  if (given < item.pointsMin || given > item.pointsMax)
    throw new IntakeRefused(422, 'points', item.pointsMin === item.pointsMax ? `item ${item.code} scores ${item.pointsMin}` : `item ${item.code} scores between ${item.pointsMin} and ${item.pointsMax}`);
  return given;
}

type Existing = { id: number; status: IntakeResult['status']; district_code: string; points: string; valid_until: Date | string | null };

const resultOf = (row: Existing, created: boolean): IntakeResult => ({
  id: row.id,
  created,
  status: row.status,
  districtCode: row.district_code,
  points: Math.abs(Number(row.points)),
  validUntil: row.valid_until === null ? null : typeof row.valid_until === 'string' ? row.valid_until.slice(0, 10) : row.valid_until.toISOString().slice(0, 10),
});

/**
 * Takes one record in, in the caller's transaction: checked against the standard in force on
 * its day, placed in its project's district (else its enterprise's), scored at once when final.
 */
export async function intakeRecord(trx: Knex.Transaction, raw: RecordIntake): Promise<IntakeResult> {
  const input = RecordIntake.parse(raw);
  const existing = (await trx('credit_events').where({ source: input.source, source_ref: input.sourceRef }).forUpdate().first('id', 'status', 'district_code', 'points', 'valid_until')) as Existing | undefined;
  if (existing) return resultOf(existing, false);

  if (input.occurredOn > beijingToday()) throw new IntakeRefused(422, 'occurredOn', 'a record is taken in once what it records has happened');
  const standard = await standardAt(trx, input.occurredOn);
  if (!standard) throw new IntakeRefused(409, 'occurredOn', `no credit standard is in force on ${input.occurredOn}`);
  const item = standard.items.find((i) => i.code === input.itemCode);
  if (!item) throw new IntakeRefused(422, 'itemCode', `the standard in force on ${input.occurredOn} (version ${standard.version}) has no item ${input.itemCode}`);
  const subject = subjectOf(input);
  if (!item.subjects.includes(subject)) throw new IntakeRefused(422, subject === 'manager' ? 'staffId' : subject === 'project' ? 'projectId' : 'itemCode', `item ${item.code} is not recorded against a ${subject}`);
  if (item.evidenceRequired && input.evidence.length === 0) throw new IntakeRefused(422, 'evidence', `item ${item.code} needs evidence`);
  if (input.source === 'bureau' && item.kind !== 'good') throw new IntakeRefused(422, 'itemCode', 'the bureau’s honours and praise are good items');
  if (item.kind === 'bad' && input.recordedBy === null) throw new IntakeRefused(422, 'recordedBy', 'a pre-deduction is notified in an officer’s name: name the one responsible');
  const points = pointsFor(item, input.points);

  const enterprise = (await trx('enterprises').where('id', input.enterpriseId).first('district_code')) as { district_code: string } | undefined;
  if (!enterprise) throw new IntakeRefused(422, 'enterpriseId', 'does not exist');
  let districtCode = enterprise.district_code;
  if (input.projectId) {
    const project = (await trx('property_projects').where('id', input.projectId).first('district_code', 'enterprise_id')) as { district_code: string; enterprise_id: number | null } | undefined;
    if (!project) throw new IntakeRefused(422, 'projectId', 'does not exist');
    if (project.enterprise_id !== input.enterpriseId) throw new IntakeRefused(422, 'projectId', 'is not managed by this enterprise');
    districtCode = project.district_code;
  }
  if (input.staffId && !(await trx('enterprise_staff').where({ id: input.staffId, enterprise_id: input.enterpriseId }).first('id'))) throw new IntakeRefused(422, 'staffId', 'is not a person of this enterprise');

  const status = item.kind === 'good' ? 'final' : 'pending';
  const validUntil = validUntilOf(input.occurredOn, item.validityMonths);
  const category = INTAKE_SOURCES[input.source].category ?? (item.kind === 'good' ? (input.source === 'bureau' ? 'honour' : 'praise') : 'daily_service');
  const row = {
    enterprise_id: input.enterpriseId,
    staff_id: input.staffId,
    project_id: input.projectId,
    district_code: districtCode,
    category,
    points: item.kind === 'good' ? points : -points,
    source: input.source,
    source_ref: input.sourceRef,
    occurred_on: input.occurredOn,
    description: input.description,
    status,
    item_id: item.id,
    standard_id: standard.id,
    valid_until: validUntil,
    veto: item.veto,
    evidence: JSON.stringify(input.evidence),
    recorded_by: input.recordedBy,
    updated_by: input.recordedBy,
    rectify_days: item.kind === 'bad' ? input.rectifyDays : null,
  };
  let id: number;
  try {
    [id] = await trx('credit_events').insert(row);
  } catch (err) {
    // The same source event taken in at the same moment by another transaction: that one made the record.
    if ((err as { code?: string }).code !== 'ER_DUP_ENTRY') throw err;
    const made = (await trx('credit_events').where({ source: input.source, source_ref: input.sourceRef }).first('id', 'status', 'district_code', 'points', 'valid_until')) as Existing;
    return resultOf(made, false);
  }
  if (status === 'final') await refreshScores(trx, { enterpriseIds: [input.enterpriseId], staffIds: input.staffId ? [input.staffId] : [] });
  return { id, created: true, status, districtCode, points, validUntil };
}

// ---------------------------------------------------------------- notices (C3)

/** Pre-deductions whose notice case has not started (the launch failed, or is still to come), oldest first. */
export async function recordsAwaitingNotice(db: Knex, limit = 100): Promise<Array<{ id: number; recordedBy: number | null }>> {
  const rows = (await db('credit_events').where('status', 'pending').whereNull('notice_case_id').whereNotNull('item_id').orderBy('id').limit(limit).select('id', 'recorded_by')) as Array<{ id: number; recorded_by: number | null }>;
  return rows.map((r) => ({ id: r.id, recordedBy: r.recorded_by }));
}

/** Pre-deductions whose notice case exists but is still pending with no history (its start may not have happened), oldest first. */
export async function noticeCasesToCheck(db: Knex, limit = 50): Promise<number[]> {
  return (
    (await db('credit_events as ce')
      .join('cases as c', 'c.id', 'ce.notice_case_id')
      .where('ce.status', 'pending')
      .where('c.status', 'running')
      .whereNotExists((q) => q.select(db.raw('1')).from('case_history as h').whereRaw('h.case_id = c.id'))
      .orderBy('ce.id')
      .limit(limit)
      .pluck('c.id')) as number[]
  ).map(Number);
}

/** Makes a case the record's notice, in the transaction that creates the case; false when it already has one (or is no longer pending). */
export async function claimNotice(trx: Knex.Transaction, eventId: number, caseId: number): Promise<boolean> {
  return (await trx('credit_events').where({ id: eventId, status: 'pending' }).whereNull('notice_case_id').update({ notice_case_id: caseId })) === 1;
}

/** The record's notice case, once started (null before). */
export async function noticeCaseOf(db: Knex, eventId: number): Promise<{ caseId: number; number: string } | null> {
  const row = (await db('credit_events as ce').join('cases as c', 'c.id', 'ce.notice_case_id').where('ce.id', eventId).first('c.id as caseId', 'c.number')) as { caseId: number; number: string } | undefined;
  return row ?? null;
}

/** What the notice (记分告知单) of a record says. */
export interface NoticeRecord {
  id: number;
  enterpriseId: number;
  enterpriseName: string;
  enterpriseCreditCode: string;
  projectName: string | null;
  staffName: string | null;
  status: 'pending' | 'final' | 'cancelled';
  points: number;
  occurredOn: string;
  description: string;
  itemCode: string | null;
  itemName: string | null;
  standardName: string | null;
  standardVersion: number | null;
  appealDays: number;
  rectifyDays: number | null;
  noticeCaseId: number | null;
}

export async function noticeRecord(db: Knex, eventId: number): Promise<NoticeRecord | null> {
  const r = (await db('credit_events as ce')
    .join('enterprises as e', 'e.id', 'ce.enterprise_id')
    .leftJoin('property_projects as p', 'p.id', 'ce.project_id')
    .leftJoin('enterprise_staff as s', 's.id', 'ce.staff_id')
    .leftJoin('credit_standard_items as i', 'i.id', 'ce.item_id')
    .leftJoin('credit_standards as st', 'st.id', 'ce.standard_id')
    .where('ce.id', eventId)
    .first(
      'ce.id',
      'ce.enterprise_id',
      'e.name as enterprise_name',
      'e.credit_code',
      'p.name as project_name',
      's.name as staff_name',
      'ce.status',
      'ce.points',
      'ce.occurred_on',
      'ce.description',
      'i.code as item_code',
      'i.name as item_name',
      'st.name as standard_name',
      'st.version as standard_version',
      'st.model',
      'ce.rectify_days',
      'ce.notice_case_id',
    )) as
    | {
        id: number;
        enterprise_id: number;
        enterprise_name: string;
        credit_code: string;
        project_name: string | null;
        staff_name: string | null;
        status: NoticeRecord['status'];
        points: string;
        occurred_on: Date | string;
        description: string;
        item_code: string | null;
        item_name: string | null;
        standard_name: string | null;
        standard_version: number | null;
        model: string | { appealDays?: number } | null;
        rectify_days: number | null;
        notice_case_id: number | null;
      }
    | undefined;
  if (!r) return null;
  const model = typeof r.model === 'string' ? (JSON.parse(r.model) as { appealDays?: number }) : r.model;
  return {
    id: r.id,
    enterpriseId: r.enterprise_id,
    enterpriseName: r.enterprise_name,
    enterpriseCreditCode: r.credit_code,
    projectName: r.project_name,
    staffName: r.staff_name,
    status: r.status,
    points: Math.abs(Number(r.points)),
    occurredOn: typeof r.occurred_on === 'string' ? r.occurred_on.slice(0, 10) : r.occurred_on.toISOString().slice(0, 10),
    description: r.description,
    itemCode: r.item_code,
    itemName: r.item_name,
    standardName: r.standard_name,
    standardVersion: r.standard_version,
    appealDays: model?.appealDays ?? DEFAULT_MODEL.appealDays,
    rectifyDays: r.rectify_days,
    noticeCaseId: r.notice_case_id,
  };
}

/** A subject's records that count on a day (final, valid), newest first, with their items: the credit report's list. */
export async function validRecordsOf(
  db: Knex,
  enterpriseId: number,
  day: string,
  limit = 200,
): Promise<Array<{ id: number; occurredOn: string; points: number; itemCode: string | null; itemName: string | null; description: string; validUntil: string | null }>> {
  const rows = (await db('credit_events as ce')
    .leftJoin('credit_standard_items as i', 'i.id', 'ce.item_id')
    .where('ce.enterprise_id', enterpriseId)
    .where('ce.status', 'final')
    .where('ce.occurred_on', '<=', day)
    .where((w) => w.where('ce.valid_until', '>=', day).orWhere((u) => u.whereNull('ce.valid_until').where((r) => r.whereNull('ce.rectified_on').orWhere('ce.rectified_on', '>', day))))
    .orderBy('ce.occurred_on', 'desc')
    .orderBy('ce.id', 'desc')
    .limit(limit)
    .select('ce.id', db.raw("DATE_FORMAT(ce.occurred_on, '%Y-%m-%d') AS occurred_on"), 'ce.points', 'i.code', 'i.name', 'ce.description', db.raw("DATE_FORMAT(ce.valid_until, '%Y-%m-%d') AS valid_until"))) as Array<{
    id: number;
    occurred_on: string;
    points: string;
    code: string | null;
    name: string | null;
    description: string;
    valid_until: string | null;
  }>;
  return rows.map((r) => ({ id: r.id, occurredOn: r.occurred_on, points: Number(r.points), itemCode: r.code, itemName: r.name, description: r.description, validUntil: r.valid_until }));
}

/**
 * Marks a record valid until rectified as rectified on a day: it stops counting from that day
 * and its subject is rescored. Answers the enterprise (and person) to rescore, or why not.
 */
export async function markRectified(
  trx: Knex.Transaction,
  eventId: number,
  day: string,
): Promise<{ ok: true; enterpriseId: number; staffId: number | null; districtCode: string } | { ok: false; status: 404 | 409 | 422; field: string; reason: string }> {
  const r = (await trx('credit_events').where('id', eventId).forUpdate().first('id', 'enterprise_id', 'staff_id', 'district_code', 'valid_until', 'rectified_on', 'status', trx.raw("DATE_FORMAT(occurred_on, '%Y-%m-%d') AS occurred"))) as
    { id: number; enterprise_id: number; staff_id: number | null; district_code: string; valid_until: Date | null; rectified_on: Date | null; status: string; occurred: string } | undefined;
  if (!r) return { ok: false, status: 404, field: 'params.id', reason: 'no such record' };
  if (r.valid_until !== null) return { ok: false, status: 422, field: 'params.id', reason: 'the record counts for a fixed period, not until rectified' };
  if (r.rectified_on !== null) return { ok: false, status: 409, field: 'params.id', reason: 'already rectified' };
  if (r.status === 'cancelled') return { ok: false, status: 409, field: 'params.id', reason: 'the record was cancelled' };
  if (day < r.occurred) return { ok: false, status: 422, field: 'body.rectifiedOn', reason: `must be on or after ${r.occurred}, the day it occurred` };
  await trx('credit_events').where('id', eventId).update({ rectified_on: day });
  await refreshScores(trx, { enterpriseIds: [r.enterprise_id], staffIds: r.staff_id ? [r.staff_id] : [] });
  return { ok: true, enterpriseId: r.enterprise_id, staffId: r.staff_id, districtCode: r.district_code };
}

/** Where a record would go (its project's district and street, else its enterprise's): the intake route's place check. */
export async function placeOfRecord(trx: Knex.Transaction, subject: { projectId: number | null; enterpriseId: number }): Promise<{ district_code: string; street_code: string | null } | undefined> {
  return (subject.projectId ? await trx('property_projects').where('id', subject.projectId).first('district_code', 'street_code') : await trx('enterprises').where('id', subject.enterpriseId).first('district_code', 'street_code')) as
    { district_code: string; street_code: string | null } | undefined;
}

/** The district a record lies in, or undefined when there is no such record. */
export async function districtOfRecord(trx: Knex.Transaction, eventId: number): Promise<string | undefined> {
  return ((await trx('credit_events').where('id', eventId).first('district_code')) as { district_code: string } | undefined)?.district_code;
}
