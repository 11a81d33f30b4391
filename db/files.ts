import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { FileRef } from '../lib/files/attachments';
import { writeContent, type StoredFile } from '../lib/files/store';

/**
 * Every SQL statement about files and what they belong to (docs/security-files.md). The bytes
 * are on disk (`lib/files/store.ts`); `files` names them; `file_links` says which owner each file
 * belongs to. Reading: an upload with no owner is readable by its uploader only; a linked file
 * by whoever may read one of its owners, each owner type with its rule in `OWNER_RULES`.
 */
type Db = Knex | Knex.Transaction;

export const FILE_OWNERS = {
  /** Attachments and start-form materials of a case, files given with a decision or a supplement. */
  case: 'case',
  /** A generated certificate or filing form: the `approval_documents` row. */
  approvalDocument: 'approval_document',
} as const;
export type FileOwnerType = (typeof FILE_OWNERS)[keyof typeof FILE_OWNERS];
export type FilePurpose = 'attachment' | 'form' | 'decision' | 'supply' | 'document';

export interface FileOwner {
  type: FileOwnerType;
  id: number;
}

/** Who is reading: their user id, and the case-visibility rule for them (api/cases/access.ts). */
export interface FileReader {
  userId: number;
  /** Confines a query over `cases as c` to the cases this user may see. */
  whereCaseVisible: (q: Knex.QueryBuilder) => Knex.QueryBuilder;
}

/**
 * Per owner type: links (alias `l`) of that type whose owner the reader may read. A type with no
 * rule here gives nobody a way in (its files stay readable by nobody through /api/files).
 */
const OWNER_RULES: Record<FileOwnerType, (db: Db, links: Knex.QueryBuilder, reader: FileReader) => Knex.QueryBuilder> = {
  case: (_db, links, reader) => reader.whereCaseVisible(links.join('cases as c', 'c.id', 'l.owner_id')),
  approval_document: (_db, links, reader) => reader.whereCaseVisible(links.join('approval_documents as d', 'd.id', 'l.owner_id').join('cases as c', 'c.id', 'd.case_id')),
};

/** Stores bytes and their row. A caller-chosen id makes it idempotent (a retried activity writes no second row). */
export async function saveFile(db: Db, dir: string, input: { name: string; mime: string; bytes: Buffer; uploadedBy: number | null; source?: string; id?: string }): Promise<StoredFile> {
  const sha256 = writeContent(dir, input.bytes);
  const row = { id: input.id ?? crypto.randomUUID(), sha256, name: input.name, mime: input.mime, size: input.bytes.length };
  await db('files')
    .insert({ ...row, uploaded_by: input.uploadedBy, source: input.source ?? 'upload' })
    .onConflict('id')
    .ignore();
  return row;
}

const FILE_COLUMNS = ['f.id', 'f.sha256', 'f.name', 'f.mime', 'f.size'];
const asStored = (row: StoredFile | undefined): StoredFile | null => (row ? { ...row, size: Number(row.size) } : null);

/** A file by id, whoever asks: for activities and internal use, never for answering a user. */
export async function findFile(db: Db, id: string): Promise<StoredFile | null> {
  return asStored((await db('files as f').where('f.id', id).first(FILE_COLUMNS)) as StoredFile | undefined);
}

/** A file by id if this reader may read it, else null (whether or not it exists). */
export async function findReadableFile(db: Db, id: string, reader: FileReader): Promise<StoredFile | null> {
  const row = (await db('files as f')
    .where('f.id', id)
    .where((w) => {
      w.where((own) => own.where('f.uploaded_by', reader.userId).whereNotExists(db('file_links as l0').select(db.raw('1')).whereRaw('l0.file_id = f.id')));
      for (const [type, rule] of Object.entries(OWNER_RULES)) {
        w.orWhereExists(rule(db, db('file_links as l').select(db.raw('1')).whereRaw('l.file_id = f.id').where('l.owner_type', type), reader));
      }
    })
    .first(FILE_COLUMNS)) as StoredFile | undefined;
  return asStored(row);
}

/** Which of these ids name stored files. */
export async function existingFileIds(db: Db, ids: string[]): Promise<Set<string>> {
  return new Set(ids.length ? ((await db('files').whereIn('id', ids).pluck('id')) as string[]) : []);
}

/**
 * Checks that a user may attach these files to an owner: each must be already linked to that
 * same owner, or be an upload of the user's own. Answers the refused fields (one reason for "no
 * such file" and "someone else's", so ids cannot be probed) and the ids not yet linked.
 */
export async function checkAttachable(db: Db, refs: FileRef[], owner: FileOwner, userId: number): Promise<{ refused: Array<{ field: string; reason: string }>; toLink: string[] }> {
  const ids = [...new Set(refs.map((r) => r.fileId).filter((id): id is string => typeof id === 'string'))];
  const [files, linked] = ids.length
    ? await Promise.all([
        db('files').whereIn('id', ids).select('id', 'uploaded_by') as Promise<Array<{ id: string; uploaded_by: number | null }>>,
        db('file_links').whereIn('file_id', ids).where({ owner_type: owner.type, owner_id: owner.id }).pluck('file_id') as Promise<string[]>,
      ])
    : [[], []];
  const uploader = new Map(files.map((f) => [f.id, f.uploaded_by]));
  const already = new Set(linked);
  const refused: Array<{ field: string; reason: string }> = [];
  const toLink = new Set<string>();
  for (const ref of refs) {
    if (typeof ref.fileId !== 'string') {
      refused.push({ field: ref.field, reason: 'is not a file id' });
    } else if (already.has(ref.fileId)) {
      continue;
    } else if (uploader.get(ref.fileId) === userId) {
      toLink.add(ref.fileId);
    } else {
      refused.push({ field: ref.field, reason: 'is not a file you uploaded' });
    }
  }
  return { refused, toLink: [...toLink] };
}

/** Links files to an owner; linking twice is a no-op (activities and requests may be retried). */
export async function linkFiles(db: Db, fileIds: string[], owner: FileOwner, how: { purpose: FilePurpose; linkedBy: number | null }): Promise<void> {
  if (!fileIds.length) return;
  await db('file_links')
    .insert(fileIds.map((id) => ({ file_id: id, owner_type: owner.type, owner_id: owner.id, purpose: how.purpose, linked_by: how.linkedBy })))
    .onConflict(['file_id', 'owner_type', 'owner_id'])
    .ignore();
}

/** Removes links (all of an owner's, or only these files'): for an owner that did not come to be. */
export async function unlinkFiles(db: Db, owner: FileOwner, fileIds?: string[]): Promise<void> {
  const q = db('file_links').where({ owner_type: owner.type, owner_id: owner.id });
  if (fileIds) {
    if (!fileIds.length) return;
    q.whereIn('file_id', fileIds);
  }
  await q.delete();
}
