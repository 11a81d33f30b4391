import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { keyRing, type KeyRing } from '../lib/crypto/keyring';
import type { FileRef } from '../lib/files/attachments';
import { contentPath, FileIntegrityError, readVerified, sealFile, sha256Hex, writeStored, type StoredFile, type StoredLocation } from '../lib/files/store';

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

/**
 * Stores bytes (encrypted, lib/files/store.ts) and their row. A caller-chosen id makes it
 * idempotent: a retried activity finds its row and writes neither a second row nor a second file.
 */
export async function saveFile(db: Db, dir: string, input: { name: string; mime: string; bytes: Buffer; uploadedBy: number | null; source?: string; id?: string }): Promise<StoredFile> {
  if (input.id) {
    const existing = await findFile(db, input.id);
    if (existing) return existing;
  }
  const id = input.id ?? crypto.randomUUID();
  const { sealed, keyId } = sealFile(id, input.bytes);
  const blob = writeStored(dir, sealed);
  const row = { id, sha256: sha256Hex(input.bytes), name: input.name, mime: input.mime, size: input.bytes.length };
  await db('files')
    .insert({ ...row, blob, key_id: keyId, uploaded_by: input.uploadedBy, source: input.source ?? 'upload' })
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

interface LocationRow {
  id: string;
  sha256: string;
  size: number | string;
  blob: string | null;
  key_id: string | null;
  stale_blob: string | null;
}
const LOCATION_COLUMNS = ['id', 'sha256', 'size', 'blob', 'key_id', 'stale_blob'];
const asLocation = (r: LocationRow): StoredLocation => ({ id: r.id, sha256: r.sha256, size: Number(r.size), blob: r.blob, keyId: r.key_id });

/**
 * The one way to a file's content (downloads, generated documents, anything that needs the
 * bytes): decrypted and checked against the row's SHA-256 and size. A file that fails the check
 * (tampered, corrupt, missing from the store, under a key no longer in the ring) throws
 * FileIntegrityError and is never handed out. Answers null for no such row. Callers check who
 * may read the file before (findReadableFile).
 */
export async function readFileBytes(db: Db, dir: string, id: string, ring: KeyRing = keyRing()): Promise<Buffer | null> {
  // Twice at most: a rotation may replace the bytes (and remove the old ones) between reading
  // the row and opening its file; the second look finds the new ones.
  for (let attempt = 0; ; attempt++) {
    const row = (await db('files').where('id', id).first(LOCATION_COLUMNS)) as LocationRow | undefined;
    if (!row) return null;
    try {
      return readVerified(dir, asLocation(row), ring);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (attempt >= 1) throw new FileIntegrityError(id, 'its bytes are missing from the file store');
    }
  }
}

export interface RotateFilesResult {
  /** Files now encrypted under the current key (plaintext ones included). */
  reencrypted: number;
  /** Files that failed their check and were left as they are (each logged). */
  failed: Array<{ id: string; reason: string }>;
  /** Old stored files removed (plaintext originals, copies under an old key). */
  removed: number;
}

/**
 * Re-encrypts every file whose key id is not the ring's current one, plaintext files from before
 * encryption included, and removes what they were stored as. Safe to run at any time, again and
 * concurrently (the API runs it at start with `plaintextOnly`, `npm run keys:rotate` without):
 * - batched by id, so memory stays at one file and a run over a big store can be stopped;
 * - each file: new bytes written and flushed first, then the row switched to them in one
 *   conditional UPDATE (only if nobody switched it meanwhile) that also notes the old name in
 *   `stale_blob`, then the old file removed and the note cleared. A crash at any point leaves
 *   either the old state or a note the next run finishes; never a row without its bytes;
 * - a file that fails its check is not rewritten (that would bless tampered bytes): it is
 *   logged, counted in `failed`, and stays refused on download.
 */
export async function rotateFiles(db: Knex, dir: string, log?: Pick<Logger, 'info' | 'warn' | 'error'>, opts: { ring?: KeyRing; batchSize?: number; plaintextOnly?: boolean } = {}): Promise<RotateFilesResult> {
  const ring = opts.ring ?? keyRing();
  const batchSize = opts.batchSize ?? 200;
  const result: RotateFilesResult = { reencrypted: 0, failed: [], removed: 0 };

  // Notes left by an earlier run that stopped between switching a row and removing its old file.
  for (;;) {
    const rows = (await db('files').whereNotNull('stale_blob').orderBy('id').limit(batchSize).select(LOCATION_COLUMNS)) as LocationRow[];
    if (!rows.length) break;
    for (const row of rows) result.removed += await removeStale(db, dir, row.id, row.stale_blob!);
  }

  let after = '';
  for (;;) {
    const q = db('files').where('id', '>', after).orderBy('id').limit(batchSize).select(LOCATION_COLUMNS);
    if (opts.plaintextOnly) q.whereNull('key_id');
    else q.where((w) => w.whereNull('key_id').orWhereNot('key_id', ring.currentId));
    const rows = (await q) as LocationRow[];
    if (!rows.length) break;
    after = rows[rows.length - 1].id;
    for (const row of rows) {
      const loc = asLocation(row);
      let plain: Buffer;
      try {
        plain = readVerified(dir, loc, ring);
      } catch (err) {
        const reason = err instanceof FileIntegrityError ? err.reason : (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'its bytes are missing from the file store' : (err as Error).message;
        result.failed.push({ id: row.id, reason });
        log?.error({ fileId: row.id, reason }, 'file not re-encrypted: it fails its integrity check');
        continue;
      }
      const { sealed, keyId } = sealFile(row.id, plain, ring);
      const blob = writeStored(dir, sealed);
      const old = row.blob ?? row.sha256;
      const switched = await db('files')
        .where({ id: row.id })
        .where((w) => (row.key_id === null ? w.whereNull('key_id') : w.where('key_id', row.key_id)))
        .where((w) => (row.blob === null ? w.whereNull('blob') : w.where('blob', row.blob)))
        .update({ blob, key_id: keyId, stale_blob: old });
      if (!switched) {
        // Another run switched it first: our copy is unreferenced.
        fs.rmSync(contentPath(dir, blob), { force: true });
        continue;
      }
      result.reencrypted += 1;
      result.removed += await removeStale(db, dir, row.id, old);
    }
  }
  if (result.reencrypted || result.removed || result.failed.length) log?.info({ ...result, failed: result.failed.length, keyId: ring.currentId }, 'file store re-encrypted');
  return result;
}

/**
 * Removes a file a row no longer uses, unless another row still uses it (a plaintext original is
 * shared by every row of the same content), then clears the row's note. Answers 1 if removed.
 */
async function removeStale(db: Knex, dir: string, id: string, name: string): Promise<number> {
  const stillUsed = await db('files')
    .where((w) => w.where('blob', name).orWhere((legacy) => legacy.whereNull('blob').where('sha256', name)))
    .first('id');
  let removed = 0;
  if (!stillUsed) {
    const file = contentPath(dir, name);
    if (fs.existsSync(file)) {
      fs.rmSync(file, { force: true });
      removed = 1;
    }
  }
  await db('files').where({ id, stale_blob: name }).update({ stale_blob: null });
  return removed;
}

/** How many files are stored under each key id; `(clear)` for files from before encryption (`npm run keys:status`). */
export async function filesByKey(db: Db): Promise<Map<string, number>> {
  const rows = (await db('files').select(db.raw("COALESCE(key_id, '(clear)') AS key_id")).count({ n: '*' }).groupBy('key_id')) as Array<{ key_id: string; n: number | string }>;
  return new Map(rows.map((r) => [r.key_id, Number(r.n)]));
}
