import crypto from 'node:crypto';
import { insertDocument, lockDocument, setDocumentFile } from '../../db/approvals/documents';
import type { Knex } from 'knex';
import { allocateDocumentNumber } from '../../lib/approvals/document-numbers';
import { renderDocumentPdf, type DocumentSpec } from '../../lib/approvals/pdf';
import { literalOrFeel } from '../../lib/bpmn/feel';
import type { ServiceTaskInput } from '../../lib/cases/changes';
import { FILE_OWNERS, linkFiles, saveFile } from '../../db/files';

/**
 * What the approvals' service tasks share: the case row, who to text, issuing a numbered
 * document with its PDF, and publishing a result for the portal. Every write is keyed by the
 * case and a kind, so an activity retried after a lost reply finds its work done.
 */
export interface ApprovalDeps {
  db: Knex;
  filesDir: string;
}

export interface CaseInfo {
  id: number;
  number: string;
  processKey: string;
  workflowId: string;
  districtCode: string | null;
  streetCode: string | null;
  applicantOrganisationId: number;
  startedBy: number;
}

export async function caseInfo(db: Knex | Knex.Transaction, caseId: number): Promise<CaseInfo> {
  const row = (await db('cases').where('id', caseId).first('id', 'number', 'process_key', 'workflow_id', 'district_code', 'street_code', 'applicant_organisation_id', 'started_by')) as
    | { id: number; number: string; process_key: string; workflow_id: string; district_code: string | null; street_code: string | null; applicant_organisation_id: number; started_by: number }
    | undefined;
  if (!row) throw new Error(`case ${caseId} not found`);
  return {
    id: row.id,
    number: row.number,
    processKey: row.process_key,
    workflowId: row.workflow_id,
    districtCode: row.district_code,
    streetCode: row.street_code,
    applicantOrganisationId: row.applicant_organisation_id,
    startedBy: row.started_by,
  };
}

/** Active users of an organisation (an enterprise's or committee's own accounts), optionally of some roles. */
export async function organisationUserIds(db: Knex, organisationId: number, roles: string[] = []): Promise<number[]> {
  const q = db('users').where({ organisation_id: organisationId, active: true });
  if (roles.length) q.whereIn('role', roles);
  return (await q.orderBy('id').pluck('id')) as number[];
}

/** A header's value, FEEL allowed ("=..."), as text. */
export function header(input: ServiceTaskInput, name: string, fallback = ''): string {
  const raw = input.headers[name];
  if (raw === undefined || raw === '') return fallback;
  const value = literalOrFeel(raw, input.variables);
  return value === null || value === undefined ? fallback : String(value);
}

export function variable<T = unknown>(input: ServiceTaskInput, name: string): T | undefined {
  const v = input.variables[name];
  return v === null ? undefined : (v as T | undefined);
}

export function numberVariable(input: ServiceTaskInput, name: string): number | undefined {
  const v = input.variables[name];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Today in Beijing time, YYYY-MM-DD: dates on certificates and in the registries are local dates. */
export function beijingDate(at = new Date()): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function addYears(isoDate: string, years: number): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** A UUID derived from a key, so a document's file keeps its id when an activity is retried. */
export function stableUuid(key: string): string {
  const h = crypto.createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface IssuedDocument {
  number: string;
  fileId: string;
  issuedOn: string;
}

/**
 * Issues a case's document of a kind once: the number is allocated and the row written in one
 * transaction (a retry finds the row and keeps the number), then the PDF is rendered and stored
 * under an id derived from the case and kind.
 */
export async function issueDocument(
  deps: ApprovalDeps,
  input: { caseInfo: CaseInfo; kind: string; numberRule: string; title: string; data: Record<string, unknown>; build: (number: string, issuedOn: string) => DocumentSpec },
): Promise<IssuedDocument> {
  const { db, filesDir } = deps;
  const c = input.caseInfo;
  const row = await db.transaction(async (trx) => {
    const existing = await lockDocument(trx, c.id, input.kind);
    if (existing) return existing;
    const now = new Date();
    const number = await allocateDocumentNumber(trx, input.numberRule, input.kind, c.districtCode, now);
    const id = await insertDocument(trx, { caseId: c.id, kind: input.kind, number, title: input.title, data: input.data, issuedAt: now });
    return { id, number, issued_at: now, file_id: null };
  });
  const issuedOn = beijingDate(new Date(row.issued_at));
  const fileId = stableUuid(`${c.workflowId}/document/${input.kind}`);
  // The file belongs to its document row, so it is readable by whoever sees the case (db/files.ts).
  const owner = { type: FILE_OWNERS.approvalDocument, id: row.id };
  if (row.file_id !== fileId) {
    const bytes = await renderDocumentPdf(input.build(row.number, issuedOn));
    await db.transaction(async (trx) => {
      await saveFile(trx, filesDir, { id: fileId, name: `${input.title}-${row.number}.pdf`, mime: 'application/pdf', bytes, uploadedBy: null, source: 'approval' });
      await setDocumentFile(trx, c.id, input.kind, fileId);
      await linkFiles(trx, [fileId], owner, { purpose: 'document', linkedBy: null });
    });
  } else {
    await linkFiles(db, [fileId], owner, { purpose: 'document', linkedBy: null });
  }
  return { number: row.number, fileId, issuedOn };
}

/** A number with no printed document (e.g. a committee filing number), allocated once per case and kind. */
export async function allocateOnce(db: Knex, c: CaseInfo, kind: string, numberRule: string, title: string): Promise<string> {
  return db.transaction(async (trx) => {
    const existing = await lockDocument(trx, c.id, kind);
    if (existing) return existing.number;
    const number = await allocateDocumentNumber(trx, numberRule, kind, c.districtCode);
    await insertDocument(trx, { caseId: c.id, kind, number, title });
    return number;
  });
}

/** A result the public portal lists (P1); one per case and kind, later calls keep the first. */
export async function publish(db: Knex, input: { caseId: number; kind: string; title: string; body: string; data?: Record<string, unknown>; days?: number }): Promise<void> {
  const starts = new Date();
  await db('approval_publicity')
    .insert({
      case_id: input.caseId,
      kind: input.kind,
      title: input.title.slice(0, 255),
      body: input.body,
      data: input.data ? JSON.stringify(input.data) : null,
      starts_at: starts,
      ends_at: input.days ? new Date(starts.getTime() + input.days * 86_400_000) : null,
    })
    .onConflict(['case_id', 'kind'])
    .ignore();
}

export const BUREAU = '苏州市住房和城乡建设局';
