import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { documentOnce, relinkDocumentFile, storeDocumentFile } from '../../db/approvals/documents';
import type { CaseInfo } from '../../db/cases/cases';
import { allocateDocumentNumber } from '../../lib/approvals/document-numbers';
import { renderDocumentPdf, type DocumentSpec } from '../../lib/approvals/pdf';
import { literalOrFeel } from '../../lib/bpmn/feel';
import type { ServiceTaskInput } from '../../lib/cases/changes';

/**
 * What the approvals' service tasks share: reading headers and variables, dates, and issuing a
 * numbered document with its PDF. Every write is keyed by the case and a kind (in the db/approvals
 * modules), so an activity retried after a lost reply finds its work done.
 */
export interface ApprovalDeps {
  db: Knex;
  filesDir: string;
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
  const row = await documentOnce(db, { caseId: c.id, kind: input.kind, title: input.title, data: input.data, stampIssuedAt: true }, (trx, now) => allocateDocumentNumber(trx, input.numberRule, input.kind, c.districtCode, now));
  const issuedOn = beijingDate(new Date(row.issued_at));
  const fileId = stableUuid(`${c.workflowId}/document/${input.kind}`);
  if (row.file_id !== fileId) {
    const bytes = await renderDocumentPdf(input.build(row.number, issuedOn));
    await storeDocumentFile(db, filesDir, { documentId: row.id, caseId: c.id, kind: input.kind, fileId, name: `${input.title}-${row.number}.pdf`, bytes });
  } else {
    await relinkDocumentFile(db, row.id, fileId);
  }
  return { number: row.number, fileId, issuedOn };
}

/** A number with no printed document (e.g. a committee filing number), allocated once per case and kind. */
export async function allocateOnce(db: Knex, c: CaseInfo, kind: string, numberRule: string, title: string): Promise<string> {
  const row = await documentOnce(db, { caseId: c.id, kind, title }, (trx) => allocateDocumentNumber(trx, numberRule, kind, c.districtCode));
  return row.number;
}

export const BUREAU = '苏州市住房和城乡建设局';
