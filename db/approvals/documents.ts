import type { Knex } from 'knex';
import { FILE_OWNERS, linkFiles, saveFile } from '../files';
import { isCaseVisibleBy as isCaseVisible } from '../cases/cases';

/**
 * Numbered documents a case issues (table approval_documents): certificates, filing forms and
 * numbers without a printed document. One row per case and kind; the activities that issue
 * them lock the row so a retried activity keeps its number.
 */
export interface DocumentRow {
  id: number;
  number: string;
  issued_at: Date;
  file_id: string | null;
}

/** The case's document of a kind, locked for the transaction; undefined when none is issued yet. */
async function lockDocument(trx: Knex.Transaction, caseId: number, kind: string): Promise<DocumentRow | undefined> {
  return (await trx('approval_documents').where({ case_id: caseId, kind }).forUpdate().first('id', 'number', 'issued_at', 'file_id')) as DocumentRow | undefined;
}

async function insertDocument(trx: Knex.Transaction, doc: { caseId: number; kind: string; number: string; title: string; data?: Record<string, unknown>; issuedAt?: Date }): Promise<number> {
  const [id] = await trx('approval_documents').insert({
    case_id: doc.caseId,
    kind: doc.kind,
    number: doc.number,
    title: doc.title.slice(0, 128),
    ...(doc.data ? { data: JSON.stringify(doc.data) } : {}),
    ...(doc.issuedAt ? { issued_at: doc.issuedAt } : {}),
  });
  return id as number;
}

async function setDocumentFile(trx: Knex.Transaction, caseId: number, kind: string, fileId: string): Promise<void> {
  await trx('approval_documents').where({ case_id: caseId, kind }).update({ file_id: fileId });
}

/**
 * A case's document of a kind, written once: the number is allocated and the row inserted in one
 * transaction that first locks any existing row, so a retry (or a concurrent twin) gets the row
 * already there and keeps its number. `allocateNumber` runs inside that transaction (the
 * counter must roll back with the row); `stampIssuedAt` records the issuing time given to it
 * (else the column's default).
 */
export async function documentOnce(
  db: Knex,
  doc: { caseId: number; kind: string; title: string; data?: Record<string, unknown>; stampIssuedAt?: boolean },
  allocateNumber: (trx: Knex.Transaction, now: Date) => Promise<string>,
): Promise<DocumentRow> {
  return db.transaction(async (trx) => {
    const existing = await lockDocument(trx, doc.caseId, doc.kind);
    if (existing) return existing;
    const now = new Date();
    const number = await allocateNumber(trx, now);
    const id = await insertDocument(trx, { caseId: doc.caseId, kind: doc.kind, number, title: doc.title, data: doc.data, ...(doc.stampIssuedAt ? { issuedAt: now } : {}) });
    return { id, number, issued_at: now, file_id: null };
  });
}

/**
 * Stores a document's PDF and points the row at it, in one transaction, under a caller-chosen
 * file id (a retry rewrites nothing); the file belongs to its document row, so whoever sees the
 * case may read it (db/files.ts).
 */
export async function storeDocumentFile(db: Knex, filesDir: string, input: { documentId: number; caseId: number; kind: string; fileId: string; name: string; bytes: Buffer }): Promise<void> {
  await db.transaction(async (trx) => {
    await saveFile(trx, filesDir, { id: input.fileId, name: input.name, mime: 'application/pdf', bytes: input.bytes, uploadedBy: null, source: 'approval' });
    await setDocumentFile(trx, input.caseId, input.kind, input.fileId);
    await linkFiles(trx, [input.fileId], { type: FILE_OWNERS.approvalDocument, id: input.documentId }, { purpose: 'document', linkedBy: null });
  });
}

/** Links an already stored PDF to its document row again (links are idempotent). */
export async function relinkDocumentFile(db: Knex, documentId: number, fileId: string): Promise<void> {
  await linkFiles(db, [fileId], { type: FILE_OWNERS.approvalDocument, id: documentId }, { purpose: 'document', linkedBy: null });
}

export interface CaseDocument {
  id: number;
  kind: string;
  number: string;
  title: string;
  file_id: string | null;
  issued_at: Date;
}

/**
 * The documents of a case the reader may see, or null when the case is missing or out of the
 * reader's sight. Bounded without paging: (case_id, kind) is unique, so a case has one row per
 * kind of document its process issues; served by that unique index.
 */
export async function listCaseDocuments(db: Knex, caseId: number, reader: { whereCaseVisible: (q: Knex.QueryBuilder) => Knex.QueryBuilder }): Promise<CaseDocument[] | null> {
  if (!(await isCaseVisible(db, caseId, reader))) return null;
  return (await db('approval_documents').where('case_id', caseId).orderBy('id').select('id', 'kind', 'number', 'title', 'file_id', 'issued_at')) as CaseDocument[];
}
