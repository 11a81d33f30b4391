import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
import { readFileBytes, saveFile } from '../../db/files';
import { insertOperation } from '../../db/operation-log';
import { STAFF_ID_NUMBER } from '../../db/registries/pii';
import { decryptField, keyIdOf } from '../../lib/crypto/fields';
import { keyRing, parseKeyRing } from '../../lib/crypto/keyring';
import { readRingFile } from '../../lib/crypto/ring-file';
import { TOTP_SECRET_PURPOSE } from '../../lib/second-factor';
import { freshTestDatabase } from '../helpers/db';

/**
 * `npm run keys` end to end on a seeded database (docs/encryption.md, "Key rotation"): a new key
 * is added and made current, `rotate` moves the registry fields, the TOTP secrets and the files
 * under it (a second run changes nothing), `status` says what each key still holds, and `retire`
 * refuses a key that anything still needs, here the operation log's chain.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

describe('npm run keys', () => {
  let db: Knex;
  let url: string;
  let work: string;
  let ringFile: string;
  let filesDir: string;
  const content = Buffer.from('物业服务合同 — a document under the development key');

  async function keys(...args: string[]): Promise<{ code: number; out: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/keys.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: url, DATA_KEYS_FILE: ringFile, FILES_DIR: filesDir, LOG_LEVEL: 'warn' },
      });
      return { code: 0, out: stdout + stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  }

  beforeAll(async () => {
    ({ db, url } = await freshTestDatabase({ suffix: '_keys' }));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-keys-'));
    filesDir = path.join(work, 'files');
    // The ring the demo data was encrypted with (the development ring), as a file.
    const dev = keyRing();
    ringFile = path.join(work, 'ring.json');
    fs.writeFileSync(ringFile, JSON.stringify({ current: dev.currentId, keys: Object.fromEntries([...dev.keys].map(([id, k]) => [id, k.toString('base64')])), index: dev.indexKey.toString('base64') }));
    await saveFile(db, filesDir, { name: 'contract.txt', mime: 'text/plain', bytes: content, uploadedBy: null, id: 'keys-test-file' });
    await insertOperation(db, {
      user_id: null,
      username: 'system',
      role: null,
      organisation_id: null,
      ip: '127.0.0.1',
      method: 'CLI',
      path: 'keys',
      action: 'keys.test',
      target_type: null,
      target_id: null,
      result: 'ok',
      status: 200,
      request_id: null,
      detail: null,
    });
  });

  afterAll(async () => {
    await db.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('adds a key, rotates everything under it, and refuses to retire a key still in use', async () => {
    const before = await keys('status');
    expect(before.code).toBe(0);
    expect(before.out).toMatch(/registry personal fields\s+dev1: \d+/);
    expect(before.out).toMatch(/files\s+dev1: 1/);

    expect((await keys('add')).code).toBe(2); // no id
    const added = await keys('add', '2027a');
    expect(added.code).toBe(0);
    const doc = readRingFile(ringFile);
    expect(doc.current).toBe('2027a');
    expect(Object.keys(doc.keys).sort()).toEqual(['2027a', 'dev1']);
    expect(fs.statSync(ringFile).mode & 0o777).toBe(0o600);

    const rotated = await keys('rotate');
    expect(rotated.code).toBe(0);
    expect(rotated.out).toMatch(/enterprise_staff: \d+ rows scanned, [1-9]\d* re-encrypted/);
    expect(rotated.out).toMatch(/TOTP secrets: [1-9]\d* re-encrypted/);
    expect(rotated.out).toMatch(/files: 1 re-encrypted/);

    const again = await keys('rotate');
    expect(again.out).toMatch(/enterprise_staff: \d+ rows scanned, 0 re-encrypted/);
    expect(again.out).toMatch(/TOTP secrets: 0 re-encrypted/);
    expect(again.out).toMatch(/files: 0 re-encrypted/);

    // Everything opens with the new key alone.
    const only2027 = parseKeyRing({ current: '2027a', keys: { '2027a': doc.keys['2027a'] }, index: doc.index });
    const staff = (await db('enterprise_staff').whereNotNull('id_number').first('id_number')) as { id_number: string };
    expect(keyIdOf(staff.id_number)).toBe('2027a');
    expect(decryptField(STAFF_ID_NUMBER.purpose, staff.id_number, only2027)).toMatch(/^\d{17}[\dX]$/);
    const admin = (await db('users').whereNotNull('totp_secret').first('totp_secret')) as { totp_secret: string };
    expect(decryptField(TOTP_SECRET_PURPOSE, admin.totp_secret, only2027)).toMatch(/^[A-Z2-7]+$/);
    expect(await readFileBytes(db, filesDir, 'keys-test-file', only2027)).toEqual(content);

    const status = await keys('status');
    expect(status.out).toMatch(/registry personal fields\s+2027a: \d+\n/);
    expect(status.out).toMatch(/operation-log chain rows\s+dev1: 1/);

    // The log row written under dev1 still needs dev1 to verify: the key stays.
    const refused = await keys('retire', 'dev1');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/still in use[\s\S]*operation-log chain rows: 1/);
    expect(Object.keys(readRingFile(ringFile).keys)).toContain('dev1');
    // The current key is never retired.
    expect((await keys('retire', '2027a')).code).toBe(1);
  });
});
