import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { archiveFileName, archiveOperationLog, verifyArchiveFile } from '../../lib/audit/archive';
import { insertOperation, listOperationArchives, verifyOperationChain, type OperationRow } from '../../db/operation-log';
import { freshTestDatabase } from '../helpers/db';

/**
 * Monthly archives and retention of the operation log (lib/audit/archive.ts) on a real MariaDB:
 * complete months are written to verifiable files, and only archived rows older than the
 * retention leave the database — the trigger refuses any other delete, even root's.
 */
const DAY = 86_400_000;
const monthOf = (d: Date) => d.toISOString().slice(0, 7);
const row = (action: string): OperationRow => ({
  user_id: 7,
  username: 'auditor',
  role: 'audit_admin',
  organisation_id: 1,
  ip: '10.1.1.1',
  method: 'GET',
  path: '/api/operation-logs',
  action,
  target_type: null,
  target_id: null,
  result: 'ok',
  status: 200,
  request_id: null,
  detail: JSON.stringify({ action }),
});

describe('operation log archives and retention', () => {
  let db: Knex;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-audit-archive-'));
  const now = new Date();
  // Month A ends well before the 180-day cutoff; month B is complete but within the retention.
  const inA = new Date(now.getTime() - 260 * DAY);
  const inB = new Date(now.getTime() - 100 * DAY);
  const monthA = monthOf(inA);
  const monthB = monthOf(inB);

  beforeAll(async () => {
    ({ db } = await freshTestDatabase({ seed: false, suffix: '_archive' }));
    for (let i = 0; i < 5; i++) await insertOperation(db, { ...row(`a.${i}`), at: new Date(inA.getTime() + i * 60_000) });
    for (let i = 0; i < 3; i++) await insertOperation(db, { ...row(`b.${i}`), at: new Date(inB.getTime() + i * 60_000) });
    for (let i = 0; i < 2; i++) await insertOperation(db, row(`now.${i}`));
  });
  afterAll(async () => {
    await db?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a retention shorter than 180 days', async () => {
    await expect(archiveOperationLog(db, { dir, retentionDays: 90 })).rejects.toThrow(/180 days/);
  });

  it('the trigger refuses deleting rows that are in no archive, even old ones', async () => {
    await expect(db('operation_log').where('action', 'a.0').delete()).rejects.toThrow(/only archived rows older than 180 days/);
    await expect(db('operation_log').where('action', 'now.0').delete()).rejects.toThrow(/append-only/);
  });

  it('archives complete months to verifiable files and deletes only archived rows past the retention', async () => {
    const report = await archiveOperationLog(db, { dir, retentionDays: 180, now });
    expect(report.archived.map((a) => [a.month, a.rows])).toEqual([
      [monthA, 5],
      [monthB, 3],
    ]);
    expect(report.deleted).toEqual([{ month: monthA, rows: 5 }]);
    expect(report.kept).toEqual([{ month: monthB, reason: expect.stringMatching(/retention/) }]);

    // Month A is gone from the database, B and the current month stay.
    const left = await db('operation_log').orderBy('chain_seq').pluck('action');
    expect(left).toEqual(['b.0', 'b.1', 'b.2', 'now.0', 'now.1']);
    // The chain still verifies: its start is the deleted archive's recorded last MAC.
    expect(await verifyOperationChain(db)).toMatchObject({ ok: true, rows: 5, firstSeq: 6, lastSeq: 10 });

    // Each file verifies against its record: hash, boundaries, every MAC; and the boundaries link up.
    const archives = await listOperationArchives(db);
    expect(archives.map((a) => [a.month, Number(a.first_seq), Number(a.last_seq), a.deleted_at !== null])).toEqual([
      [monthA, 1, 5, true],
      [monthB, 6, 8, false],
    ]);
    expect(archives[1].prev_hmac).toBe(archives[0].last_hmac);
    for (const a of archives) {
      const file = path.join(dir, archiveFileName(a.month));
      expect(await verifyArchiveFile(file, undefined, a)).toMatchObject({ ok: true, header: { month: a.month, rows: a.row_count } });
      expect(fs.readFileSync(`${file}.sha256`, 'utf8')).toBe(`${a.sha256}  ${path.basename(file)}\n`);
    }
    const lines = zlib
      .gunzipSync(fs.readFileSync(path.join(dir, archiveFileName(monthA))))
      .toString('utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(7); // header, five rows, trailer
    expect(JSON.parse(lines[1])).toMatchObject({ action: 'a.0', chain_seq: 1, detail: '{"action":"a.0"}' });

    // A second run has nothing new to archive and keeps B (still within the retention).
    const again = await archiveOperationLog(db, { dir, retentionDays: 180, now });
    expect(again.archived).toEqual([]);
    expect(again.deleted).toEqual([]);
    // Archived but younger than 180 days: the trigger still refuses.
    await expect(db('operation_log').where('action', 'b.0').delete()).rejects.toThrow(/only archived rows older than 180 days/);
  });

  it('detects a tampered archive file and then deletes nothing', async () => {
    const [, b] = await listOperationArchives(db);
    const file = path.join(dir, archiveFileName(b.month));
    const original = fs.readFileSync(file);
    const lines = zlib.gunzipSync(original).toString('utf8').split('\n');
    lines[2] = lines[2].replace('"b.1"', '"b.X"');
    fs.writeFileSync(file, zlib.gzipSync(lines.join('\n')));
    // Without the recorded hash, the MACs give the edit away; with it, the hash does.
    expect(await verifyArchiveFile(file)).toMatchObject({ ok: false, error: expect.stringMatching(/does not match its MAC/) });
    expect(await verifyArchiveFile(file, undefined, b)).toMatchObject({ ok: false, error: expect.stringMatching(/SHA-256/) });
    // Once B is past the retention, the run refuses to delete it from a bad file.
    const later = new Date(now.getTime() + 200 * DAY);
    await expect(archiveOperationLog(db, { dir, retentionDays: 180, now: later })).rejects.toThrow(/does not verify/);
    expect(await db('operation_log').where('action', 'like', 'b.%').count({ n: '*' }).first()).toEqual({ n: 3 });
    fs.writeFileSync(file, original);
  });
});
