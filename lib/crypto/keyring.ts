import crypto from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';

/**
 * The platform's data keys, kept outside the database (docs/compliance.md, "Keys"). One JSON
 * document, from the file named by DATA_KEYS_FILE or inline in DATA_KEYS:
 *
 *   { "current": "2026a", "keys": { "2025a": "<base64 32 bytes>", "2026a": "<base64 32 bytes>" },
 *     "index": "<base64 32 bytes>" }
 *
 * - `keys` are AES-256-GCM keys by id. New ciphertexts use `current`; older ids stay listed
 *   until `npm run keys:rotate` has re-encrypted everything under the current one.
 * - `index` is the HMAC-SHA-256 key of the blind indexes (equality look-ups on encrypted
 *   columns). Changing it means recomputing every index, which the rotation script also does.
 *
 * Each purpose (a column, files, Temporal payloads) derives its own subkey with HKDF, so a
 * ciphertext of one purpose never decrypts as another's even under the same master key.
 *
 * Outside production, with neither variable set, a fixed development key ring is used so that
 * the API, the workers and the tests of one machine agree without setup; production refuses to
 * start without real keys.
 */
const Key = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
  .transform((v) => Buffer.from(v, 'base64'));
const KeyId = z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'ids are 1–16 letters, digits, - or _');

const KeyRingSchema = z.object({ current: KeyId, keys: z.record(KeyId, Key), index: Key }).refine((k) => k.keys[k.current] !== undefined, { message: 'the current key id is not among the keys', path: ['current'] });

export interface KeyRing {
  /** Id of the key new ciphertexts are made with. */
  readonly currentId: string;
  /** Master keys by id (AES-256-GCM). */
  readonly keys: ReadonlyMap<string, Buffer>;
  /** HMAC key of the blind indexes. */
  readonly indexKey: Buffer;
  /** True for the built-in development ring (never allowed in production). */
  readonly development: boolean;
}

// Public on purpose: it protects nothing, and lets a developer's processes share one ring.
const DEVELOPMENT_RING = {
  current: 'dev1',
  keys: { dev1: crypto.createHash('sha256').update('property-platform development data key 1').digest('base64') },
  index: crypto.createHash('sha256').update('property-platform development index key').digest('base64'),
};

export function parseKeyRing(json: unknown, development = false): KeyRing {
  const parsed = KeyRingSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'key ring'}: ${i.message}`).join('; ');
    throw new Error(`Invalid data key ring: ${problems}`);
  }
  return { currentId: parsed.data.current, keys: new Map(Object.entries(parsed.data.keys)), indexKey: parsed.data.index, development };
}

export interface KeyRingEnv {
  NODE_ENV?: string;
  DATA_KEYS?: string;
  DATA_KEYS_FILE?: string;
}

export function loadKeyRing(env: KeyRingEnv = process.env): KeyRing {
  if (env.DATA_KEYS_FILE) return parseKeyRing(JSON.parse(fs.readFileSync(env.DATA_KEYS_FILE, 'utf8')));
  if (env.DATA_KEYS) return parseKeyRing(JSON.parse(env.DATA_KEYS));
  if (env.NODE_ENV === 'production') throw new Error('DATA_KEYS_FILE (or DATA_KEYS) must be set in production: personal data and files are encrypted with keys kept outside the database (docs/compliance.md)');
  return parseKeyRing(DEVELOPMENT_RING, true);
}

let cached: KeyRing | null = null;

/** The process's key ring, loaded once from the environment. */
export function keyRing(): KeyRing {
  cached ??= loadKeyRing();
  return cached;
}

/** For tests and the rotation script: use this ring from now on (null: load from the environment again). */
export function useKeyRing(ring: KeyRing | null): void {
  cached = ring;
  subkeys = new WeakMap();
}

/** A new random ring document, for `npm run keys:generate` and tests. */
export function generateKeyRingJson(id = 'k1'): { current: string; keys: Record<string, string>; index: string } {
  return { current: id, keys: { [id]: crypto.randomBytes(32).toString('base64') }, index: crypto.randomBytes(32).toString('base64') };
}

// Cached per master key (not per key id): two rings may both call a key "k1".
let subkeys = new WeakMap<Buffer, Map<string, Buffer>>();

/** The AES key of one purpose under one master key (HKDF-SHA-256), cached. */
export function subkey(ring: KeyRing, keyId: string, purpose: string): Buffer {
  const master = ring.keys.get(keyId);
  if (!master) throw new UnknownKeyError(keyId);
  let byPurpose = subkeys.get(master);
  if (!byPurpose) subkeys.set(master, (byPurpose = new Map()));
  let key = byPurpose.get(purpose);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync('sha256', master, Buffer.alloc(0), `psp:${purpose}`, 32));
    byPurpose.set(purpose, key);
  }
  return key;
}

export class UnknownKeyError extends Error {
  constructor(readonly keyId: string) {
    super(`data key "${keyId}" is not in the key ring (was it removed before rotation finished?)`);
  }
}
