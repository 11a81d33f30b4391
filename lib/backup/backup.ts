import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import {
  databaseTarget,
  describeFile,
  dumpTool,
  listStoredFiles,
  MANIFEST,
  parseFilesList,
  PARTS,
  platformVersion,
  run,
  RUN_NAME,
  runName,
  sha256File,
  sqlClient,
  sqliteTool,
  verifyRun,
  type BackupSettings,
  type Manifest,
  type ManifestPart,
} from './common';

/**
 * One backup run (R3) into BACKUP_DIR/<UTC instant>/:
 *
 *   temporal.db.gz   the Temporal dev server's SQLite state, through SQLite's own `VACUUM INTO`
 *                    (a consistent snapshot of a live database, never a raw copy of the file)
 *   database.sql.gz  the platform's database, `mariadb-dump --single-transaction --routines
 *                    --triggers` (the operation log's append-only triggers come back with it)
 *   files/           the content-addressed file store; files an earlier run already holds are
 *                    hard-linked from it, only new ones are copied (and hashed)
 *   files.sha256     the files' listing in `sha256sum` format
 *   manifest.json    every part's size and SHA-256, the platform version, the migration level
 *
 * The run is written under `<name>.partial` and renamed once its manifest verifies, so a folder
 * with the run's name is always complete. Temporal is snapshotted *before* MySQL: the workflows
 * then never believe in a database write the dump lacks; activities that ran in between are
 * replayed after a restore and write their (idempotent) rows again.
 *
 * Idempotent per instant: a retried run with the same `at` finds the complete folder and
 * answers it, or replaces a partial one. Older runs beyond `keep` are deleted only after this
 * one is complete and verified.
 */
export interface BackupResult {
  name: string;
  dir: string;
  /** true when a complete run for this instant already existed (a retried activity). */
  reused: boolean;
  manifest: Manifest;
  deleted: string[];
}

export interface BackupOptions {
  at?: Date;
  log?: (message: string) => void;
  /** Called now and then during long steps (a Temporal activity's heartbeat). */
  heartbeat?: () => void;
}

export async function runBackup(settings: BackupSettings, opts: BackupOptions = {}): Promise<BackupResult> {
  const log = opts.log ?? (() => {});
  const beat = opts.heartbeat ?? (() => {});
  const at = opts.at ?? new Date();
  const name = runName(at);
  const finalDir = path.join(settings.backupDir, name);
  fs.mkdirSync(settings.backupDir, { recursive: true });

  if (fs.existsSync(finalDir)) {
    const { manifest, problems } = await verifyRun(finalDir, { deep: false });
    if (manifest && problems.length === 0) {
      log(`backup ${name} already complete; nothing to do`);
      return { name, dir: finalDir, reused: true, manifest, deleted: applyRetention(settings, name, log) };
    }
    log(`backup ${name} exists but does not verify (${problems.join('; ')}); making it again`);
    fs.rmSync(finalDir, { recursive: true, force: true });
  }

  const work = `${finalDir}.partial`;
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const startedAt = new Date();
  const parts: Record<string, ManifestPart> = {};
  const warnings: string[] = [];
  const db = databaseTarget(settings.databaseUrl);
  try {
    // 1. Temporal first (see above).
    const stateFile = path.join(settings.dataDir, 'temporal.db');
    let temporalNote: string;
    if (fs.existsSync(stateFile)) {
      await snapshotSqlite(stateFile, path.join(work, PARTS.temporal));
      parts.temporal = await describeFile(work, PARTS.temporal, 'Temporal dev server state (SQLite, VACUUM INTO), gzip');
      temporalNote = `snapshot of ${stateFile}`;
      log(`Temporal state ${stateFile} → ${PARTS.temporal} (${parts.temporal.size} bytes)`);
    } else if (settings.temporalAddress) {
      temporalNote = `Temporal at ${settings.temporalAddress} keeps its own state: back up its databases (docs/operations.md)`;
      log(`no ${stateFile}: ${temporalNote}`);
    } else {
      throw new Error(`no Temporal state file at ${stateFile} and no TEMPORAL_ADDRESS: is DATA_DIR right?`);
    }
    beat();

    // 2. The platform's database.
    const migration = await migrationLevel(db.optionFile, db.name);
    await requireTriggerAccess(db.optionFile, db.name);
    const tool = dumpTool();
    await dumpDatabase(tool, db.optionFile, db.name, path.join(work, PARTS.database));
    parts.database = await describeFile(work, PARTS.database, `${path.basename(tool)} --single-transaction --routines --triggers of ${db.name}, gzip`);
    log(`database ${db.name} → ${PARTS.database} (${parts.database.size} bytes, migration ${migration.latest ?? 'none'})`);
    beat();

    // 3. The file store.
    const files = await copyFiles(settings, work, beat, warnings);
    parts.files = { ...(await describeFile(work, PARTS.filesList, `the file store (${settings.filesDir}): ${PARTS.files}/, listed in ${PARTS.filesList}`)), count: files.count, totalBytes: files.bytes };
    log(`files ${settings.filesDir} → ${PARTS.files}/ (${files.count} files, ${files.copied} new, ${files.linked} linked from ${files.previous ?? 'no earlier run'})`);

    const manifest: Manifest & { warnings?: string[] } = {
      format: 1,
      at: at.toISOString(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      platformVersion: platformVersion(),
      migration,
      database: { name: db.name, server: db.server, dumpTool: path.basename(tool) },
      temporal: { stateFile: Boolean(parts.temporal), note: temporalNote },
      parts,
      ...(warnings.length ? { warnings } : {}),
    };
    fs.writeFileSync(path.join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);

    const { problems } = await verifyRun(work, { deep: false });
    if (problems.length) throw new Error(`the new backup does not verify: ${problems.join('; ')}`);
    fs.renameSync(work, finalDir);
    log(`backup ${name} complete and verified in ${finalDir}`);
    return { name, dir: finalDir, reused: false, manifest, deleted: applyRetention(settings, name, log) };
  } catch (err) {
    fs.rmSync(work, { recursive: true, force: true });
    throw err;
  } finally {
    db.cleanup();
  }
}

/** `VACUUM INTO` a fresh file (SQLite's consistent online copy), check it, gzip it. */
async function snapshotSqlite(source: string, targetGz: string): Promise<void> {
  const sqlite = sqliteTool();
  const raw = targetGz.replace(/\.gz$/, '');
  // A reader: waits (up to 30 s) for a writer's lock instead of failing, and never writes the source.
  await run(sqlite, ['-readonly', '-cmd', '.timeout 30000', source, `VACUUM INTO '${raw.replace(/'/g, "''")}'`]);
  const check = (await run(sqlite, ['-readonly', raw, 'PRAGMA integrity_check'])).trim();
  if (check !== 'ok') throw new Error(`the Temporal snapshot fails SQLite's integrity check: ${check}`);
  await pipeline(fs.createReadStream(raw), zlib.createGzip(), fs.createWriteStream(targetGz));
  fs.rmSync(raw);
}

/**
 * A dump needs the TRIGGER privilege to carry the operation log's append-only triggers: MySQL's
 * mysqldump silently leaves out the triggers its account may not see, MariaDB's fails half way.
 * The runtime account has no TRIGGER, so this asks for one trigger's definition first and, when
 * refused, stops with the fix (BACKUP_DATABASE_URL) before anything is written.
 */
async function requireTriggerAccess(optionFile: string, database: string): Promise<void> {
  const sql = (statement: string) => run(sqlClient(), [`--defaults-extra-file=${optionFile}`, '--batch', '--skip-column-names', '-e', statement, database]);
  const hasLog = Number((await sql(`SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'operation_log'`)).trim()) > 0;
  if (!hasLog) return;
  try {
    await sql('SHOW CREATE TRIGGER operation_log_no_update');
  } catch (err) {
    throw new Error(
      `the backup account may not read the operation log's triggers (it lacks the TRIGGER privilege), so the dump would lose them: set BACKUP_DATABASE_URL to the backup or migration account (docs/deployment-security.md). ${(err as Error).message}`,
      { cause: err },
    );
  }
}

async function migrationLevel(optionFile: string, database: string): Promise<Manifest['migration']> {
  const out = await run(sqlClient(), [`--defaults-extra-file=${optionFile}`, '--batch', '--skip-column-names', '-e', 'SELECT COUNT(*), (SELECT name FROM knex_migrations ORDER BY id DESC LIMIT 1) FROM knex_migrations', database]);
  const [count, latest] = out.trim().split('\t');
  return { count: Number(count), latest: latest && latest !== 'NULL' ? latest : null };
}

async function dumpDatabase(tool: string, optionFile: string, database: string, targetGz: string): Promise<void> {
  const gzip = zlib.createGzip();
  const args = [
    `--defaults-extra-file=${optionFile}`,
    // One consistent snapshot of every InnoDB table without locking the platform out.
    '--single-transaction',
    '--routines',
    '--triggers',
    '--hex-blob',
    '--no-tablespaces',
    '--default-character-set=utf8mb4',
    database,
  ];
  await Promise.all([run(tool, args, { stdout: gzip }), pipeline(gzip, fs.createWriteStream(targetGz))]);
  // A dump that stopped half way lacks the closing comment.
  const tail = await gunzipTail(targetGz, 256);
  if (!/-- Dump completed/.test(tail)) throw new Error(`the dump of ${database} is incomplete (no "Dump completed" at its end)`);
}

async function gunzipTail(file: string, bytes: number): Promise<string> {
  let tail = '';
  await pipeline(fs.createReadStream(file), zlib.createGunzip(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) tail = (tail + chunk.toString('latin1')).slice(-bytes);
  });
  return tail;
}

/** The complete runs in a backup folder, newest first. */
export function completeRuns(backupDir: string): string[] {
  if (!fs.existsSync(backupDir)) return [];
  return fs
    .readdirSync(backupDir)
    .filter((n) => RUN_NAME.test(n) && fs.existsSync(path.join(backupDir, n, MANIFEST)))
    .sort()
    .reverse();
}

async function copyFiles(settings: BackupSettings, work: string, beat: () => void, warnings: string[]): Promise<{ count: number; bytes: number; copied: number; linked: number; previous: string | null }> {
  const target = path.join(work, PARTS.files);
  fs.mkdirSync(target, { recursive: true });
  // Files the latest complete run holds (and verified) are hard-linked from it: same bytes, no copy.
  const previous = completeRuns(settings.backupDir)[0] ?? null;
  const known = new Set<string>();
  if (previous) {
    const listFile = path.join(settings.backupDir, previous, PARTS.filesList);
    if (fs.existsSync(listFile)) for (const e of parseFilesList(fs.readFileSync(listFile, 'utf8'))) known.add(e.rel);
  }
  const lines: string[] = [];
  let bytes = 0;
  let copied = 0;
  let linked = 0;
  for (const [i, rel] of listStoredFiles(settings.filesDir).entries()) {
    if (i % 200 === 0) beat();
    const sha = path.basename(rel);
    const source = path.join(settings.filesDir, rel);
    const dest = path.join(target, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const earlier = previous ? path.join(settings.backupDir, previous, PARTS.files, rel) : null;
    let done = false;
    if (earlier && known.has(rel) && fs.existsSync(earlier) && fs.statSync(earlier).size === fs.statSync(source).size) {
      try {
        fs.linkSync(earlier, dest);
        linked += 1;
        done = true;
      } catch {
        // another file system, or no hard links: copy instead
      }
    }
    if (!done) {
      fs.copyFileSync(source, dest);
      // Content-addressed: a file's name is its SHA-256, so a copy is checked against its name.
      if ((await sha256File(dest)) !== sha) {
        fs.rmSync(dest);
        warnings.push(`files: ${rel} in the store does not match its SHA-256; left out`);
        continue;
      }
      copied += 1;
    }
    bytes += fs.statSync(dest).size;
    lines.push(`${sha}  ${rel}`);
  }
  fs.writeFileSync(path.join(work, PARTS.filesList), lines.map((l) => `${l}\n`).join(''));
  return { count: lines.length, bytes, copied, linked, previous };
}

/** Keeps the newest `keep` complete runs (the current one always among them). */
function applyRetention(settings: BackupSettings, current: string, log: (m: string) => void): string[] {
  const runs = completeRuns(settings.backupDir);
  const keep = new Set(runs.slice(0, Math.max(1, settings.keep)));
  keep.add(current);
  const deleted: string[] = [];
  for (const name of runs) {
    if (keep.has(name)) continue;
    fs.rmSync(path.join(settings.backupDir, name), { recursive: true, force: true });
    deleted.push(name);
  }
  if (deleted.length) log(`retention (keep ${settings.keep}): deleted ${deleted.join(', ')}`);
  return deleted;
}
