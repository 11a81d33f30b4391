import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseKeyRing } from './keyring';

/**
 * Editing the key ring document (DATA_KEYS_FILE) for `npm run keys:*` (docs/encryption.md):
 * a new key becomes current while the old ones stay for decryption; a key is retired only once
 * nothing is encrypted under it any more. The file is written atomically with mode 0600.
 */
export interface KeyRingDocument {
  current: string;
  keys: Record<string, string>;
  index: string;
}

export function readRingFile(file: string): KeyRingDocument {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyRingDocument;
  parseKeyRing(doc); // refuses a malformed file before anything is changed
  return doc;
}

export function writeRingFile(file: string, doc: KeyRingDocument): void {
  parseKeyRing(doc);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
}

/** A new random key under `id`, made current; the previous keys stay so old ciphertexts still decrypt. */
export function addKey(doc: KeyRingDocument, id: string): KeyRingDocument {
  if (doc.keys[id]) throw new Error(`key id "${id}" is already in the ring; choose a new one (e.g. the year and a letter: 2027a)`);
  return { ...doc, current: id, keys: { ...doc.keys, [id]: crypto.randomBytes(32).toString('base64') } };
}

/** Removes a key that is not current; the caller checks first that nothing is encrypted under it. */
export function retireKey(doc: KeyRingDocument, id: string): KeyRingDocument {
  if (!doc.keys[id]) throw new Error(`key id "${id}" is not in the ring`);
  if (doc.current === id) throw new Error(`key "${id}" is the current key; add a new key and rotate before retiring it`);
  const keys = { ...doc.keys };
  delete keys[id];
  return { ...doc, keys };
}
