import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { keyRing, type KeyRing } from '../crypto/keyring';
import {
  CHAIN_GENESIS,
  chainMac,
  deleteArchivedOperations,
  firstChainedAfter,
  lastChainedBefore,
  listOperationArchives,
  newestInChainRange,
  operationsInChainRange,
  recordOperationArchive,
  type OperationArchive,
} from '../../db/operation-log';

/**
 * Monthly archives of the operation log (`npm run audit:archive`, docs/operations.md "Operation
 * log retention"). The log is kept in the database for AUDIT_RETENTION_DAYS (at least 180); each
 * complete month (UTC) is written, in chain order, to `operation-log-YYYY-MM.jsonl.gz`:
 *
 *   line 1   { format, month, first_seq, last_seq, prev_hmac }
 *   then     one row per line, every column, with its chain_seq, chain_key and chain_hmac
 *   last     { trailer: true, rows, first_id, last_id, last_hmac }
 *
 * A month is the seq range after the previous archive up to the last row stamped before the
 * month's end, so archives tile the chain without gap or overlap. `prev_hmac` (the MAC before the
 * month's first row) and `last_hmac` are the chain's boundary values: an archive verifies on its
 * own with the key ring, and consecutive archives link up. The file's SHA-256 goes in a
 * `.sha256` file beside it and in `operation_log_archives`.
 *
 * Rows are deleted only (1) for archived months, (2) whose every row is older than the retention,
 * (3) in month order, (4) after the archive file has been verified again against its recorded
 * hash and boundaries. The database's trigger refuses anything else (migration 101), and the
 * runtime account cannot delete at all: run this under DATABASE_MIGRATION_URL.
 */
export const ARCHIVE_FORMAT = 'psp-operation-log-archive/1';

export interface ArchiveSettings {
  dir: string;
  retentionDays: number;
  /** For tests: "now". */
  now?: Date;
}

export interface ArchiveHeader {
  format: string;
  month: string;
  first_seq: number;
  last_seq: number;
  first_id: number;
  last_id: number;
  prev_hmac: string;
  last_hmac: string;
  rows: number;
}

export interface ArchiveRunReport {
  archived: Array<{ month: string; file: string; rows: number; sha256: string }>;
  deleted: Array<{ month: string; rows: number }>;
  /** Archived months still in the database, and why. */
  kept: Array<{ month: string; reason: string }>;
}

const monthOf = (d: Date) => d.toISOString().slice(0, 7);
const monthStart = (month: string) => new Date(`${month}-01T00:00:00.000Z`);
const nextMonthStart = (month: string) => {
  const d = monthStart(month);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
};
export const archiveFileName = (month: string) => `operation-log-${month}.jsonl.gz`;

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** A row as it is written to the file (JSON-safe, detail as its canonical text). */
function fileRow(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[k] = v instanceof Date ? v.toISOString() : v;
  if (out.detail !== null && out.detail !== undefined && typeof out.detail !== 'string') out.detail = JSON.stringify(out.detail);
  return out;
}

/**
 * Writes the rows (afterSeq, lastSeq] to the month's file, checking every link on the way. Rows are
 * streamed from the database into gzip (a busy month is millions of rows), so what is known only
 * at the end (the last MAC, the count, the ids) goes in a trailer line.
 */
async function writeMonth(db: Knex, ring: KeyRing, dir: string, month: string, afterSeq: number, prevHmac: string, lastSeq: number): Promise<{ file: string; header: ArchiveHeader; sha256: string; bytes: number }> {
  const file = path.join(dir, archiveFileName(month));
  const temp = `${file}.partial`;
  const header: ArchiveHeader = { format: ARCHIVE_FORMAT, month, first_seq: afterSeq + 1, last_seq: lastSeq, first_id: 0, last_id: 0, prev_hmac: prevHmac, last_hmac: '', rows: 0 };
  async function* lines(): AsyncGenerator<string> {
    yield `${JSON.stringify({ format: ARCHIVE_FORMAT, month, first_seq: header.first_seq, last_seq: lastSeq, prev_hmac: prevHmac })}\n`;
    let prev = prevHmac;
    let seq = afterSeq;
    for await (const r of operationsInChainRange(db, afterSeq, lastSeq)) {
      const s = Number(r.chain_seq);
      if (s !== seq + 1) throw new Error(`the chain is broken at row ${String(r.id)} (seq ${s}, ${seq + 1} due): run npm run audit:verify; nothing was archived`);
      const mac = chainMac(ring, String(r.chain_key), prev, s, r);
      if (mac !== r.chain_hmac) throw new Error(`row ${String(r.id)} (seq ${s}) does not match its MAC: run npm run audit:verify; nothing was archived`);
      prev = mac;
      seq = s;
      if (!header.first_id) header.first_id = Number(r.id);
      header.last_id = Number(r.id);
      header.rows += 1;
      yield `${JSON.stringify(fileRow(r))}\n`;
    }
    if (seq !== lastSeq) throw new Error(`rows ${seq + 1}–${lastSeq} of ${month} are missing: nothing was archived`);
    header.last_hmac = prev;
    yield `${JSON.stringify({ trailer: true, rows: header.rows, first_id: header.first_id, last_id: header.last_id, last_hmac: prev })}\n`;
  }
  try {
    await pipeline(Readable.from(lines()), zlib.createGzip({ level: 9 }), fs.createWriteStream(temp, { mode: 0o640 }));
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  const fd = fs.openSync(temp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(temp, file);
  const sha256 = await sha256Of(file);
  fs.writeFileSync(`${file}.sha256`, `${sha256}  ${path.basename(file)}\n`);
  return { file, header, sha256, bytes: fs.statSync(file).size };
}

export interface ArchiveFileCheck {
  ok: boolean;
  header?: ArchiveHeader;
  sha256?: string;
  error?: string;
}

/**
 * Reads an archive back: its hash (against `expected.sha256` when given), its header (against the
 * recorded boundaries), and every row's MAC from `prev_hmac` to `last_hmac`.
 */
export async function verifyArchiveFile(file: string, ring: KeyRing = keyRing(), expected?: Pick<OperationArchive, 'sha256' | 'first_seq' | 'last_seq' | 'prev_hmac' | 'last_hmac' | 'row_count'>): Promise<ArchiveFileCheck> {
  try {
    const sha256 = await sha256Of(file);
    if (expected && sha256 !== expected.sha256) return { ok: false, sha256, error: `SHA-256 ${sha256} is not the recorded ${expected.sha256}` };
    const lines = readline.createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity });
    let header: ArchiveHeader | undefined;
    let prev = '';
    let seq = 0;
    let rows = 0;
    let trailer: { rows: number; first_id: number; last_id: number; last_hmac: string } | undefined;
    for await (const line of lines) {
      if (!line) continue;
      const value = JSON.parse(line) as Record<string, unknown>;
      if (!header) {
        if (value.format !== ARCHIVE_FORMAT) return { ok: false, sha256, error: `not an operation log archive (${String(value.format)})` };
        header = { ...(value as unknown as ArchiveHeader), first_id: 0, last_id: 0, last_hmac: '', rows: 0 };
        prev = header.prev_hmac;
        seq = header.first_seq - 1;
        continue;
      }
      if (trailer) return { ok: false, sha256, header, error: 'rows after the trailer' };
      if (value.trailer === true) {
        trailer = value as unknown as typeof trailer;
        continue;
      }
      const s = Number(value.chain_seq);
      if (s !== seq + 1) return { ok: false, sha256, header, error: `row ${String(value.id)}: seq ${s} where ${seq + 1} was due` };
      const mac = chainMac(ring, String(value.chain_key), prev, s, value);
      if (mac !== value.chain_hmac) return { ok: false, sha256, header, error: `row ${String(value.id)} (seq ${s}) does not match its MAC` };
      prev = mac;
      seq = s;
      rows += 1;
    }
    if (!header) return { ok: false, sha256, error: 'the file is empty' };
    if (!trailer) return { ok: false, sha256, header, error: 'the file has no trailer (cut short)' };
    header = { ...header, rows: trailer.rows, first_id: trailer.first_id, last_id: trailer.last_id, last_hmac: trailer.last_hmac };
    if (seq !== header.last_seq || prev !== header.last_hmac || rows !== header.rows) return { ok: false, sha256, header, error: 'the rows do not end where the header and trailer say' };
    if (
      expected &&
      (header.first_seq !== Number(expected.first_seq) || header.last_seq !== Number(expected.last_seq) || header.prev_hmac !== expected.prev_hmac || header.last_hmac !== expected.last_hmac || header.rows !== Number(expected.row_count))
    ) {
      return { ok: false, sha256, header, error: 'the header does not match the recorded archive' };
    }
    return { ok: true, sha256, header };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** Archives every complete month not archived yet, then deletes what is archived and past retention. */
export async function archiveOperationLog(db: Knex, settings: ArchiveSettings, ring: KeyRing = keyRing()): Promise<ArchiveRunReport> {
  if (settings.retentionDays < 180) throw new Error('the operation log is kept at least 180 days');
  const now = settings.now ?? new Date();
  const currentMonth = monthOf(now);
  fs.mkdirSync(settings.dir, { recursive: true });
  const report: ArchiveRunReport = { archived: [], deleted: [], kept: [] };

  const archives = await listOperationArchives(db);
  const last = archives[archives.length - 1];
  let afterSeq = last ? Number(last.last_seq) : 0;
  let prevHmac = last ? last.last_hmac : CHAIN_GENESIS;
  for (;;) {
    const first = await firstChainedAfter(db, afterSeq);
    if (!first) break;
    const month = monthOf(first.at);
    if (month >= currentMonth) break;
    const lastSeq = (await lastChainedBefore(db, nextMonthStart(month))) ?? first.seq;
    const written = await writeMonth(db, ring, settings.dir, month, afterSeq, prevHmac, Math.max(lastSeq, first.seq));
    const check = await verifyArchiveFile(written.file, ring);
    if (!check.ok) throw new Error(`the archive of ${month} does not verify after writing (${check.error}); nothing recorded`);
    const h = written.header;
    await recordOperationArchive(db, {
      month,
      first_seq: h.first_seq,
      last_seq: h.last_seq,
      first_id: h.first_id,
      last_id: h.last_id,
      prev_hmac: h.prev_hmac,
      last_hmac: h.last_hmac,
      row_count: h.rows,
      file: path.basename(written.file),
      sha256: written.sha256,
      bytes: written.bytes,
    });
    report.archived.push({ month, file: written.file, rows: h.rows, sha256: written.sha256 });
    afterSeq = h.last_seq;
    prevHmac = h.last_hmac;
  }

  const cutoff = new Date(now.getTime() - settings.retentionDays * 86_400_000);
  for (const a of await listOperationArchives(db)) {
    if (a.deleted_at) continue;
    if (nextMonthStart(a.month) > cutoff) {
      report.kept.push({ month: a.month, reason: `within the ${settings.retentionDays}-day retention` });
      break;
    }
    const newest = await newestInChainRange(db, Number(a.first_seq), Number(a.last_seq));
    if (newest && newest >= cutoff) {
      report.kept.push({ month: a.month, reason: `holds rows newer than the ${settings.retentionDays}-day retention` });
      break;
    }
    const check = await verifyArchiveFile(path.join(settings.dir, a.file), ring, a);
    if (!check.ok) throw new Error(`the archive of ${a.month} (${a.file}) does not verify (${check.error}): its rows are kept`);
    report.deleted.push({ month: a.month, rows: await deleteArchivedOperations(db, a) });
  }
  return report;
}
