import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { databaseTarget, parseFilesList, PARTS, run, sqlClient, sqliteTool, verifyRun, type BackupSettings, type Manifest } from './common';

/**
 * `npm run restore -- <run folder>`: puts the platform back to a backup run.
 *
 *  1. verifies every part against the manifest (sizes and SHA-256, every stored file hashed);
 *  2. refuses while the platform is up: the API port (HOST:PORT) or the Temporal dev server's
 *     port answers, or any session other than this one is connected to the platform's database
 *     (an API or a worker anywhere — the check that also sees processes on other machines);
 *  3. drops and recreates the platform's database and loads the dump (tables, rows, the operation
 *     log's append-only triggers);
 *  4. puts the Temporal state file in place (DATA_DIR/temporal.db; the replaced file is kept as
 *     temporal.db.pre-restore, stale -wal/-shm/-journal files are removed);
 *  5. replaces the file store with the backup's files (the replaced folder is kept as
 *     <FILES_DIR>.pre-restore).
 */
export interface RestoreChecks {
  apiHost: string;
  apiPort: number;
  /** The dev server `npm start` runs (127.0.0.1:TEMPORAL_PORT). */
  temporalPort: number;
}

export interface RestoreReport {
  manifest: Manifest;
  done: string[];
}

export async function restoreBackup(runDir: string, settings: BackupSettings, checks: RestoreChecks, log: (m: string) => void = () => {}): Promise<RestoreReport> {
  const done: string[] = [];
  const say = (m: string) => {
    done.push(m);
    log(m);
  };
  const dir = path.resolve(runDir);

  const { manifest, problems } = await verifyRun(dir, { deep: true });
  if (!manifest || problems.length) throw new Error(`the backup in ${dir} does not verify:\n  ${problems.join('\n  ')}`);
  say(`verified ${dir}: ${Object.keys(manifest.parts).length} parts, ${manifest.parts.files?.count ?? 0} files, taken ${manifest.at} (platform ${manifest.platformVersion}, migration ${manifest.migration.latest ?? 'none'})`);

  const db = databaseTarget(settings.databaseUrl);
  try {
    await refuseWhileRunning(db, settings, checks);
    say('the platform is down: nothing listens on the API or the Temporal port, nobody is connected to the database');

    // The database.
    const client = sqlClient();
    const opt = `--defaults-extra-file=${db.optionFile}`;
    await run(client, [opt, '-e', `DROP DATABASE IF EXISTS \`${db.name}\`; CREATE DATABASE \`${db.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`]);
    await run(client, [opt, '--default-character-set=utf8mb4', db.name], {
      stdin: fs.createReadStream(path.join(dir, PARTS.database)).pipe(zlib.createGunzip()),
    });
    const [tables, triggers, migrations] = (
      await run(client, [
        opt,
        '--batch',
        '--skip-column-names',
        '-e',
        `SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()), (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()), (SELECT COUNT(*) FROM knex_migrations)`,
        db.name,
      ])
    )
      .trim()
      .split('\t')
      .map(Number);
    if (migrations !== manifest.migration.count) throw new Error(`the restored database has ${migrations} migrations, the manifest says ${manifest.migration.count}`);
    say(`database ${db.name} on ${db.server}: dropped, recreated and loaded from ${PARTS.database} (${tables} tables, ${triggers} triggers, ${migrations} migrations)`);
  } finally {
    db.cleanup();
  }

  // The Temporal state file.
  if (manifest.parts.temporal) {
    fs.mkdirSync(settings.dataDir, { recursive: true });
    const target = path.join(settings.dataDir, 'temporal.db');
    const staging = `${target}.restoring`;
    await pipeline(fs.createReadStream(path.join(dir, PARTS.temporal)), zlib.createGunzip(), fs.createWriteStream(staging));
    const check = (await run(sqliteTool(), ['-readonly', staging, 'PRAGMA integrity_check'])).trim();
    if (check !== 'ok') throw new Error(`the restored Temporal state fails SQLite's integrity check: ${check}`);
    const aside = `${target}.pre-restore`;
    if (fs.existsSync(target)) {
      fs.rmSync(aside, { force: true });
      fs.renameSync(target, aside);
    }
    for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(`${target}${suffix}`, { force: true });
    fs.renameSync(staging, target);
    say(`Temporal state ${target} restored${fs.existsSync(aside) ? ` (the replaced file is ${aside})` : ''}`);
  } else {
    say(`no Temporal state file in this backup: ${manifest.temporal.note}`);
  }

  // The file store.
  const entries = parseFilesList(fs.readFileSync(path.join(dir, PARTS.filesList), 'utf8'));
  const staging = `${settings.filesDir}.restoring`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  for (const { rel } of entries) {
    fs.mkdirSync(path.dirname(path.join(staging, rel)), { recursive: true });
    fs.copyFileSync(path.join(dir, PARTS.files, rel), path.join(staging, rel), fs.constants.COPYFILE_FICLONE);
  }
  const filesAside = `${settings.filesDir}.pre-restore`;
  if (fs.existsSync(settings.filesDir)) {
    fs.rmSync(filesAside, { recursive: true, force: true });
    fs.renameSync(settings.filesDir, filesAside);
  }
  fs.renameSync(staging, settings.filesDir);
  say(`file store ${settings.filesDir} restored: ${entries.length} files${fs.existsSync(filesAside) ? ` (the replaced folder is ${filesAside})` : ''}`);

  return { manifest, done };
}

async function refuseWhileRunning(db: ReturnType<typeof databaseTarget>, settings: BackupSettings, checks: RestoreChecks): Promise<void> {
  const reasons: string[] = [];
  const apiHost = checks.apiHost === '0.0.0.0' || checks.apiHost === '::' ? '127.0.0.1' : checks.apiHost;
  if (await listening(apiHost, checks.apiPort)) reasons.push(`something listens on the API port ${apiHost}:${checks.apiPort} (the API is running)`);
  if (await listening('127.0.0.1', checks.temporalPort)) reasons.push(`something listens on the Temporal port 127.0.0.1:${checks.temporalPort} (the dev server is running)`);
  if (settings.temporalAddress) {
    const [host, port] = hostPort(settings.temporalAddress);
    if (!(host === '127.0.0.1' && port === checks.temporalPort) && (await listening(host, port))) reasons.push(`the Temporal server at ${settings.temporalAddress} answers`);
  }
  const sessions = (
    await run(sqlClient(), [`--defaults-extra-file=${db.optionFile}`, '--batch', '--skip-column-names', '-e', `SELECT ID, USER, HOST, COMMAND FROM information_schema.PROCESSLIST WHERE DB = '${db.name}' AND ID <> CONNECTION_ID()`])
  )
    .trim()
    .split('\n')
    .filter(Boolean);
  if (sessions.length) reasons.push(`${sessions.length} session(s) use the database ${db.name} (an API or a worker still runs): ${sessions.map((s) => s.split('\t').slice(1, 3).join('@')).join(', ')}`);
  if (reasons.length) throw new Error(`refusing to restore while the platform is up; stop it first (Ctrl-C on npm start):\n  ${reasons.join('\n  ')}`);
}

function hostPort(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i) || '127.0.0.1', Number(address.slice(i + 1))];
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
