import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * File storage on disk: content-addressed bytes under a folder (`<dir>/<aa>/<sha256>`). The
 * `files` table and who may read a file (`file_links`) are in `db/files.ts`. Bytes are written to
 * a temporary name and renamed into place before the row is inserted, so a crash never leaves a
 * row pointing at half a file.
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

/**
 * Writes bytes to their content-addressed place (once: the same bytes are stored once) and
 * answers their SHA-256. The row that names them is written by `saveFile` in `db/files.ts`.
 */
export function writeContent(dir: string, bytes: Buffer): string {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const target = contentPath(dir, sha256);
  if (!fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, bytes);
    fs.renameSync(temp, target);
  }
  return sha256;
}
