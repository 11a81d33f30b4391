import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filesDirOf, type Config } from '../config';

/**
 * What a backup run and a restore share: the settings they read, the manifest's shape, checksums,
 * the external tools (mariadb-dump / mysqldump, the mariadb / mysql client, sqlite3) and how they
 * are given the database credentials (a private option file, never the command line).
 * docs/operations.md is the operator's side of this.
 */
export interface BackupSettings {
  databaseUrl: string;
  /** The dev server's state file lives here as temporal.db. */
  dataDir: string;
  filesDir: string;
  backupDir: string;
  keep: number;
  /** Set when the platform uses a Temporal server of its own (then temporal.db is not its state). */
  temporalAddress?: string;
}

export function backupSettings(config: Config): BackupSettings {
  return {
    // The runtime account cannot dump triggers (no TRIGGER privilege): production names a backup account.
    databaseUrl: config.BACKUP_DATABASE_URL ?? config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    filesDir: filesDirOf(config),
    backupDir: config.BACKUP_DIR ?? path.join(config.DATA_DIR, 'backups'),
    keep: config.BACKUP_KEEP,
    temporalAddress: config.TEMPORAL_ADDRESS,
  };
}

export const MANIFEST = 'manifest.json';
export const PARTS = {
  database: 'database.sql.gz',
  temporal: 'temporal.db.gz',
  files: 'files',
  filesList: 'files.sha256',
} as const;

export interface ManifestPart {
  /** Relative to the run's folder. */
  path: string;
  size: number;
  sha256: string;
  description: string;
  /** For the files folder: how many files; size and sha256 are then those of files.sha256. */
  count?: number;
  totalBytes?: number;
}

export interface Manifest {
  format: 1;
  /** The run's instant (the schedule's scheduled time, or the moment `npm run backup` started). */
  at: string;
  startedAt: string;
  finishedAt: string;
  platformVersion: string;
  migration: { count: number; latest: string | null };
  database: { name: string; server: string; dumpTool: string };
  temporal: { stateFile: boolean; note: string };
  parts: Record<string, ManifestPart>;
}

/** A run's folder name: its UTC instant in ISO 8601 basic form, 20260102T183000Z (no colons). */
export function runName(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}
export const RUN_NAME = /^\d{8}T\d{6}Z$/;

export function platformVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export async function describeFile(dir: string, rel: string, description: string): Promise<ManifestPart> {
  const file = path.join(dir, rel);
  return { path: rel, size: fs.statSync(file).size, sha256: await sha256File(file), description };
}

/** The `sha256sum` listing of the files part: one "<sha256>  <aa>/<sha256>" line per file. */
export function parseFilesList(text: string): Array<{ sha256: string; rel: string }> {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      if (!m) throw new Error(`malformed line in ${PARTS.filesList}: ${line}`);
      return { sha256: m[1], rel: m[2] };
    });
}

/** Content-addressed files of the file store (`<aa>/<sha256>`); temporary files of a write in progress are skipped. */
export function listStoredFiles(filesDir: string): string[] {
  if (!fs.existsSync(filesDir)) return [];
  const out: string[] = [];
  for (const prefix of fs.readdirSync(filesDir).sort()) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    const sub = path.join(filesDir, prefix);
    if (!fs.statSync(sub).isDirectory()) continue;
    for (const name of fs.readdirSync(sub).sort()) {
      if (/^[0-9a-f]{64}$/.test(name) && name.startsWith(prefix)) out.push(`${prefix}/${name}`);
    }
  }
  return out;
}

/**
 * Checks every part of a run against its manifest: sizes and SHA-256 of the dump, the Temporal
 * state file and the files listing, then every listed file's size and hash (`deep`) or its
 * presence and size (the quick check after a run, where new files were hashed as they were copied).
 * Answers the problems found; empty means the run is good.
 */
export async function verifyRun(runDir: string, opts: { deep: boolean }): Promise<{ manifest: Manifest | null; problems: string[] }> {
  const problems: string[] = [];
  const manifestFile = path.join(runDir, MANIFEST);
  if (!fs.existsSync(manifestFile)) return { manifest: null, problems: [`${MANIFEST} is missing (an incomplete run?)`] };
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
  } catch (err) {
    return { manifest: null, problems: [`${MANIFEST} is not valid JSON: ${(err as Error).message}`] };
  }
  for (const [key, part] of Object.entries(manifest.parts)) {
    const file = path.join(runDir, part.path);
    if (!fs.existsSync(file)) {
      problems.push(`${key}: ${part.path} is missing`);
      continue;
    }
    const size = fs.statSync(file).size;
    if (size !== part.size) problems.push(`${key}: ${part.path} is ${size} bytes, the manifest says ${part.size}`);
    else if ((await sha256File(file)) !== part.sha256) problems.push(`${key}: ${part.path} does not match its SHA-256`);
  }
  const list = manifest.parts.files;
  if (list && !problems.some((p) => p.startsWith('files:'))) {
    const entries = parseFilesList(fs.readFileSync(path.join(runDir, list.path), 'utf8'));
    if (list.count !== undefined && entries.length !== list.count) problems.push(`files: the listing has ${entries.length} files, the manifest says ${list.count}`);
    for (const { sha256, rel } of entries) {
      const file = path.join(runDir, PARTS.files, rel);
      if (!fs.existsSync(file)) problems.push(`files: ${rel} is missing`);
      else if (opts.deep && (await sha256File(file)) !== sha256) problems.push(`files: ${rel} does not match its SHA-256`);
    }
  }
  return { manifest, problems };
}

// --- External tools ---------------------------------------------------------------------------

function onPath(command: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const result = found.stdout.trim();
  return found.status === 0 && result ? result : null;
}

export function findTool(candidates: string[], debianPackage: string): string {
  for (const candidate of candidates) {
    const found = onPath(candidate);
    if (found) return found;
  }
  throw new Error(`none of ${candidates.join(', ')} is installed; install the Debian package ${debianPackage}`);
}

export const dumpTool = () => findTool(['mariadb-dump', 'mysqldump'], 'mariadb-client');
export const sqlClient = () => findTool(['mariadb', 'mysql'], 'mariadb-client');
export const sqliteTool = () => findTool(['sqlite3'], 'sqlite3');

export interface DatabaseTarget {
  name: string;
  server: string;
  /** A private option file with the credentials; pass it first as --defaults-extra-file. */
  optionFile: string;
  cleanup(): void;
}

/** The database named in DATABASE_URL, with an option file so no password shows in `ps`. */
export function databaseTarget(databaseUrl: string): DatabaseTarget {
  const url = new URL(databaseUrl);
  const name = url.pathname.replace(/^\//, '');
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unsupported database name in DATABASE_URL: "${name}"`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-dbopt-'));
  const optionFile = path.join(dir, 'client.cnf');
  const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = [
    '[client]',
    `host=${url.hostname}`,
    `port=${url.port || 3306}`,
    `user=${quote(decodeURIComponent(url.username || 'root'))}`,
    ...(url.password ? [`password=${quote(decodeURIComponent(url.password))}`] : []),
    // TCP even for "localhost", as the platform itself connects.
    'protocol=TCP',
  ];
  fs.writeFileSync(optionFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { name, server: `${url.hostname}:${url.port || 3306}`, optionFile, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a tool, streaming its stdout into `stdout` (a writable) or collecting it; rejects with its stderr. */
export function run(command: string, args: string[], opts: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    if (opts.stdout) child.stdout!.pipe(opts.stdout);
    else child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    if (opts.stdin) {
      opts.stdin.on('error', (e) => child.kill() && reject(e));
      child.stdin!.on('error', () => {}); // the child's exit status reports why it stopped reading
      opts.stdin.pipe(child.stdin!);
    }
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(command)} exited with ${code}: ${err.trim() || '(no message)'}`));
    });
  });
}
