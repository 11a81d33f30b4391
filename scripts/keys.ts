import pino from 'pino';
import { filesDirOf, loadConfig } from '../lib/config';
import { decryptField, encryptField, keyIdOf } from '../lib/crypto/fields';
import { generateKeyRingJson, keyRing } from '../lib/crypto/keyring';
import { addKey, readRingFile, retireKey, writeRingFile } from '../lib/crypto/ring-file';
import { TOTP_SECRET_PURPOSE } from '../lib/second-factor';
import { rotateTotpSecrets, totpSecretsByKey } from '../db/accounts';
import { createDb } from '../db/connection';
import { filesByKey, rotateFiles } from '../db/files';
import { chainRowsByKey } from '../db/operation-log';
import { registryFieldsByKey, rotateRegistryFields } from '../db/registries/pii-rotation';

/**
 * `npm run keys -- <command>`: the data key ring's life cycle (docs/encryption.md, "Key rotation").
 *
 *   generate [id]  print a new random ring (JSON) to put in DATA_KEYS_FILE
 *   add <id>       add a new random key to DATA_KEYS_FILE and make it current (old keys stay)
 *   rotate         re-encrypt under the current key: registry personal fields, TOTP secrets, files
 *   status         what is encrypted (or chained) under each key id
 *   retire <id>    remove a key from DATA_KEYS_FILE, refused while anything still uses it
 *
 * Exit status 0 on success, 1 when rotation left files it could not re-encrypt or a retire was
 * refused, 2 on a usage or configuration error.
 */
type Usage = Record<string, Map<string, number>>;

async function usage(): Promise<Usage> {
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL, { min: 0, max: 1 });
  try {
    return {
      'registry personal fields': await registryFieldsByKey(db),
      'TOTP secrets': await totpSecretsByKey(db),
      files: await filesByKey(db),
      'operation-log chain rows': await chainRowsByKey(db),
    };
  } finally {
    await db.destroy();
  }
}

function printUsage(report: Usage): void {
  for (const [what, counts] of Object.entries(report)) {
    const parts = [...counts.entries()].map(([id, n]) => `${id}: ${n}`);
    console.log(`${what.padEnd(26)} ${parts.length ? parts.join(', ') : 'none'}`);
  }
}

async function rotate(): Promise<number> {
  const config = loadConfig();
  const ring = keyRing();
  const log = pino({ level: config.LOG_LEVEL });
  const db = createDb(config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL, { min: 0, max: 2 });
  try {
    console.log(`[keys] current key: ${ring.currentId}`);
    for (const r of await rotateRegistryFields(db, (m) => log.info(m), ring)) {
      console.log(`[keys] ${r.table}: ${r.scanned} rows scanned, ${r.reencrypted} re-encrypted, ${r.reindexed} re-indexed`);
    }
    const totp = await rotateTotpSecrets(db, (stored) => (keyIdOf(stored) === ring.currentId ? null : encryptField(TOTP_SECRET_PURPOSE, decryptField(TOTP_SECRET_PURPOSE, stored, ring), ring)));
    console.log(`[keys] TOTP secrets: ${totp} re-encrypted`);
    const files = await rotateFiles(db, filesDirOf(config), log, { ring });
    console.log(`[keys] files: ${files.reencrypted} re-encrypted, ${files.removed} old copies removed, ${files.failed.length} failed their check`);
    for (const f of files.failed) console.error(`[keys]   file ${f.id}: ${f.reason}`);
    console.log('[keys] Temporal payloads are not rewritten (histories are immutable): keep the old key until its workflows have closed and passed retention');
    return files.failed.length ? 1 : 0;
  } finally {
    await db.destroy();
  }
}

async function retire(id: string, file: string): Promise<number> {
  const report = await usage();
  const users = Object.entries(report).filter(([, counts]) => (counts.get(id) ?? 0) > 0);
  if (users.length) {
    console.error(`[keys] key "${id}" is still in use, not retired:`);
    for (const [what, counts] of users) console.error(`[keys]   ${what}: ${counts.get(id)}`);
    console.error('[keys] run `npm run keys -- rotate` first; operation-log rows stay chained under their key until archived and deleted');
    return 1;
  }
  writeRingFile(file, retireKey(readRingFile(file), id));
  console.log(`[keys] key "${id}" removed from ${file}. Keep a copy offline while backups or Temporal histories made under it are kept (docs/encryption.md)`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, arg] = argv;
  const file = process.env.DATA_KEYS_FILE;
  const needFile = () => {
    if (!file) throw new UsageError('DATA_KEYS_FILE must name the key ring file to change');
    return file;
  };
  const needId = () => {
    if (!arg) throw new UsageError(`${command} needs a key id, e.g. \`npm run keys -- ${command} 2027a\``);
    return arg;
  };
  switch (command) {
    case 'generate':
      console.log(JSON.stringify(generateKeyRingJson(arg ?? 'k1'), null, 2));
      return 0;
    case 'add': {
      const target = needFile();
      writeRingFile(target, addKey(readRingFile(target), needId()));
      console.log(`[keys] key "${arg}" added to ${target} and made current. Deploy the file to every process (API, both workers), restart them, then run \`npm run keys -- rotate\``);
      return 0;
    }
    case 'rotate':
      return rotate();
    case 'status':
      console.log(`[keys] current key: ${keyRing().currentId}`);
      printUsage(await usage());
      return 0;
    case 'retire':
      return retire(needId(), needFile());
    default:
      throw new UsageError('usage: npm run keys -- generate [id] | add <id> | rotate | status | retire <id>');
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[keys] ${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
