import type { Knex } from 'knex';
import { z } from 'zod';
import { calendarDay } from '../../lib/credit/days';
import { validUntilOf } from '../../lib/credit/score';
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
  /** The user who recorded it; null when the platform raised it. */
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

  const standard = await standardAt(trx, input.occurredOn);
  if (!standard) throw new IntakeRefused(409, 'occurredOn', `no credit standard is in force on ${input.occurredOn}`);
  const item = standard.items.find((i) => i.code === input.itemCode);
  if (!item) throw new IntakeRefused(422, 'itemCode', `the standard in force on ${input.occurredOn} (version ${standard.version}) has no item ${input.itemCode}`);
  const subject = subjectOf(input);
  if (!item.subjects.includes(subject)) throw new IntakeRefused(422, subject === 'manager' ? 'staffId' : subject === 'project' ? 'projectId' : 'itemCode', `item ${item.code} is not recorded against a ${subject}`);
  if (item.evidenceRequired && input.evidence.length === 0) throw new IntakeRefused(422, 'evidence', `item ${item.code} needs evidence`);
  if (input.source === 'bureau' && item.kind !== 'good') throw new IntakeRefused(422, 'itemCode', 'the bureau’s honours and praise are good items');
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
