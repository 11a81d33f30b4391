import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { keyRing, subkey, type KeyRing } from '../lib/crypto/keyring';
import { pageOf, unionKeyset, type Page, type PageParams } from './paging';

/**
 * The operation log (`operation_log`, R2): append-only (triggers refuse UPDATE and DELETE), one
 * row per write and per denied attempt, so it grows to millions of rows. Its list is therefore
 * always one indexed range read: each filter that narrows it has an index that also serves the
 * default order, newest first (migration 088), and the total is bounded (db/paging.ts).
 *
 * Tamper evidence (migrations 100, 101): the triggers stop the application, not someone with the
 * server's root account. So every row is also chained: `chain_hmac` = HMAC-SHA-256 over the row's
 * content, its place `chain_seq` and the previous row's MAC, with a key from the key ring that
 * lives outside the database (lib/crypto/keyring.ts; the row records the key id, `chain_key`, so
 * rows made before a rotation still verify). Editing a row breaks its MAC; deleting one leaves a
 * gap in `chain_seq`; a row slipped in out of order sits between ids whose seqs do not follow.
 * `verifyOperationChain` (npm run audit:verify) walks the table and names the first broken row.
 *
 * Concurrency: every writer locks the single `operation_log_head` row (SELECT … FOR UPDATE) in the
 * transaction that inserts its row, takes the next seq and the previous MAC from it, and updates
 * it. Writers therefore append one at a time, in one order, and a rolled-back write rolls back its
 * head update too, so the seqs stay gapless. The lock is held until the caller commits; routes log
 * as the last write of their transaction (api/http/route.ts `ctx.audit`), so it is held for the
 * commit only, and it is always the last lock a transaction takes (no lock-order deadlock). The
 * id (AUTO_INCREMENT) is allocated under the same lock, so id order and seq order agree.
 *
 * The database clock stamps `at` under the lock, so `at` grows with the seq whichever process
 * wrote the row (monthly archives cut the chain by `at`).
 *
 * What it does not stop: someone holding the key ring and the database can rewrite the chain.
 * The key ring is kept apart from the database's accounts (docs/deployment-security.md).
 */
export interface OperationRow {
  user_id: number | null;
  username: string | null;
  role: string | null;
  organisation_id: number | null;
  ip: string;
  method: string;
  path: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: 'ok' | 'denied' | 'failed';
  status: number;
  request_id: string | null;
  /** Already serialised JSON, or null. */
  detail: string | null;
}

/**
 * Inside the caller's transaction when there is one, so a change and its log line commit together;
 * otherwise in a transaction of its own (the head row's lock must cover the insert and the head's update).
 * `at` is for imports and tests only; normally the database's clock stamps the row.
 */
export async function insertOperation(db: Knex | Knex.Transaction, row: OperationRow & { at?: Date }, ring: KeyRing = keyRing()): Promise<void> {
  if ((db as Knex.Transaction).isTransaction) await appendChained(db as Knex.Transaction, row, ring);
  else await db.transaction((trx) => appendChained(trx, row, ring));
}

/** The MAC key purpose; the row's `chain_key` names the master key it was derived from. */
export const CHAIN_PURPOSE = 'operation_log.chain';
/** The "previous MAC" of the very first row. */
export const CHAIN_GENESIS = '0'.repeat(64);

/** The columns the MAC covers, in this order (the id is not among them: seq gives the place). */
const CHAINED = ['at', 'user_id', 'username', 'role', 'organisation_id', 'ip', 'method', 'path', 'action', 'target_type', 'target_id', 'result', 'status', 'request_id', 'detail'] as const;

/** JSON with sorted keys: MySQL 8 stores JSON normalised (its own key order), MariaDB as written. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** One chained column as it reads back from either server (or from an archive file). */
function canonical(column: (typeof CHAINED)[number], value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column === 'at') return (value instanceof Date ? value : new Date(String(value))).toISOString();
  if (column === 'detail') return stableJson(typeof value === 'string' ? JSON.parse(value) : value);
  if (column === 'user_id' || column === 'organisation_id' || column === 'status') return Number(value);
  return String(value);
}

/** The MAC of one row: over its seq, its content and the previous row's MAC. */
export function chainMac(ring: KeyRing, keyId: string, prevHmac: string, seq: number, row: Record<string, unknown>): string {
  const message = JSON.stringify(['psp-oplog-v1', seq, prevHmac, ...CHAINED.map((c) => canonical(c, row[c]))]);
  return crypto
    .createHmac('sha256', subkey(ring, keyId, CHAIN_PURPOSE))
    .update(message)
    .digest('hex');
}

// What mysql2 writes for an unpaired surrogate is U+FFFD; the MAC must cover what is stored.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const stored = (v: unknown) => (typeof v === 'string' ? v.replace(LONE_SURROGATE, '\ufffd') : v);

async function lockHead(trx: Knex.Transaction): Promise<{ seq: number; hmac: string; now: Date }> {
  const [rows] = (await trx.raw('SELECT last_seq, last_hmac, NOW(3) AS now FROM operation_log_head WHERE id = 1 FOR UPDATE')) as [Array<{ last_seq: number; last_hmac: string; now: Date }>];
  if (!rows.length) throw new Error('operation_log_head is missing: run `npm run migrate` (migration 100)');
  return { seq: Number(rows[0].last_seq), hmac: rows[0].last_hmac, now: rows[0].now };
}

async function appendChained(trx: Knex.Transaction, row: OperationRow & { at?: Date }, ring: KeyRing): Promise<void> {
  const head = await lockHead(trx);
  const values = Object.fromEntries(Object.entries({ ...row, at: row.at ?? head.now }).map(([k, v]) => [k, stored(v)]));
  const seq = head.seq + 1;
  const hmac = chainMac(ring, ring.currentId, head.hmac, seq, values);
  await trx('operation_log').insert({ ...values, chain_seq: seq, chain_key: ring.currentId, chain_hmac: hmac });
  await trx('operation_log_head').where('id', 1).update({ last_seq: seq, last_hmac: hmac, updated_at: head.now });
}

/**
 * Migration 100: chains the rows written before the chain existed (id order), then writes the
 * head. Rows already chained (a re-run) are continued from, not redone.
 */
export async function chainExistingOperations(trx: Knex.Transaction, ring: KeyRing = keyRing()): Promise<number> {
  const last = (await trx('operation_log').whereNotNull('chain_seq').orderBy('chain_seq', 'desc').first('chain_seq', 'chain_hmac')) as { chain_seq: number; chain_hmac: string } | undefined;
  let seq = last ? Number(last.chain_seq) : 0;
  let prev = last?.chain_hmac ?? CHAIN_GENESIS;
  let afterId = 0;
  let chained = 0;
  for (;;) {
    const batch = (await trx('operation_log').whereNull('chain_seq').where('id', '>', afterId).orderBy('id').limit(2000).select('*')) as Array<Record<string, unknown>>;
    if (!batch.length) break;
    for (const r of batch) {
      seq += 1;
      prev = chainMac(ring, ring.currentId, prev, seq, r);
      await trx('operation_log').where('id', Number(r.id)).update({ chain_seq: seq, chain_key: ring.currentId, chain_hmac: prev });
      afterId = Number(r.id);
      chained += 1;
    }
  }
  await trx.raw('INSERT INTO operation_log_head (id, last_seq, last_hmac) VALUES (1, ?, ?) ON DUPLICATE KEY UPDATE last_seq = VALUES(last_seq), last_hmac = VALUES(last_hmac)', [seq, prev]);
  return chained;
}

export interface ChainBreak {
  /** The first row that does not verify; null when rows are missing at the end (none to name). */
  id: number | null;
  seq: number | null;
  reason: string;
}

export interface ChainReport {
  ok: boolean;
  /** Rows checked (those still in the database). */
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
  lastHmac: string;
  broken?: ChainBreak;
}

/** An archived month (migration 101). */
export interface OperationArchive {
  id: number;
  month: string;
  first_seq: number;
  last_seq: number;
  first_id: number;
  last_id: number;
  prev_hmac: string;
  last_hmac: string;
  row_count: number;
  file: string;
  sha256: string;
  bytes: number;
  archived_at: Date;
  deleted_at: Date | null;
  deleted_rows: number | null;
}

/**
 * Walks the whole log in id order and checks every link. The start is the genesis, or, once old
 * months have been archived and deleted, the archive whose last seq is just before the first row
 * left (its recorded last MAC is the link). The end must be the head.
 */
export async function verifyOperationChain(db: Knex, ring: KeyRing = keyRing(), opts: { batch?: number } = {}): Promise<ChainReport> {
  const batchSize = opts.batch ?? 5000;
  let expectedSeq: number | null = null;
  let prev = CHAIN_GENESIS;
  let firstSeq: number | null = null;
  let rows = 0;
  let afterId = 0;
  const fail = (broken: ChainBreak): ChainReport => ({ ok: false, rows, firstSeq, lastSeq: expectedSeq === null ? null : expectedSeq - 1, lastHmac: prev, broken });
  for (;;) {
    const batch = (await db('operation_log').where('id', '>', afterId).orderBy('id').limit(batchSize).select('*')) as Array<Record<string, unknown>>;
    if (!batch.length) break;
    for (const r of batch) {
      const id = Number(r.id);
      afterId = id;
      const seq = r.chain_seq === null ? null : Number(r.chain_seq);
      if (seq === null || !r.chain_hmac || !r.chain_key) return fail({ id, seq, reason: 'the row is not chained (written around the application, or before migration 100 ran)' });
      if (expectedSeq === null) {
        if (seq !== 1) {
          const base = (await db('operation_log_archives')
            .where('last_seq', seq - 1)
            .whereNotNull('deleted_at')
            .first()) as OperationArchive | undefined;
          if (!base) return fail({ id, seq, reason: `the log starts at seq ${seq}, but no deleted archive ends at seq ${seq - 1}: rows before it are missing` });
          prev = base.last_hmac;
        }
        expectedSeq = seq;
        firstSeq = seq;
      }
      if (seq < expectedSeq) return fail({ id, seq, reason: `out of order: seq ${seq} where ${expectedSeq} was due (a row inserted out of place)` });
      if (seq > expectedSeq) {
        // The seq that was due may still be there, further on: then this row was slipped in before it.
        const due = (await db('operation_log').where('chain_seq', expectedSeq).first('id')) as { id: number } | undefined;
        if (due && Number(due.id) > id) return fail({ id, seq, reason: `out of order: seq ${seq} where ${expectedSeq} was due (a row inserted out of place)` });
      }
      if (seq > expectedSeq) return fail({ id, seq, reason: `seq ${expectedSeq}${seq - 1 > expectedSeq ? `–${seq - 1}` : ''} missing before this row (deleted)` });
      const keyId = String(r.chain_key);
      if (!ring.keys.has(keyId)) return fail({ id, seq, reason: `key "${keyId}" of this row is not in the key ring` });
      const mac = chainMac(ring, keyId, prev, seq, r);
      if (!crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(String(r.chain_hmac).padEnd(64).slice(0, 64)))) {
        return fail({ id, seq, reason: 'the MAC does not match: the row was edited, or the row before it was replaced' });
      }
      prev = mac;
      expectedSeq = seq + 1;
      rows += 1;
    }
  }
  const head = (await db('operation_log_head').where('id', 1).first('last_seq', 'last_hmac')) as { last_seq: number; last_hmac: string } | undefined;
  if (!head) return fail({ id: null, seq: null, reason: 'operation_log_head is missing' });
  const headSeq = Number(head.last_seq);
  const lastSeq = expectedSeq === null ? null : expectedSeq - 1;
  if (lastSeq === null && headSeq > 0) {
    const base = (await db('operation_log_archives').where('last_seq', headSeq).whereNotNull('deleted_at').first()) as OperationArchive | undefined;
    if (!base || base.last_hmac !== head.last_hmac) return fail({ id: null, seq: headSeq, reason: `the log is empty but its head is at seq ${headSeq}: rows were deleted` });
    return { ok: true, rows, firstSeq, lastSeq: headSeq, lastHmac: head.last_hmac };
  }
  if (lastSeq !== null && (headSeq !== lastSeq || head.last_hmac !== prev)) {
    return fail({
      id: null,
      seq: lastSeq + 1,
      reason: headSeq > lastSeq ? `the log ends at seq ${lastSeq} but its head is at ${headSeq}: the last rows were deleted` : `the head (seq ${headSeq}) does not match the last row (seq ${lastSeq})`,
    });
  }
  return { ok: true, rows, firstSeq, lastSeq, lastHmac: prev };
}

/** The chained rows with seq in (afterSeq, toSeq], in seq order, a batch at a time. */
export async function* operationsInChainRange(db: Knex, afterSeq: number, toSeq: number, batch = 5000): AsyncGenerator<Record<string, unknown>> {
  let from = afterSeq;
  while (from < toSeq) {
    const rows = (await db('operation_log').where('chain_seq', '>', from).where('chain_seq', '<=', toSeq).orderBy('chain_seq').limit(batch).select('*')) as Array<Record<string, unknown>>;
    if (!rows.length) return;
    for (const r of rows) yield r;
    from = Number(rows[rows.length - 1].chain_seq);
  }
}

/** The seq and `at` of the first chained row after `afterSeq`, or null when there is none. */
export async function firstChainedAfter(db: Knex, afterSeq: number): Promise<{ seq: number; at: Date } | null> {
  const r = (await db('operation_log').where('chain_seq', '>', afterSeq).orderBy('chain_seq').first('chain_seq', 'at')) as { chain_seq: number; at: Date } | undefined;
  return r ? { seq: Number(r.chain_seq), at: r.at } : null;
}

/** The last seq stamped before `before` (the `at` index; `at` grows with the seq, see above). */
export async function lastChainedBefore(db: Knex, before: Date): Promise<number | null> {
  const r = (await db('operation_log').where('at', '<', before).whereNotNull('chain_seq').orderBy('at', 'desc').orderBy('chain_seq', 'desc').first('chain_seq')) as { chain_seq: number } | undefined;
  return r ? Number(r.chain_seq) : null;
}

/** The newest `at` among rows of a seq range (a month may be deleted only when all of it is past retention). */
export async function newestInChainRange(db: Knex, firstSeq: number, lastSeq: number): Promise<Date | null> {
  const r = (await db('operation_log').whereBetween('chain_seq', [firstSeq, lastSeq]).max({ at: 'at' }).first()) as { at: Date | null } | undefined;
  return r?.at ?? null;
}

export async function listOperationArchives(db: Knex): Promise<OperationArchive[]> {
  return (await db('operation_log_archives').orderBy('first_seq')) as OperationArchive[];
}

export async function recordOperationArchive(db: Knex, a: Omit<OperationArchive, 'id' | 'archived_at' | 'deleted_at' | 'deleted_rows'>): Promise<void> {
  await db('operation_log_archives').insert(a);
}

/**
 * Deletes an archived month's rows, a batch per statement (the trigger checks each row against
 * the archives and the 180-day floor). Needs DELETE on operation_log: the maintenance account only.
 */
export async function deleteArchivedOperations(db: Knex, archive: OperationArchive, batch = 5000): Promise<number> {
  let deleted = 0;
  for (;;) {
    const [result] = (await db.raw('DELETE FROM operation_log WHERE chain_seq BETWEEN ? AND ? ORDER BY chain_seq LIMIT ?', [archive.first_seq, archive.last_seq, batch])) as [{ affectedRows: number }];
    deleted += result.affectedRows;
    if (result.affectedRows < batch) break;
  }
  await db('operation_log_archives')
    .where('id', archive.id)
    .update({ deleted_at: db.fn.now(3), deleted_rows: (archive.deleted_rows ?? 0) + deleted });
  return deleted;
}

export const OPERATION_SORTABLE = ['id', 'at', 'username', 'action', 'result', 'status'] as const;
const COLUMNS = Object.fromEntries(OPERATION_SORTABLE.map((c) => [c, c]));

export interface OperationFilter {
  username?: string;
  user_id?: number;
  action?: string;
  result?: 'ok' | 'denied' | 'failed';
  target_type?: string;
  target_id?: string;
  /** ISO instants: from inclusive, to exclusive. */
  from?: string;
  to?: string;
}

export type LoggedOperation = Omit<OperationRow, 'detail'> & { id: number; at: Date; detail: unknown };

function filteredOperations(db: Knex, f: OperationFilter): Knex.QueryBuilder {
  const q = db('operation_log');
  if (f.username) q.where('username', f.username);
  if (f.user_id) q.where('user_id', f.user_id);
  if (f.action) q.where('action', f.action);
  if (f.result) q.where('result', f.result);
  if (f.target_type) q.where('target_type', f.target_type);
  if (f.target_id) q.where('target_id', f.target_id);
  if (f.from) q.where('at', '>=', new Date(f.from));
  if (f.to) q.where('at', '<', new Date(f.to));
  return q;
}

/** The full rows of a page's ids, in the page's order, with `detail` parsed. */
async function operationRows(db: Knex, ids: number[]): Promise<LoggedOperation[]> {
  if (!ids.length) return [];
  const full = (await db('operation_log').whereIn('id', ids).select('*')) as Array<Record<string, unknown>>;
  const byId = new Map(full.map((r) => [Number(r.id), r]));
  return (
    ids
      .map((id) => byId.get(id))
      .filter((r): r is Record<string, unknown> => r !== undefined)
      // mysql2 answers a JSON column as text on MariaDB (where JSON is LONGTEXT), parsed on MySQL.
      .map((r) => ({ ...r, detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail }) as LoggedOperation)
  );
}

export async function listOperations(db: Knex, params: PageParams & { filter: OperationFilter }): Promise<Page<LoggedOperation>> {
  // The page is chosen on ids alone (a range of one index), then only its rows are read: a deep
  // page of a filtered log then skips index entries, not thousands of whole rows.
  const page = await pageOf<{ id: number }>(filteredOperations(db, params.filter).select('id'), params, COLUMNS, 'id');
  return {
    ...page,
    rows: await operationRows(
      db,
      page.rows.map((r) => Number(r.id)),
    ),
  };
}

/** Every row the filter matches, in the list's order, a chunk at a time (the log's export). */
export async function* walkOperations(db: Knex, filter: OperationFilter, sort: PageParams['sort'], opts: { chunk?: number; max: number }): AsyncGenerator<LoggedOperation[]> {
  const column = COLUMNS[sort[0]] ?? 'id';
  const branch = filteredOperations(db, filter).select('id', `${column} as k`);
  for await (const ids of unionKeyset(db, [branch], sort[1].toLowerCase() as 'asc' | 'desc', { chunk: opts.chunk ?? 1000, max: opts.max, keyIsId: column === 'id' })) yield await operationRows(db, ids);
}

/**
 * How many operation-log rows each key id chains (`npm run keys:status`): a key may leave the
 * ring only once no row (and no archive) it chains is kept, or the chain no longer verifies.
 */
export async function chainRowsByKey(db: Knex): Promise<Map<string, number>> {
  const rows = (await db('operation_log').whereNotNull('chain_key').select('chain_key').count({ n: '*' }).groupBy('chain_key')) as Array<{ chain_key: string; n: number | string }>;
  return new Map(rows.map((r) => [r.chain_key, Number(r.n)]));
}
