import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import mysql from 'mysql2/promise';

/**
 * The database `npm start` uses, in the order the platform promises:
 *   1. a server answers at DATABASE_URL → use it;
 *   2. DATABASE_URL was set explicitly → refuse: the operator named that server, and starting
 *      another one instead would hide the mistake;
 *   3. a MariaDB or MySQL server binary is installed (mariadbd, mysqld on PATH or in /usr/sbin)
 *      → run a private server of its own: data in DATA_DIR/mysql (initialised on first use),
 *      its own port and socket, bound to 127.0.0.1, run as the current user, stopped with the
 *      platform;
 *   4. otherwise → fail, saying how to install one.
 * Like the Temporal dev server (lib/temporal/provision.ts), it keeps its state under DATA_DIR,
 * so a restart loses nothing.
 */
export type ServerFlavour = 'mariadb' | 'mysql';

export interface ServerBinaries {
  flavour: ServerFlavour;
  /** mariadbd or mysqld */
  server: string;
  /** mariadb-install-db (MariaDB); MySQL initialises with `mysqld --initialize-insecure`. */
  installDb: string | null;
}

export interface PrivateServer {
  /** DATABASE_URL for the platform's processes: the private server, the database name kept. */
  url: string;
  port: number;
  dataDir: string;
  socket: string;
  /** The server's process id (the one in its pid file when it was already running). */
  pid: number;
  flavour: ServerFlavour;
  /** true: initialised just now (first use of this DATA_DIR). */
  initialised: boolean;
  /** true: found already running (a previous start left it); `stop` then leaves it running. */
  reused: boolean;
  stop(): Promise<void>;
}

export interface PrivateServerOptions {
  log: Logger;
  /** The platform's DATA_DIR; the server's files go to DATA_DIR/mysql and next to it. */
  dataDir: string;
  port: number;
  /** The database name the platform uses (kept from DATABASE_URL). */
  database?: string;
  /** Where to look for the binaries; PATH then /usr/sbin, /usr/bin, /usr/local/{s,}bin by default. */
  searchDirs?: string[];
  /** How long to wait for the server to answer; 60 s by default. */
  readyTimeoutMs?: number;
}

export interface ResolveDatabaseOptions extends Omit<PrivateServerOptions, 'database'> {
  /** DATABASE_URL, or the default when it was not set. */
  url: string;
  /** Whether DATABASE_URL was set in the environment (then no private server is started). */
  explicit: boolean;
}

export interface ResolvedDatabase {
  url: string;
  /** null when a server already answered at `url`. */
  privateServer: PrivateServer | null;
}

export const INSTALL_HINT =
  'Install one, e.g. `sudo apt-get install mariadb-server` (Debian/Ubuntu), `sudo dnf install mariadb-server` (Fedora/RHEL) or `brew install mariadb` (macOS); ' +
  'npm start then runs a private server with its data under DATA_DIR/mysql — or start your own server and set DATABASE_URL.';

export async function resolveDatabase(opts: ResolveDatabaseOptions): Promise<ResolvedDatabase> {
  const found = await probe(serverUrl(opts.url));
  if (found.ok) return { url: opts.url, privateServer: null };
  const host = new URL(opts.url).host;
  if (found.reachable) {
    throw new Error(`A MySQL/MariaDB server at ${host} refused the platform (${found.reason}). Set DATABASE_URL with the user and password to use.`);
  }
  if (opts.explicit) {
    throw new Error(
      `No MySQL/MariaDB answers at ${host} (${found.reason}), and DATABASE_URL names that server explicitly, so no private server is started. ` + 'Start that server, correct DATABASE_URL, or unset it to let npm start run a private one.',
    );
  }
  const binaries = findServerBinaries(opts.searchDirs);
  if (!binaries) {
    throw new Error(`No MySQL/MariaDB answers at ${host} (${found.reason}), and no MariaDB or MySQL server binary (mariadbd, mysqld) is installed. ${INSTALL_HINT}`);
  }
  opts.log.info({ host, reason: found.reason }, 'no database server answers at the default DATABASE_URL: starting a private one');
  const database = new URL(opts.url).pathname.replace(/^\//, '') || undefined;
  const server = await startPrivateServer({ ...opts, database }, binaries);
  return { url: server.url, privateServer: server };
}

/** Starts (initialising on first use) the private server of a DATA_DIR, or reuses it if it already runs. */
export async function startPrivateServer(opts: PrivateServerOptions, found?: ServerBinaries | null): Promise<PrivateServer> {
  const { log } = opts;
  const binaries = found ?? findServerBinaries(opts.searchDirs);
  if (!binaries) throw new Error(`No MariaDB or MySQL server binary (mariadbd, mysqld) is installed. ${INSTALL_HINT}`);
  const files = serverFiles(opts.dataDir);
  const url = `mysql://root@127.0.0.1:${opts.port}/${opts.database ?? ''}`;
  const base = { url, port: opts.port, dataDir: files.dataDir, socket: files.socket, flavour: binaries.flavour };

  // A server left running on this DATA_DIR (a start that was killed, or a second `npm start`):
  // a second server could not lock the data files anyway, so use it and leave it running.
  const leftover = runningPid(files.pidFile, files.dataDir);
  if (leftover !== null) {
    if ((await probe(`mysql://root@127.0.0.1:${opts.port}/`)).ok) {
      log.warn({ pid: leftover, port: opts.port, dataDir: files.dataDir }, 'the private database server of this DATA_DIR is already running; using it (it is not stopped with the platform)');
      return { ...base, pid: leftover, initialised: false, reused: true, stop: async () => {} };
    }
    throw new Error(`The private database server of ${files.dataDir} already runs (pid ${leftover}) but does not answer on port ${opts.port}; stop it or set PRIVATE_DB_PORT to its port.`);
  }
  const onPort = await probe(`mysql://root@127.0.0.1:${opts.port}/`, 1_000);
  if (onPort.ok || onPort.reachable) {
    throw new Error(`Port ${opts.port} is taken by another database server; set PRIVATE_DB_PORT to a free port for the private database server.`);
  }

  const initialised = !fs.existsSync(path.join(files.dataDir, 'mysql'));
  if (initialised) initialise(binaries, files.dataDir, log);

  const args = [
    '--no-defaults', // nothing from /etc/mysql: this server must not meet the machine's own
    `--datadir=${files.dataDir}`,
    `--port=${opts.port}`,
    '--bind-address=127.0.0.1',
    `--socket=${files.socket}`,
    `--pid-file=${files.pidFile}`,
    `--log-error=${files.errorLog}`,
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    ...userArgs(),
    ...(binaries.flavour === 'mysql' ? ['--mysqlx=OFF', '--skip-log-bin'] : []),
  ];
  // Its own process group: the terminal's Ctrl-C reaches the orchestrator, which stops the
  // database last, after the API and the workers that use it.
  const child = spawn(binaries.server, args, { stdio: 'ignore', detached: true });
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(err.message));
    child.once('exit', (code, signal) => resolve(`exited with ${signal ?? code}`));
  });
  try {
    await waitUntilAnswering(`mysql://root@127.0.0.1:${opts.port}/`, opts.readyTimeoutMs ?? 60_000, exited);
  } catch (err) {
    await stopChild(child);
    throw new Error(`The private database server did not start: ${(err as Error).message}. Its log, ${files.errorLog}, ends:\n${tail(files.errorLog)}`, { cause: err });
  }
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (!stopping) log.error({ code, signal, errorLog: files.errorLog }, 'the private database server exited');
  });
  log.info({ dataDir: files.dataDir, port: opts.port, socket: files.socket, pid: child.pid, binary: binaries.server, initialised }, 'private database server started');
  return {
    ...base,
    pid: child.pid!,
    initialised,
    reused: false,
    stop: async () => {
      stopping = true;
      await stopChild(child);
      log.info({ dataDir: files.dataDir }, 'private database server stopped');
    },
  };
}

/** The server binaries installed here, MariaDB first; null when there is none. */
export function findServerBinaries(searchDirs = defaultSearchDirs()): ServerBinaries | null {
  const find = (name: string) => searchDirs.map((d) => path.join(d, name)).find(isExecutable) ?? null;
  const mariadbInstall = find('mariadb-install-db') ?? find('mysql_install_db');
  const mariadbd = find('mariadbd');
  if (mariadbd && mariadbInstall) return { flavour: 'mariadb', server: mariadbd, installDb: mariadbInstall };
  const mysqld = find('mysqld');
  if (!mysqld) return null;
  // Before 10.5 MariaDB's server is called mysqld too (and it is often a link to mariadbd).
  const version = spawnSync(mysqld, ['--version'], { encoding: 'utf8' });
  if (/mariadb/i.test(`${version.stdout}${version.stderr}`)) return mariadbInstall ? { flavour: 'mariadb', server: mysqld, installDb: mariadbInstall } : null;
  return { flavour: 'mysql', server: mysqld, installDb: null };
}

function defaultSearchDirs(): string[] {
  const fromPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return [...new Set([...fromPath, '/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/local/mysql/bin'])];
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where the private server keeps its files: data in DATA_DIR/mysql, the rest beside it. */
export function serverFiles(platformDataDir: string): { dataDir: string; socket: string; pidFile: string; errorLog: string } {
  const root = path.resolve(platformDataDir);
  let socket = path.join(root, 'mysql.sock');
  // A Unix socket path is limited to 107 bytes; a deep DATA_DIR gets one in the temp folder.
  if (Buffer.byteLength(socket) > 100) socket = path.join(os.tmpdir(), `psp-mysql-${createHash('sha1').update(root).digest('hex').slice(0, 12)}.sock`);
  return { dataDir: path.join(root, 'mysql'), socket, pidFile: path.join(root, 'mysql.pid'), errorLog: path.join(root, 'mysql.log') };
}

/** Root may run MariaDB/MySQL only by saying so (or naming the owner of the data folder). */
function userArgs(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}

/** Initialises a new data folder in a staging folder, renamed into place once complete. */
function initialise(binaries: ServerBinaries, dataDir: string, log: Logger): void {
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const staging = `${dataDir}.init-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  // A data folder without the system tables is an earlier initialisation that did not finish.
  if (fs.existsSync(dataDir)) fs.rmSync(dataDir, { recursive: true, force: true });
  log.info({ dataDir, flavour: binaries.flavour }, 'initialising the private database server’s data folder (first use)');
  const [command, args] =
    binaries.flavour === 'mariadb'
      ? [binaries.installDb!, ['--no-defaults', `--datadir=${staging}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...userArgs()]]
      : [binaries.server, ['--no-defaults', '--initialize-insecure', `--datadir=${staging}`, ...userArgs()]];
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`Initialising the private database server's data folder failed (${command} ${args.join(' ')}): ${result.error?.message ?? `exit ${result.status}`}\n${output}`);
  }
  fs.renameSync(staging, dataDir);
}

/** The URL without the database: the server may not have it yet. */
function serverUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/';
  return u.toString();
}

type Probe = { ok: true } | { ok: false; reachable: boolean; reason: string };

/** Whether a server answers at the URL; if not, whether anything replied there at all, and why not. */
async function probe(url: string, timeoutMs = 3_000): Promise<Probe> {
  const u = new URL(url);
  let connection: mysql.Connection | null = null;
  try {
    // mysql2 itself, not knex: a refused connection is an expected answer here, not a pool error to log.
    connection = await mysql.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password),
      connectTimeout: timeoutMs,
    });
    await connection.query('SELECT 1');
    return { ok: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // A MySQL error (access denied, say) means a server is there; a socket error that none is.
    const reachable = typeof e.code === 'string' && e.code.startsWith('ER_');
    return { ok: false, reachable, reason: e.code ? `${e.code}: ${e.message}` : e.message };
  } finally {
    await connection?.end().catch(() => connection?.destroy());
  }
}

async function waitUntilAnswering(url: string, timeoutMs: number, exited: Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone: string | null = null;
  void exited.then((why) => (gone = why));
  let last = '';
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the server ${gone}`);
    const result = await probe(url, 2_000);
    if (result.ok) return;
    last = result.reason;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no answer within ${timeoutMs / 1000} s (${last})`);
}

/** The pid in the pid file if that process is alive and is a server on this data folder. */
function runningPid(pidFile: string, dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  try {
    // Where /proc exists, make sure the pid was not reused by something else.
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir) ? pid : null;
  } catch {
    return pid;
  }
}

/** SIGTERM is a clean shutdown for both servers; SIGKILL only after a minute. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
