import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD, DEMO_USERS } from '../../db/seeds/demo';
import { testDatabaseUrl } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { demoLoginBody } from '../helpers/totp';
import { waitFor } from '../helpers/wait';

/**
 * `npm start` end to end: one command provisions its own Temporal dev server, migrates and
 * seeds a database, starts the API and the workers, answers ready, lets every demo user sign
 * in — and Ctrl-C (SIGINT) stops every process it started.
 */
describe('npm start', () => {
  let child: ChildProcess;
  let output = '';
  let base: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-start-'));

  beforeAll(async () => {
    const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [path.resolve(__dirname, '../../scripts/start.cjs')], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: '', // provision a server of its own, as on a fresh machine
        PORT: String(port),
        TEMPORAL_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        DATA_DIR: dataDir,
        DATABASE_URL: testDatabaseUrl('_start'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers ready with MySQL and Temporal reachable', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', checks: { mysql: 'ok', temporal: 'ok' }, components: { mysql: { status: 'ok' }, temporal: { status: 'ok' } } });
  });

  it('prints the URL and the demo sign-ins', () => {
    expect(output).toContain(`${base}/`);
    expect(output).toContain(DEMO_PASSWORD);
    for (const u of DEMO_USERS) expect(output).toContain(u.username);
  });

  it('lets a demo user of every role sign in', async () => {
    for (const u of DEMO_USERS) {
      const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await demoLoginBody(u.username)) });
      expect([u.username, res.status]).toEqual([u.username, 200]);
    }
  });

  it('runs the approvals worker: the self-check workflow completes through the API', async () => {
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await demoLoginBody('admin')) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const res = await fetch(`${base}/api/system/self-check`, { method: 'POST', headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ requestedBy: 'admin' });
  });

  it('runs the SMS worker on four simulated modems, which report in ready', async () => {
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await demoLoginBody('admin')) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    expect(output).toMatch(/SMS\s+modems on /);
    const modems = await waitFor(
      'four ready modems',
      async () => {
        const rows = (await (await fetch(`${base}/api/sms/modems`, { headers: { cookie } })).json()) as Array<{ status: string }>;
        return rows.length === 4 && rows.every((m) => m.status === 'ready') ? rows : null;
      },
      { timeoutMs: 60_000 },
    );
    expect(modems).toHaveLength(4);
  });

  it('reports both workers polling and the modems ready on /readyz, and serves /metrics to loopback', async () => {
    const body = await waitFor(
      'every component ok',
      async () => {
        const b = (await (await fetch(`${base}/readyz`)).json()) as { health: string; components: Record<string, { status: string }> };
        return b.health === 'ok' ? b : null;
      },
      { timeoutMs: 60_000 },
    );
    expect(Object.fromEntries(Object.entries(body.components).map(([k, v]) => [k, v.status]))).toEqual({ mysql: 'ok', temporal: 'ok', workerApprovals: 'ok', workerSms: 'ok', modems: 'ok' });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^propsvc_sms_modem_ready\{.*\} 1$/m);
  });

  it('serves the admin UI', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
  });

  it('stops every process it started on SIGINT', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    // Nothing it started is left running: no process still names our data folder or the
    // simulated modems' folder (socat) on its command line.
    const modemDir = path.dirname(/SMS\s+modems on ([^,\s]+)/.exec(output)![1]);
    const leftovers = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const cmdline = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
          return cmdline.includes(dataDir) || cmdline.includes(modemDir);
        } catch {
          return false;
        }
      });
    expect(leftovers).toEqual([]);
  });
});
