import crypto from 'node:crypto';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { keyRing, subkey, type KeyRing } from '../crypto/keyring';

/**
 * Encryption of everything the platform hands to Temporal (workflow inputs such as application
 * forms, activity arguments and results, update and query payloads, signals, schedule actions),
 * so that workflow histories are unreadable on the Temporal server, in its database, its backups
 * and its web UI (docs/encryption.md).
 *
 * An encrypted payload is `{ metadata: { encoding: "binary/encrypted", "encryption-key-id": <id> },
 * data: iv ‖ AES-256-GCM(serialised original Payload) ‖ tag }`. The whole original payload (its
 * metadata too: `json/plain`, a message type name) is what gets encrypted. The key is the key
 * ring's master key of that id through HKDF with the purpose `temporal.payloads`, so a payload
 * key never equals a column's or the files' key.
 *
 * Decoding passes through every payload that is not `binary/encrypted`: histories recorded before
 * encryption (tests/replay-histories, cases started before the upgrade) keep replaying, and a
 * payload the server itself wrote stays readable. An encrypted payload under a key id the ring
 * no longer has fails loudly (UnknownKeyError): an old key may leave the ring only after every
 * workflow that used it has closed and passed the namespace's retention.
 *
 * Failure messages and stack traces are moved into an encoded (so encrypted) payload by the
 * failure converter (lib/temporal/failure-converter.ts); workflow bundles built ahead of time
 * must name it too (`WORKFLOW_BUNDLE_OPTIONS`).
 *
 * What is NOT encrypted, by Temporal's design: search attributes, memo, workflow and activity
 * ids and types, update, signal and query names, task queue names, timer durations.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const PURPOSE = 'temporal.payloads';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function metadataText(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? decoder.decode(value) : undefined;
}

export class EncryptionCodec implements PayloadCodec {
  /** @param ring a fixed ring (tests); without one, the process's ring is looked up at each call, so `useKeyRing` takes effect. */
  constructor(private readonly ring?: KeyRing) {}

  private get keys(): KeyRing {
    return this.ring ?? keyRing();
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const ring = this.keys;
    const key = subkey(ring, ring.currentId, PURPOSE);
    return payloads.map((payload) => {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated too: relabelling a payload with another id fails to decrypt.
      cipher.setAAD(Buffer.from(ring.currentId));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(ring.currentId) },
        data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (metadataText(payload, METADATA_ENCODING_KEY) !== ENCRYPTED_ENCODING) return payload;
      const keyId = metadataText(payload, KEY_ID_METADATA);
      if (!keyId) throw new Error(`an encrypted Temporal payload carries no ${KEY_ID_METADATA}`);
      const raw = Buffer.from(payload.data ?? new Uint8Array());
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('an encrypted Temporal payload is truncated');
      const decipher = crypto.createDecipheriv('aes-256-gcm', subkey(this.keys, keyId, PURPOSE), raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

/** True when a payload (as stored in a history) is one of ours, encrypted. */
export function isEncryptedPayload(payload: Payload): boolean {
  return metadataText(payload, METADATA_ENCODING_KEY) === ENCRYPTED_ENCODING;
}

let shared: EncryptionCodec | null = null;

export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** For `bundleWorkflowCode`: a bundle built ahead of time must carry the same failure converter. */
export const WORKFLOW_BUNDLE_OPTIONS = { failureConverterPath: FAILURE_CONVERTER_PATH } as const;

/**
 * The one data converter of every Temporal Client and Worker of the platform (API, workers,
 * schedules, scripts, tests): JSON payloads, encrypted; failures' messages encrypted too. Codecs
 * run outside the workflow sandbox (no bundle change for them); the failure converter runs in it.
 */
export function dataConverter(): DataConverter {
  shared ??= new EncryptionCodec();
  return { payloadCodecs: [shared], failureConverterPath: FAILURE_CONVERTER_PATH };
}
