import crypto from 'node:crypto';
import { keyRing, subkey, type KeyRing } from './keyring';

/**
 * Field-level encryption of personal data (ID numbers, phones) with AES-256-GCM, and the blind
 * index that keeps equality look-ups (double registration, search by exact number) working.
 *
 * A ciphertext is text: `e1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>`. The purpose (e.g.
 * `property_staff.id_number`) is both the HKDF label of the key and the GCM associated data, so
 * a value copied into another column does not decrypt there.
 */
const PREFIX = 'e1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function isEncrypted(value: string): boolean {
  return value.startsWith(`${PREFIX}.`);
}

export function encryptField(purpose: string, plain: string, ring: KeyRing = keyRing()): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', subkey(ring, ring.currentId, purpose), iv);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${PREFIX}.${ring.currentId}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

export function decryptField(purpose: string, stored: string, ring: KeyRing = keyRing()): string {
  const [prefix, keyId, data] = stored.split('.');
  if (prefix !== PREFIX || !keyId || !data) throw new Error(`not an encrypted field value (${purpose})`);
  const raw = Buffer.from(data, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error(`truncated encrypted field value (${purpose})`);
  const decipher = crypto.createDecipheriv('aes-256-gcm', subkey(ring, keyId, purpose), raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(purpose));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
}

/** The key id a stored value was encrypted under (to find what rotation still has to do). */
export function keyIdOf(stored: string): string | null {
  const [prefix, keyId] = stored.split('.');
  return prefix === PREFIX && keyId ? keyId : null;
}

/**
 * The blind index of a value: HMAC-SHA-256 under the ring's index key and the purpose, hex, 64
 * characters. Callers normalise first (trim, upper-case the ID number's X) so that equal
 * numbers give equal indexes.
 */
export function blindIndex(purpose: string, normalised: string, ring: KeyRing = keyRing()): string {
  return crypto.createHmac('sha256', ring.indexKey).update(purpose).update('\u0000').update(normalised).digest('hex');
}
