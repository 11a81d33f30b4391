import type { Knex } from 'knex';

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
export async function lockDocument(trx: Knex.Transaction, caseId: number, kind: string): Promise<DocumentRow | undefined> {
  return (await trx('approval_documents').where({ case_id: caseId, kind }).forUpdate().first('id', 'number', 'issued_at', 'file_id')) as DocumentRow | undefined;
}

export async function insertDocument(
  trx: Knex.Transaction,
  doc: { caseId: number; kind: string; number: string; title: string; data?: Record<string, unknown>; issuedAt?: Date },
): Promise<number> {
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

export async function setDocumentFile(trx: Knex.Transaction, caseId: number, kind: string, fileId: string): Promise<void> {
  await trx('approval_documents').where({ case_id: caseId, kind }).update({ file_id: fileId });
}

export async function listCaseDocuments(db: Knex, caseId: number) {
  return db('approval_documents').where('case_id', caseId).orderBy('id').select('id', 'kind', 'number', 'title', 'file_id', 'issued_at');
}
