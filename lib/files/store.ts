import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

/**
 * File storage: content-addressed bytes under a folder (`<dir>/<aa>/<sha256>`), metadata in the
 * `files` table. Bytes are written to a temporary name and renamed into place before the row is
 * inserted, so a crash never leaves a row pointing at half a file.
 */
export interface StoredFile {
  id: string;
  sha256: string;
  name: string;
  mime: string;
  size: number;
}

export const MAX_FILE_BYTES = 20 * 1024 * 1024;

export function contentPath(dir: string, sha256: string): string {
  return path.join(dir, sha256.slice(0, 2), sha256);
}

export async function saveFile(
  db: Knex | Knex.Transaction,
  dir: string,
  input: { name: string; mime: string; bytes: Buffer; uploadedBy: number | null; source?: string; id?: string },
): Promise<StoredFile> {
  const sha256 = crypto.createHash('sha256').update(input.bytes).digest('hex');
  const target = contentPath(dir, sha256);
  if (!fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, input.bytes);
    fs.renameSync(temp, target);
  }
  const row = { id: input.id ?? crypto.randomUUID(), sha256, name: input.name, mime: input.mime, size: input.bytes.length };
  // A caller-chosen id makes the save idempotent (an activity retried writes no second row).
  await db('files')
    .insert({ ...row, uploaded_by: input.uploadedBy, source: input.source ?? 'upload' })
    .onConflict('id')
    .ignore();
  return row;
}

export async function findFile(db: Knex, id: string): Promise<StoredFile | null> {
  const row = (await db('files').where('id', id).first('id', 'sha256', 'name', 'mime', 'size')) as StoredFile | undefined;
  return row ? { ...row, size: Number(row.size) } : null;
}
