import type { Knex } from 'knex';
import { z } from 'zod';
import { RegistryError, approvalActor } from './actor';
import { committees } from './committees';
import { creditEvents } from './credit';
import { recordChange } from './history';
import { enterprises, QUALIFICATION_LEVELS } from './enterprises';
import { projects } from './projects';
import type { RegistryResource } from './resource';
import { bodySchema, getRecord, saveRecord, snapshotOf } from './store';
import type { ChildSpec } from './resource';

/**
 * What the approvals write into the registries when a case ends (qualification, contract
 * filing, committee formation, credit appeal, tender). Each function is one transaction and is
 * idempotent by (case reference, action): a retried activity finds its ledger row and writes
 * nothing twice. The approval itself is the review, so the records it writes are left approved;
 * the history names the case (`registry_changes.case_ref`).
 *
 * `caseRef` is whatever identifies the case for good — the case's workflow id or number.
 */
const caseRef = z.string().trim().min(1).max(128);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export interface ApplyResult {
  /** false when this case had already written this (a retry). */
  applied: boolean;
  entityId: number;
}

async function applyOnce(db: Knex, ref: string, action: string, entity: string, write: (trx: Knex.Transaction) => Promise<number>): Promise<ApplyResult> {
  return db.transaction(async (trx) => {
    const done = (await trx('registry_case_writes').where({ case_ref: ref, action }).first('entity_id')) as { entity_id: number } | undefined;
    if (done) return { applied: false, entityId: Number(done.entity_id) };
    const entityId = await write(trx);
    // A concurrent twin that got here first makes this insert fail, rolling this attempt back.
    await trx('registry_case_writes').insert({ case_ref: ref, action, entity, entity_id: entityId });
    return { applied: true, entityId };
  });
}

/** The record's current values as a body, with some replaced. */
async function currentBody(trx: Knex.Transaction, res: RegistryResource, id: number): Promise<Record<string, unknown>> {
  const record = await getRecord(trx, res, { kind: 'city' }, id, { forUpdate: true });
  if (!record) throw new RegistryError('not_found', `${res.entity} ${id} not found`);
  const body = snapshotOf(res, record);
  delete body.approved;
  for (const f of res.fields) if (f.derived) delete body[f.name];
  return body;
}

/** Records that an approval added a read-only child row (a filed contract, an award) to a project. */
async function recordChildAdded(trx: Knex.Transaction, ref: string, projectId: number, key: 'contracts' | 'awards', add: () => Promise<number>): Promise<number> {
  const child = projects.children!.find((c) => c.key === key) as ChildSpec;
  const list = async () =>
    (
      (await trx(child.table)
        .where(child.foreignKey, projectId)
        .orderBy(child.orderBy)
        .orderBy('id')
        .select(child.fields.map((f) => f.name))) as Array<Record<string, unknown>>
    ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'string' && /^-?\d+\.\d+$/.test(v) ? Number(v) : v])));
  const before = await list();
  const id = await add();
  await recordChange(trx, { entity: 'project', entityId: projectId, action: 'approval', before: { [key]: before }, after: { [key]: await list() }, fields: [key], actor: approvalActor(ref) });
  return id;
}

/** Approval data is checked like any other write: a case cannot store what the API would refuse. */
function validated(res: RegistryResource, body: Record<string, unknown>): Record<string, unknown> {
  const parsed = bodySchema(res).safeParse(body);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0];
  throw new RegistryError('invalid', issue.message, issue.path.map(String).join('.'));
}

export const QualificationInput = z.object({
  caseRef,
  enterpriseId: z.number().int().positive(),
  level: z.enum(Object.keys(QUALIFICATION_LEVELS) as [keyof typeof QUALIFICATION_LEVELS, ...Array<keyof typeof QUALIFICATION_LEVELS>]),
  certificateNo: z.string().trim().min(1).max(64),
  validUntil: date,
});

/** Qualification approval (000 主要功能 6): grants or changes an enterprise's level, certificate and validity. */
export async function setEnterpriseQualification(db: Knex, input: z.input<typeof QualificationInput>): Promise<ApplyResult> {
  const i = QualificationInput.parse(input);
  return applyOnce(db, i.caseRef, 'enterprise.qualification', 'enterprise', async (trx) => {
    const body = await currentBody(trx, enterprises, i.enterpriseId);
    Object.assign(body, { qualification_level: i.level, qualification_certificate_no: i.certificateNo, qualification_valid_until: i.validUntil });
    await saveRecord(trx, enterprises, approvalActor(i.caseRef), i.enterpriseId, validated(enterprises, body), { action: 'approval', approve: true });
    return i.enterpriseId;
  });
}

export const FiledContractInput = z.object({
  caseRef,
  projectId: z.number().int().positive(),
  enterpriseId: z.number().int().positive(),
  kind: z.enum(['preliminary_service', 'service', 'temporary_management']),
  contractNo: z.string().trim().min(1).max(64),
  startsOn: date.nullable().default(null),
  endsOn: date.nullable().default(null),
  feePerSqm: z.number().min(0).nullable().default(null),
  filingNo: z.string().max(64).nullable().default(null),
  filedOn: date,
  /** Project data from the filing that the district verified (000 主要功能 1.4: conflicting data is corrected). */
  projectCorrections: z.record(z.string(), z.unknown()).default({}),
});

/**
 * Contract filing (000 主要功能 1.4): stores the filed contract against the project; a service
 * contract makes the enterprise the project's manager; verified corrections are applied to the
 * project record.
 */
export async function recordFiledContract(db: Knex, input: z.input<typeof FiledContractInput>): Promise<ApplyResult> {
  const i = FiledContractInput.parse(input);
  return applyOnce(db, i.caseRef, 'project.contract', 'project', async (trx) => {
    const body = await currentBody(trx, projects, i.projectId);
    const unknown = Object.keys(i.projectCorrections).filter((k) => !projects.fields.some((f) => f.name === k && !f.derived));
    if (unknown.length) throw new RegistryError('invalid', `unknown project fields: ${unknown.join(', ')}`);
    Object.assign(body, i.projectCorrections);
    if (i.kind !== 'temporary_management') Object.assign(body, { management_mode: 'entrusted', enterprise_id: i.enterpriseId });
    await saveRecord(trx, projects, approvalActor(i.caseRef), i.projectId, validated(projects, body), { action: 'approval', approve: true });
    return recordChildAdded(trx, i.caseRef, i.projectId, 'contracts', async () => {
      const [id] = await trx('property_contracts').insert({
        project_id: i.projectId,
        enterprise_id: i.enterpriseId,
        kind: i.kind,
        contract_no: i.contractNo,
        starts_on: i.startsOn,
        ends_on: i.endsOn,
        fee_per_sqm: i.feePerSqm,
        filing_no: i.filingNo,
        filed_on: i.filedOn,
        case_ref: i.caseRef,
      });
      return Number(id);
    });
  });
}

const Member = z.object({
  name: z.string().trim().min(1).max(64),
  position: z.enum(['director', 'deputy_director', 'member']),
  officer: z.boolean().default(false),
  responsibility: z.string().max(128).nullable().default(null),
  phone: z.string().max(32).nullable().default(null),
  birth_year: z.number().int().nullable().default(null),
  political_status: z.string().max(16).nullable().default(null),
});

export const CommitteeInput = z.object({
  caseRef,
  /** null for a formation; the committee's id for a re-election, member change or deregistration. */
  committeeId: z.number().int().positive().nullable().default(null),
  committee: z.object({
    name: z.string().trim().min(1).max(128),
    project_id: z.number().int().positive(),
    office_address: z.string().max(255).nullable().default(null),
    phone_24h: z.string().max(32).nullable().default(null),
    established_on: date.nullable().default(null),
    term_starts_on: date.nullable().default(null),
    term_ends_on: date.nullable().default(null),
    filing_no: z.string().max(64).nullable().default(null),
    status: z.enum(['preparing', 'active', 'expired', 'dissolved']).default('active'),
  }),
  /** The whole new member list; omitted = unchanged. */
  members: z.array(Member).optional(),
});

/** Committee formation, re-election, member change, deregistration (000 主要功能 8): creates or updates the committee record. */
export async function saveCommitteeFromApproval(db: Knex, input: z.input<typeof CommitteeInput>): Promise<ApplyResult> {
  const i = CommitteeInput.parse(input);
  return applyOnce(db, i.caseRef, 'committee.filing', 'committee', async (trx) => {
    const actor = approvalActor(i.caseRef);
    const base = i.committeeId ? await currentBody(trx, committees, i.committeeId) : { remarks: null };
    const body = { ...base, ...i.committee, ...(i.members ? { members: i.members } : {}) };
    const saved = await saveRecord(trx, committees, actor, i.committeeId, validated(committees, body), { action: 'approval', approve: true });
    return saved.id;
  });
}

export const CreditChangeInput = z.union([
  z.object({
    caseRef,
    /** The pre-deduction the appeal was about. */
    eventId: z.number().int().positive(),
    /** The points after review; null cancels the event (appeal upheld). */
    finalPoints: z.number().min(-100).max(100).nullable(),
  }),
  z.object({
    caseRef,
    eventId: z.undefined().optional(),
    event: z.object({
      enterprise_id: z.number().int().positive(),
      staff_id: z.number().int().positive().nullable().default(null),
      project_id: z.number().int().positive().nullable().default(null),
      category: z.enum(['complaint', 'petition', 'daily_service', 'reward', 'penalty', 'honour', 'praise', 'overdue_rectification', 'media', 'maintenance_fund', 'late_update', 'self_check']),
      points: z.number().min(-100).max(100),
      occurred_on: date,
      description: z.string().trim().min(1).max(500),
    }),
  }),
]);

/** Credit appeal (000 主要功能 2.4, C3): makes a pre-deduction final (or cancels it), or records a final event; scores follow. */
export async function applyFinalCreditChange(db: Knex, input: z.input<typeof CreditChangeInput>): Promise<ApplyResult> {
  const i = CreditChangeInput.parse(input);
  return applyOnce(db, i.caseRef, 'credit.final', 'credit_event', async (trx) => {
    const actor = approvalActor(i.caseRef);
    if ('event' in i && i.event) {
      const saved = await saveRecord(trx, creditEvents, actor, null, validated(creditEvents, { ...i.event, source: 'approval', source_ref: i.caseRef.slice(0, 64), status: 'final' }), { action: 'approval' });
      await trx('credit_events').where('id', saved.id).update({ case_ref: i.caseRef });
      return saved.id;
    }
    const eventId = (i as { eventId: number }).eventId;
    const finalPoints = (i as { finalPoints: number | null }).finalPoints;
    const body = await currentBody(trx, creditEvents, eventId);
    if (body.status !== 'pending') throw new RegistryError('conflict', `credit event ${eventId} is ${String(body.status)}, not pending`);
    Object.assign(body, finalPoints === null ? { status: 'cancelled' } : { status: 'final', points: finalPoints });
    await saveRecord(trx, creditEvents, actor, eventId, validated(creditEvents, body), { action: 'approval' });
    await trx('credit_events').where('id', eventId).update({ case_ref: i.caseRef });
    return eventId;
  });
}

export const TenderAwardInput = z.object({
  caseRef,
  projectId: z.number().int().positive(),
  enterpriseId: z.number().int().positive(),
  tenderer: z.enum(['developer', 'owners_assembly']),
  awardedOn: date,
  termMonths: z.number().int().positive().max(600).nullable().default(null),
  feePerSqm: z.number().min(0).nullable().default(null),
  announcementNo: z.string().max(64).nullable().default(null),
});

/**
 * Tender award (000 主要功能 7): records who won the project. Management changes hands only when
 * the contract is filed (recordFiledContract), so the award itself leaves the project as it is.
 */
export async function recordTenderAward(db: Knex, input: z.input<typeof TenderAwardInput>): Promise<ApplyResult> {
  const i = TenderAwardInput.parse(input);
  return applyOnce(db, i.caseRef, 'project.tender_award', 'tender_award', async (trx) => {
    if (!(await trx('property_projects').where('id', i.projectId).first('id'))) throw new RegistryError('not_found', `project ${i.projectId} not found`);
    if (!(await trx('enterprises').where('id', i.enterpriseId).first('id'))) throw new RegistryError('not_found', `enterprise ${i.enterpriseId} not found`);
    return recordChildAdded(trx, i.caseRef, i.projectId, 'awards', async () => {
      const [id] = await trx('tender_awards').insert({
        project_id: i.projectId,
        enterprise_id: i.enterpriseId,
        tenderer: i.tenderer,
        awarded_on: i.awardedOn,
        term_months: i.termMonths,
        fee_per_sqm: i.feePerSqm,
        announcement_no: i.announcementNo,
        case_ref: i.caseRef,
      });
      return Number(id);
    });
  });
}
