import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
import { chainExistingOperations, chainMac, insertOperation, verifyOperationChain, type OperationRow } from '../../db/operation-log';
import { keyRing } from '../../lib/crypto/keyring';
import { freshTestDatabase } from '../helpers/db';

/**
 * The operation log's hash chain on a real MariaDB (db/operation-log.ts): rows written at the
 * same time by many connections chain in one order, and `npm run audit:verify` (the function and
 * the command's exit status) names the first row that was edited, deleted or slipped in.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

const row = (n: number, extra: Partial<OperationRow> = {}): OperationRow => ({
  user_id: 1,
  username: `user${n}`,
  role: 'sysadmin',
  organisation_id: null,
  ip: '10.0.0.1',
  method: 'POST',
  path: `/api/things/${n}`,
  action: 'things.create',
  target_type: 'thing',
  target_id: String(n),
  result: 'ok',
  status: 201,
  request_id: `req-${n}`,
  detail: JSON.stringify({ n, nested: { b: 2, a: [1, '二'] } }),
  ...extra,
});

async function cli(url: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'test' } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('operation log hash chain', () => {
  let db: Knex;
  let url: string;

  beforeAll(async () => {
    ({ db, url } = await freshTestDatabase({ seed: false, suffix: '_chain' }));
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('chains rows written concurrently, on their own and inside callers’ transactions', async () => {
    const writes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 40; i++) {
      if (i % 2) writes.push(insertOperation(db, row(i)));
      // As a route does: its change and its log line in one transaction, the log line last.
      else
        writes.push(
          db.transaction(async (trx) => {
            await trx.raw('SELECT 1');
            await insertOperation(trx, row(i, { detail: null, username: i === 4 ? 'lone \ud800 half' : `user${i}` }));
          }),
        );
    }
    // One writer gives up after logging: its row and its head move vanish together.
    writes.push(
      db
        .transaction(async (trx) => {
          await insertOperation(trx, row(999));
          throw new Error('rolled back');
        })
        .catch(() => undefined),
    );
    await Promise.all(writes);

    const rows = await db('operation_log').orderBy('id').select('id', 'chain_seq', 'chain_key', 'username');
    expect(rows).toHaveLength(40);
    expect(rows.map((r) => Number(r.chain_seq))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.chain_key))).toEqual(new Set([keyRing().currentId]));
    const report = await verifyOperationChain(db);
    expect(report).toMatchObject({ ok: true, rows: 40, firstSeq: 1, lastSeq: 40 });
    expect(await db('operation_log_head').first('last_seq')).toEqual({ last_seq: 40 });

    const ok = await cli(url);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/ok: 40 rows/);
  });

  it('names an edited row (function and CLI), and passes again once it is put back', async () => {
    const victim = (await db('operation_log').where('chain_seq', 17).first('id', 'path')) as { id: number; path: string };
    // Only with the trigger gone (root's power, not the application's) can a row be edited at all.
    await db.raw('DROP TRIGGER IF EXISTS operation_log_no_update');
    await db('operation_log').where('id', victim.id).update({ path: '/api/rewritten' });
    const report = await verifyOperationChain(db);
    expect(report.ok).toBe(false);
    expect(report.broken).toMatchObject({ id: Number(victim.id), seq: 17 });
    expect(report.broken!.reason).toMatch(/MAC does not match/);
    const broken = await cli(url);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`BROKEN at row ${victim.id}`);
    expect(JSON.parse(broken.out.split('\n').find((l) => l.startsWith('{'))!).firstBrokenId).toBe(Number(victim.id));

    await db('operation_log').where('id', victim.id).update({ path: victim.path });
    expect((await verifyOperationChain(db)).ok).toBe(true);
  });

  it('names a row slipped in out of order, even with a MAC made with the real key', async () => {
    // A rolled-back write leaves a hole in the ids; a forger with the key fills it with a row
    // that links to the current last row, as if it were the next one.
    await db
      .transaction(async (trx) => {
        await insertOperation(trx, row(500));
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await insertOperation(db, row(41));
    const all = await db('operation_log').orderBy('id', 'desc').limit(2).select('id', 'chain_seq', 'chain_hmac');
    const gapId = Number(all[0].id) - 1;
    expect(Number(all[1].id)).toBeLessThan(gapId);
    const head = (await db('operation_log_head').first('last_seq', 'last_hmac')) as { last_seq: number; last_hmac: string };
    const ring = keyRing();
    const forged = { ...row(42, { username: 'forger' }), at: new Date() };
    const seq = Number(head.last_seq) + 1;
    await db('operation_log').insert({ id: gapId, ...forged, chain_seq: seq, chain_key: ring.currentId, chain_hmac: chainMac(ring, ring.currentId, head.last_hmac, seq, forged) });
    const report = await verifyOperationChain(db);
    expect(report.ok).toBe(false);
    expect(report.broken).toMatchObject({ id: gapId, seq });
    expect(report.broken!.reason).toMatch(/out of order/);
    const cliReport = await cli(url);
    expect(cliReport.code).toBe(1);
    expect(cliReport.out).toContain(`BROKEN at row ${gapId}`);

    // A row written around the chain altogether (a plain INSERT) is named too.
    await db.raw('DROP TRIGGER IF EXISTS operation_log_retention_only');
    await db('operation_log').where('id', gapId).delete();
    expect((await verifyOperationChain(db)).ok).toBe(true);
    const [plain] = await db('operation_log').insert({ ...row(43), at: new Date() });
    expect((await verifyOperationChain(db)).broken).toMatchObject({ id: Number(plain), seq: null });
    await db('operation_log').where('id', plain).delete();
    expect((await verifyOperationChain(db)).ok).toBe(true);
  });

  it('names the row after a deleted one, and a log whose last rows were deleted', async () => {
    const rows = await db('operation_log').orderBy('chain_seq').select('id', 'chain_seq');
    const gone = rows[9];
    await db('operation_log').where('id', gone.id).delete();
    const report = await verifyOperationChain(db);
    expect(report.ok).toBe(false);
    expect(report.broken).toMatchObject({ id: Number(rows[10].id), seq: 11 });
    expect(report.broken!.reason).toMatch(/seq 10 missing/);
    const cliReport = await cli(url);
    expect(cliReport.code).toBe(1);
    expect(cliReport.out).toContain(`BROKEN at row ${rows[10].id}`);

    // The tail: nothing after the cut to name, but the head says rows are missing.
    const tail = await db.transaction(async (trx) => {
      const last = rows[rows.length - 1];
      const saved = await trx('operation_log').where('id', last.id).first();
      await trx('operation_log').where('id', '>=', gone.id).where('id', '<', last.id).delete();
      await trx('operation_log').where('id', last.id).delete();
      return saved;
    });
    const end = await verifyOperationChain(db);
    expect(end.ok).toBe(false);
    expect(end.broken).toMatchObject({ id: null, seq: 10 });
    expect(end.broken!.reason).toMatch(/last rows were deleted/);
    expect(tail).toBeTruthy();
    expect((await cli(url)).code).toBe(1);
  });
});

describe('chaining the rows written before the chain existed (migration 100)', () => {
  let db: Knex;
  beforeAll(async () => {
    ({ db } = await freshTestDatabase({ seed: false, suffix: '_legacy' }));
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('chains legacy rows in id order and continues from them', async () => {
    // Rows as an installation had them before migration 100: no chain columns filled.
    for (let i = 0; i < 3; i++) await db('operation_log').insert({ ...row(i), at: new Date(Date.now() - (3 - i) * 60_000) });
    expect((await verifyOperationChain(db)).broken).toMatchObject({ seq: null });
    await db.raw('DROP TRIGGER IF EXISTS operation_log_no_update');
    expect(await db.transaction((trx) => chainExistingOperations(trx))).toBe(3);
    await insertOperation(db, row(3));
    const report = await verifyOperationChain(db);
    expect(report).toMatchObject({ ok: true, rows: 4, firstSeq: 1, lastSeq: 4 });
    // A second run (a migration re-run after a failure) finds nothing left to chain.
    expect(await db.transaction((trx) => chainExistingOperations(trx))).toBe(0);
    expect((await verifyOperationChain(db)).ok).toBe(true);
  });
});
