import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../../db/connection';
import { createLogger } from '../../lib/logger';
import { INSTALL_HINT, findServerBinaries, resolveDatabase, type PrivateServer } from '../../lib/database/private-server';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait';

/**
 * The private database server `npm start` runs when DATABASE_URL is unset and nothing answers
 * at the default URL. The machine's own MariaDB keeps running: the "default" here is a dead port.
 */
const log = createLogger('test-private-db', process.env.TEST_LOG_LEVEL ?? 'warn');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line names the folder (the private server's does: --datadir=…). */
function processesNaming(folder: string): string[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(folder);
      } catch {
        return false;
      }
    });
}

const haveServer = findServerBinaries() !== null;
const describeWithServer = haveServer ? describe : describe.skip;

describeWithServer('the private database server (module)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-privdb-'));
  let deadUrl: string;
  let port: number;
  let server: PrivateServer | null = null;

  beforeAll(async () => {
    deadUrl = `mysql://root@127.0.0.1:${await freePort()}/propsvc`;
    port = await freePort();
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is initialised and started when nothing answers at the default URL, and answers queries', async () => {
    const resolved = await resolveDatabase({ url: deadUrl, explicit: false, log, dataDir, port });
    server = resolved.privateServer;
    expect(server).not.toBeNull();
    expect(server!).toMatchObject({ initialised: true, reused: false, port, dataDir: path.join(dataDir, 'mysql') });
    expect(resolved.url).toBe(`mysql://root@127.0.0.1:${port}/propsvc`);
    expect(fs.existsSync(path.join(dataDir, 'mysql', 'mysql'))).toBe(true);
    expect(alive(server!.pid)).toBe(true);

    const db = createDb(new URL('/', resolved.url).toString(), { min: 0, max: 1 });
    try {
      const [rows] = (await db.raw('SELECT @@port AS port, @@bind_address AS bind, @@datadir AS datadir')) as [Array<{ port: number; bind: string; datadir: string }>];
      expect(rows[0].port).toBe(port);
      expect(rows[0].bind).toBe('127.0.0.1');
      expect(path.resolve(rows[0].datadir)).toBe(path.join(dataDir, 'mysql'));
      await db.raw('CREATE DATABASE propsvc');
      await db.raw('CREATE TABLE propsvc.kept (id INT PRIMARY KEY, note VARCHAR(20)) CHARACTER SET utf8mb4');
      await db.raw("INSERT INTO propsvc.kept VALUES (1, '留存')");
    } finally {
      await db.destroy();
    }
  });

  it('stops cleanly, leaving no process behind', async () => {
    const pid = server!.pid;
    await server!.stop();
    server = null;
    expect(alive(pid)).toBe(false);
    expect(processesNaming(dataDir)).toEqual([]);
  });

  it('reuses its data on the next start: the table created before is still there', async () => {
    const resolved = await resolveDatabase({ url: deadUrl, explicit: false, log, dataDir, port });
    server = resolved.privateServer;
    expect(server).toMatchObject({ initialised: false, reused: false });
    const db = createDb(resolved.url, { min: 0, max: 1 });
    try {
      expect(await db('kept').select('id', 'note')).toEqual([{ id: 1, note: '留存' }]);
    } finally {
      await db.destroy();
    }
    const pid = server!.pid;
    await server!.stop();
    server = null;
    expect(alive(pid)).toBe(false);
    expect(processesNaming(dataDir)).toEqual([]);
  });

  it('refuses to start one when DATABASE_URL was set explicitly', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-privdb-explicit-'));
    try {
      await expect(resolveDatabase({ url: deadUrl, explicit: true, log, dataDir: other, port })).rejects.toThrow(/names that server explicitly, so no private server is started/);
      expect(fs.existsSync(path.join(other, 'mysql'))).toBe(false);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('fails saying how to install a server when there is no server binary', async () => {
    await expect(resolveDatabase({ url: deadUrl, explicit: false, log, dataDir, port, searchDirs: [] })).rejects.toThrow(INSTALL_HINT);
  });

  it('starts nothing when a server answers at the URL', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test');
    const resolved = await resolveDatabase({ url: url.toString(), explicit: false, log, dataDir, port });
    expect(resolved).toEqual({ url: url.toString(), privateServer: null });
  });
});

/**
 * `npm start` end to end with the default DATABASE_URL pointing at a dead port: it starts the
 * private server, the API answers ready on it, and Ctrl-C stops the server with the rest.
 */
describeWithServer('npm start without a database server', () => {
  let child: ChildProcess;
  let output = '';
  let base: string;
  let dbPort: number;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-start-privdb-'));

  beforeAll(async () => {
    const [port, temporalPort, uiPort, deadPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    dbPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: '', // its own Temporal dev server, as on a fresh machine
      PORT: String(port),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      DATA_DIR: dataDir,
      PSP_DEFAULT_DATABASE_URL: `mysql://root@127.0.0.1:${deadPort}/propsvc`,
      PRIVATE_DB_PORT: String(dbPort),
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    child = spawn(process.execPath, [path.resolve(__dirname, '../../scripts/start.cjs')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exitedEarly = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before it was up:\n${output}`))));
    const banner = waitFor('the start banner', async () => output.includes('Press Ctrl-C to stop'), { timeoutMs: 240_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; output so far:\n${output}`);
    });
    await Promise.race([banner, exitedEarly]);
    exitedEarly.catch(() => undefined); // the deliberate exit at the end of the suite is not an error
  }, 300_000);

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // If the run failed half-way, do not leave the server running.
    for (const pid of processesNaming(dataDir)) process.kill(Number(pid), 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('says it started a private server, where its data is and on which port', () => {
    expect(output).toContain(`initialised and started a private server on 127.0.0.1:${dbPort}`);
    expect(output).toContain(path.join(dataDir, 'mysql'));
    expect(output).toMatch(new RegExp(`Database\\s+mysql://root@127\\.0\\.0\\.1:${dbPort} — private MariaDB server`));
  });

  it('answers ready, with MySQL on the private server', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    // The readiness body is growing (per-component details); only its verdict and MySQL's matter here.
    const body = (await res.json()) as { status: string; checks: { mysql: string | { status: string } } };
    expect(body.status).toBe('ready');
    expect(typeof body.checks.mysql === 'string' ? body.checks.mysql : body.checks.mysql.status).toBe('ok');
    const db = createDb(`mysql://root@127.0.0.1:${dbPort}/propsvc`, { min: 0, max: 1 });
    try {
      expect(await db('users').where({ username: 'admin' }).count({ n: '*' })).toEqual([{ n: 1 }]);
    } finally {
      await db.destroy();
    }
  });

  it('stops the private server with everything else on SIGINT', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(processesNaming(dataDir)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'mysql.pid'))).toBe(false);
  });
});
