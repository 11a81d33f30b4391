import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type TestAgent from 'supertest/lib/agent';
import { readFileBytes, rotateFiles, saveFile } from '../../db/files';
import { generateKeyRingJson, keyRing, parseKeyRing, useKeyRing } from '../../lib/crypto/keyring';
import { contentPath, FileIntegrityError, isSealed } from '../../lib/files/store';
import { listStoredFiles } from '../../lib/backup/common';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

/**
 * Files encrypted at rest (docs/encryption.md), on the real API and MariaDB: what lies on disk,
 * what a download answers, a tampered file refused, files from before encryption encrypted, and
 * key rotation.
 */
describe('files encrypted at rest', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  let ent: TestAgent;
  let filesDir: string;
  const KNOWN = '业主委员会成立备案材料：张三丰 身份证 32050819900101123X 电话 13912345678';

  /** Every file in the store, raw. */
  const rawFiles = () => listStoredFiles(filesDir).map((rel) => fs.readFileSync(path.join(filesDir, rel)));
  const rowOf = async (id: string) => (await db('files').where({ id }).first('blob', 'key_id', 'stale_blob', 'sha256')) as { blob: string | null; key_id: string | null; stale_blob: string | null; sha256: string };
  const upload = async (name: string, body: string | Buffer, type = 'text/plain') => {
    const res = await ent.post('/api/files').query({ name }).set('content-type', type).send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; sha256: string; size: number };
  };
  const download = (id: string) =>
    ent
      .get(`/api/files/${id}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-enc-files-'));
    const t = testApp(db, { config: { FILES_DIR: filesDir } });
    app = t.app;
    close = () => t.temporal.close();
    ent = await signIn(app, 'dongwu.ent');
  });
  afterAll(async () => {
    useKeyRing(null);
    await close?.();
    await db?.destroy();
    fs.rmSync(filesDir, { recursive: true, force: true });
  });

  it('keeps no plaintext on disk, and a download gives the exact bytes back', async () => {
    const text = await upload('备案材料.txt', KNOWN);
    const binary = crypto.randomBytes(64 * 1024);
    const bin = await upload('scan.bin', binary, 'application/octet-stream');

    const row = await rowOf(text.id);
    expect(row.key_id).toBe(keyRing().currentId);
    const raw = fs.readFileSync(contentPath(filesDir, row.blob!));
    expect(isSealed(raw)).toBe(true);
    // No file in the store holds the text, any part of it, or the binary's bytes.
    for (const stored of rawFiles()) {
      expect(stored.includes(Buffer.from(KNOWN))).toBe(false);
      for (const part of ['张三丰', '32050819900101123X', '13912345678', '备案材料']) expect(stored.includes(Buffer.from(part))).toBe(false);
      expect(stored.includes(binary.subarray(0, 32))).toBe(false);
    }
    // Not named by the content's hash either (that would tell equal files apart).
    expect(fs.existsSync(contentPath(filesDir, text.sha256))).toBe(false);

    const got = await download(text.id);
    expect(got.status).toBe(200);
    expect((got.body as Buffer).toString('utf8')).toBe(KNOWN);
    const gotBin = await download(bin.id);
    expect(Buffer.compare(gotBin.body as Buffer, binary)).toBe(0);
    expect(gotBin.headers['content-length']).toBe(String(binary.length));
  });

  it('refuses a file changed on disk, with a clear code, an error in the operation log, and serves no byte of it', async () => {
    const f = await upload('tampered.txt', KNOWN);
    const file = contentPath(filesDir, (await rowOf(f.id)).blob!);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 40] ^= 0x01;
    fs.writeFileSync(file, bytes);

    const res = await ent.get(`/api/files/${f.id}`);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('file_integrity_failed');
    expect(res.text).not.toContain('张三丰');
    const logged = await db('operation_log').where({ action: 'files.download', target_type: 'file', target_id: f.id }).orderBy('id', 'desc').first('result', 'status', 'detail');
    expect(logged).toMatchObject({ result: 'failed', status: 500 });
    expect(JSON.stringify(logged.detail)).toContain('file_integrity_failed');
    await expect(readFileBytes(db, filesDir, f.id)).rejects.toBeInstanceOf(FileIntegrityError);
  });

  it('refuses a row pointed at another file’s bytes, even ones that decrypt', async () => {
    const a = await upload('a.txt', 'content of a');
    const b = await upload('b.txt', 'content of b');
    // Someone with write access to the table makes a's row name b's encrypted bytes.
    await db('files')
      .where({ id: a.id })
      .update({ blob: (await rowOf(b.id)).blob });
    const res = await ent.get(`/api/files/${a.id}`);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('file_integrity_failed');
    // A missing file is refused the same way (never an empty 200).
    fs.rmSync(contentPath(filesDir, (await rowOf(b.id)).blob!));
    expect((await ent.get(`/api/files/${b.id}`)).body.error.code).toBe('file_integrity_failed');
  });

  it('encrypts the files stored in plaintext before, shared ones included, and finishes a run that stopped halfway', async () => {
    // Two rows of one content and one of another, stored the old way: plaintext under the content's SHA-256.
    const legacy = async (content: string) => {
      const bytes = Buffer.from(content);
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      fs.mkdirSync(path.dirname(contentPath(filesDir, sha256)), { recursive: true });
      fs.writeFileSync(contentPath(filesDir, sha256), bytes);
      const id = crypto.randomUUID();
      const user = await db('users').where({ username: 'dongwu.ent' }).first('id');
      await db('files').insert({ id, sha256, name: 'old.txt', mime: 'text/plain', size: bytes.length, uploaded_by: user.id, source: 'upload' });
      return { id, sha256 };
    };
    const one = await legacy(`${KNOWN} (一)`);
    const twin = await legacy(`${KNOWN} (一)`);
    const other = await legacy(`${KNOWN} (二)`);
    // Readable (and checked) before it is encrypted.
    expect((await download(one.id)).status).toBe(200);

    const result = await rotateFiles(db, filesDir, undefined, { plaintextOnly: true, batchSize: 2 });
    expect(result.reencrypted).toBe(3);
    expect(result.failed).toEqual([]);
    expect(result.removed).toBe(2); // two plaintext files (the shared one once)
    for (const f of [one, twin, other]) {
      const row = await rowOf(f.id);
      expect(row).toMatchObject({ key_id: keyRing().currentId, stale_blob: null });
      expect(fs.existsSync(contentPath(filesDir, f.sha256))).toBe(false);
      expect((await download(f.id)).body.toString('utf8')).toContain(KNOWN);
    }
    for (const stored of rawFiles()) expect(stored.includes(Buffer.from('张三丰'))).toBe(false);
    // Again: nothing to do.
    expect(await rotateFiles(db, filesDir, undefined, { plaintextOnly: true })).toEqual({ reencrypted: 0, failed: [], removed: 0 });

    // A run that died after switching a row and before removing its plaintext leaves a note; the next run removes it.
    const crashed = await legacy(`${KNOWN} (三)`);
    const leftover = Buffer.from(fs.readFileSync(contentPath(filesDir, crashed.sha256)));
    await rotateFiles(db, filesDir, undefined, { plaintextOnly: true });
    fs.writeFileSync(contentPath(filesDir, crashed.sha256), leftover);
    await db('files').where({ id: crashed.id }).update({ stale_blob: crashed.sha256 });
    const resumed = await rotateFiles(db, filesDir, undefined, { plaintextOnly: true });
    expect(resumed).toMatchObject({ reencrypted: 0, removed: 1 });
    expect(fs.existsSync(contentPath(filesDir, crashed.sha256))).toBe(false);
    expect((await rowOf(crashed.id)).stale_blob).toBeNull();
  });

  it('rotates every file to the current key in batches, idempotently, and old keys can then go', async () => {
    const before = keyRing();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await upload(`r${i}.txt`, `${KNOWN} #${i}`)).id);
    const oldBlobs = await Promise.all(ids.map(async (id) => (await rowOf(id)).blob!));

    // A new current key k2 beside the old one (what `npm run keys:rotate` is given).
    const k2 = generateKeyRingJson('k2');
    const both = parseKeyRing({ current: 'k2', keys: { ...Object.fromEntries([...before.keys].map(([id, key]) => [id, key.toString('base64')])), ...k2.keys }, index: before.indexKey.toString('base64') });
    useKeyRing(both);
    // Files under the old key stay readable meanwhile.
    expect((await download(ids[0])).body.toString('utf8')).toBe(`${KNOWN} #0`);

    const log = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const first = await rotateFiles(db, filesDir, log, { batchSize: 2 });
    // The files refused by the tamper tests above are not rewritten: they stay refused.
    expect(first.failed.map((f) => f.reason).every((r) => typeof r === 'string')).toBe(true);
    expect(first.failed.length).toBe(3);
    expect(log.error).toHaveBeenCalledTimes(3);
    expect(first.reencrypted).toBeGreaterThanOrEqual(ids.length);
    for (const [i, id] of ids.entries()) {
      const row = await rowOf(id);
      expect(row).toMatchObject({ key_id: 'k2', stale_blob: null });
      expect(fs.existsSync(contentPath(filesDir, oldBlobs[i]))).toBe(false);
    }
    const second = await rotateFiles(db, filesDir, undefined, { batchSize: 2 });
    expect(second.reencrypted).toBe(0);
    expect(second.removed).toBe(0);

    // Once rotation is done, the old key may leave the ring: every good file still reads.
    useKeyRing(parseKeyRing({ current: 'k2', keys: k2.keys, index: before.indexKey.toString('base64') }));
    for (const [i, id] of ids.entries()) expect((await download(id)).body.toString('utf8')).toBe(`${KNOWN} #${i}`);
    const generated = await saveFile(db, filesDir, { id: crypto.randomUUID(), name: 'doc.pdf', mime: 'application/pdf', bytes: Buffer.from('%PDF-1.7 k2'), uploadedBy: null, source: 'approval' });
    expect((await rowOf(generated.id)).key_id).toBe('k2');
    // Saving with the same id again (a retried activity) writes neither a second row nor a second file.
    const count = listStoredFiles(filesDir).length;
    await saveFile(db, filesDir, { id: generated.id, name: 'doc.pdf', mime: 'application/pdf', bytes: Buffer.from('%PDF-1.7 k2'), uploadedBy: null, source: 'approval' });
    expect(listStoredFiles(filesDir).length).toBe(count);
  });
});
