import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { keyRing, subkey, type KeyRing } from '../crypto/keyring';

/**
 * File storage on disk, encrypted at rest (docs/encryption.md). The `files` table and who may
 * read a file (`file_links`) are in `db/files.ts`, which is also the only reader of file bytes
 * (`readFileBytes`): nothing else opens the folder's files.
 *
 * Each file is sealed on its own with AES-256-GCM under the key ring's key of the current id,
 * through HKDF with the purpose `files` (`subkey(ring, keyId, 'files')`), a random 96-bit IV, and
 * the file's id as associated data. Why a derived key and not a random data key per file wrapped
 * by the ring key: rotation must make an old key worthless, and with wrapped data keys a rotation
 * would only re-wrap them while the content stayed under the same data key forever (an old
 * backup plus a leaked old key would still open it); re-encrypting 20 MiB files is cheap enough
 * to do properly. The file id as associated data binds the bytes to their row, so swapping two
 * stored files is detected like any other tampering.
 *
 * Naming: a stored file is named by the SHA-256 of its *encrypted* bytes (`<dir>/<aa>/<hash>`),
 * not of its content. Content addressing by plaintext hash would tell anyone who can list the
 * folder which uploads are equal (and confirm a guessed document); the ciphertext hash tells
 * nothing, keeps the folder's layout, and lets the backup check each copy against its name as
 * before (lib/backup). The content's SHA-256 is kept in the row and checked at every read. The
 * same content uploaded twice is stored twice: the cost of not leaking equality.
 *
 * Layout of a sealed file: "PSF1" ‖ key-id length (1 byte) ‖ key id (ASCII) ‖ IV (12) ‖
 * ciphertext ‖ tag (16). The header (magic and key id) is associated data as well.
 *
 * Files written before encryption (rows with no key id) are plaintext named by their content's
 * SHA-256; `rotateFiles` in db/files.ts encrypts them.
 */
export interface StoredFile {
  id: string;
  sha256: string;
  name: string;
  mime: string;
  size: number;
}

export const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const FILES_PURPOSE = 'files';
const MAGIC = Buffer.from('PSF1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored file's bytes do not match their row (tampered or corrupt) or cannot be opened. */
export class FileIntegrityError extends Error {
  readonly code = 'file_integrity_failed';
  constructor(
    readonly fileId: string,
    readonly reason: string,
  ) {
    super(`stored file ${fileId} fails its integrity check: ${reason}`);
  }
}

/** The place of a stored file by its name (the hex SHA-256 of what is on disk). */
export function contentPath(dir: string, name: string): string {
  return path.join(dir, name.slice(0, 2), name);
}

export const sha256Hex = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

function header(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'ascii');
  return Buffer.concat([MAGIC, Buffer.from([id.length]), id]);
}

/** Encrypts a file's content for its row under the ring's current key. */
export function sealFile(fileId: string, plain: Buffer, ring: KeyRing = keyRing()): { sealed: Buffer; keyId: string } {
  const keyId = ring.currentId;
  const head = header(keyId);
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', subkey(ring, keyId, FILES_PURPOSE), iv);
  cipher.setAAD(Buffer.concat([head, Buffer.from(fileId)]));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { sealed: Buffer.concat([head, iv, body, cipher.getAuthTag()]), keyId };
}

/** True when these bytes start like a sealed file. */
export function isSealed(bytes: Buffer): boolean {
  return bytes.length >= MAGIC.length && bytes.subarray(0, MAGIC.length).equals(MAGIC);
}

/** Decrypts a sealed file of this row; any change to the bytes, the header or the id fails. */
export function openFile(fileId: string, sealed: Buffer, ring: KeyRing = keyRing()): Buffer {
  if (!isSealed(sealed) || sealed.length < MAGIC.length + 1) throw new FileIntegrityError(fileId, 'not an encrypted file');
  const idLength = sealed[MAGIC.length];
  const headLength = MAGIC.length + 1 + idLength;
  if (sealed.length < headLength + IV_BYTES + TAG_BYTES) throw new FileIntegrityError(fileId, 'truncated');
  const head = sealed.subarray(0, headLength);
  const keyId = head.subarray(MAGIC.length + 1).toString('ascii');
  let key: Buffer;
  try {
    key = subkey(ring, keyId, FILES_PURPOSE);
  } catch (err) {
    throw new FileIntegrityError(fileId, (err as Error).message);
  }
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(headLength, headLength + IV_BYTES));
  decipher.setAAD(Buffer.concat([head, Buffer.from(fileId)]));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(headLength + IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new FileIntegrityError(fileId, 'the encrypted bytes were changed (authentication failed)');
  }
}

/**
 * Writes bytes under their own SHA-256 (once: a name already there holds the same bytes) and
 * answers that name. Written to a temporary name, flushed, and renamed into place, so a crash
 * never leaves half a file under a final name, and the row naming it is written only after.
 */
export function writeStored(dir: string, bytes: Buffer): string {
  const name = sha256Hex(bytes);
  const target = contentPath(dir, name);
  if (!fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  }
  return name;
}

/** Where a row's bytes are and how they are kept. `blob`/`keyId` null: a plaintext file from before encryption. */
export interface StoredLocation {
  id: string;
  sha256: string;
  size: number;
  blob: string | null;
  keyId: string | null;
}

/**
 * Reads and decrypts a row's file and checks it: the stored bytes against their name, the
 * decrypted content against the row's SHA-256 and size. Throws FileIntegrityError on any
 * mismatch, and lets ENOENT through (a missing file is not a tampered one). Only `readFileBytes`
 * in db/files.ts and the rotation call this.
 */
export function readVerified(dir: string, loc: StoredLocation, ring: KeyRing = keyRing()): Buffer {
  const name = loc.blob ?? loc.sha256;
  const stored = fs.readFileSync(contentPath(dir, name));
  if (sha256Hex(stored) !== name) throw new FileIntegrityError(loc.id, 'the stored bytes do not match their name');
  const plain = loc.blob ? openFile(loc.id, stored, ring) : stored;
  if (plain.length !== loc.size) throw new FileIntegrityError(loc.id, `the content has ${plain.length} bytes, the record says ${loc.size}`);
  if (sha256Hex(plain) !== loc.sha256) throw new FileIntegrityError(loc.id, 'the content does not match its recorded SHA-256');
  return plain;
}
