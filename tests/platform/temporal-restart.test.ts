import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createDb } from '../../db/connection';
import { DEMO_PASSWORD } from '../../db/seeds/demo';
import { testDatabaseUrl } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait';

/**
 * The Temporal dev server `npm start` runs dies (SIGKILL, as the OOM killer would): commands
 * answer 503 temporal_unavailable with Retry-After at once instead of a 500 after 20 s, a case
 * start leaves no row behind, the dev server is started again on the same state file, and the
 * case that was waiting goes on to the end (the API and the workers reconnected).
 */
describe('npm start: the Temporal dev server dies and comes back', () => {
  let child: ChildProcess;
  let output = '';
  let base: string;
  let db: Knex;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-restart-'));
  const dbUrl = testDatabaseUrl('_restart');
  const stateFile = path.join(dataDir, 'temporal.db');

  /** The dev server of this test's npm start: the process whose command line names our state file. */
  const devServerPids = (): number[] =>
    fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const cmdline = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
          return cmdline.includes('start-dev') && cmdline.includes(stateFile);
        } catch {
          return false;
        }
      })
      .map(Number);
  const alive = (pid: number) => {
    try {
      // A zombie (killed, not yet reaped) still answers kill 0; its state says it is gone.
      return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };

  const signIn = async (username: string) => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    return (method: string, url: string, body?: unknown) => fetch(`${base}${url}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  const openTask = (caseId: number, nodeId: string) =>
    waitFor(`an open ${nodeId} task`, async () => (await db('case_tasks').where({ case_id: caseId, node_id: nodeId, status: 'open' }).first('id')) as { id: number } | undefined, { timeoutMs: 60_000 });

  beforeAll(async () => {
    const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [path.resolve(__dirname, '../../scripts/start.cjs')], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: '',
        PORT: String(port),
        TEMPORAL_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        DATA_DIR: dataDir,
        DATABASE_URL: dbUrl,
        LOG_LEVEL: 'warn',
        // The outage lasts at least this long, so the 503 checks below never race the restart.
        TEMPORAL_RESTART_DELAY_MS: '10000',
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
    exitedEarly.catch(() => undefined);
    db = createDb(dbUrl, { min: 0, max: 2 });
  }, 300_000);

  afterAll(async () => {
    // What the platform logged (warn and up) through the outage, for whoever reads the run afterwards.
    fs.mkdirSync(path.resolve(__dirname, '../artifacts'), { recursive: true });
    fs.writeFileSync(path.resolve(__dirname, '../artifacts/temporal-restart.log'), output);
    await db?.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while Temporal is down, restarts it, and the waiting case completes', async () => {
    const ent = await signIn('dongwu.ent');
    const gusu = await signIn('gusu.staff');
    const started = await ent('POST', '/api/cases', { processKey: 'sample-approval', formData: { area: 100 } });
    expect(started.status).toBe(201);
    const c = (await started.json()) as { id: number; workflowId: string };
    const first = await openTask(c.id, 'districtReview');
    expect((await gusu('POST', `/api/tasks/${first.id}/claim`, {})).status).toBe(200);

    const [pid] = devServerPids();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await waitFor('the dev server to die', async () => !alive(pid), { timeoutMs: 5_000 });

    // While it is down: every command answers 503 at once, never 500, never a 20 s wait.
    const timed = async (res: Promise<Response>) => {
      const t0 = Date.now();
      const r = await res;
      return { status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as { error: { code: string } }, ms: Date.now() - t0 };
    };
    const decide = await timed(gusu('POST', `/api/tasks/${first.id}/decide`, { outcome: 'approve' }));
    expect(decide).toMatchObject({ status: 503, body: { error: { code: 'temporal_unavailable' } } });
    expect(Number(decide.retryAfter)).toBeGreaterThan(0);
    expect(decide.ms).toBeLessThan(2_000);

    const casesBefore = Number(((await db('cases').count('* as n').first()) as { n: number }).n);
    const start = await timed(ent('POST', '/api/cases', { processKey: 'sample-approval', formData: { area: 100 } }));
    expect(start).toMatchObject({ status: 503, body: { error: { code: 'temporal_unavailable' } } });
    expect(start.ms).toBeLessThan(2_000);
    // No half-written case: the row it inserted before asking Temporal is gone again.
    expect(Number(((await db('cases').count('* as n').first()) as { n: number }).n)).toBe(casesBefore);

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);

    // Back within 30 s of the restart (10 s away here), on the same state file.
    const t0 = Date.now();
    await waitFor('/readyz to answer 200 again', async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 40_000 });
    const [newPid] = devServerPids();
    expect(newPid).toBeGreaterThan(0);
    expect(newPid).not.toBe(pid);
    expect(output).toMatch(/Temporal dev server exited; restarting it on the same state file/);
    console.log(`Temporal back and ready ${Date.now() - t0} ms after the 503 checks`);

    // The waiting case goes on: the decision that was refused is taken now, and the case completes.
    const again = await waitFor(
      'the decision to be accepted',
      async () => {
        const r = await gusu('POST', `/api/tasks/${first.id}/decide`, { outcome: 'approve' });
        if (r.status === 503) return null; // the API's or a worker's connection is still coming back
        return r;
      },
      { timeoutMs: 30_000 },
    );
    expect(again.status).toBe(200);
    const city = await signIn('city.staff');
    const second = await openTask(c.id, 'cityReview');
    expect((await city('POST', `/api/tasks/${second.id}/claim`, {})).status).toBe(200);
    expect((await city('POST', `/api/tasks/${second.id}/decide`, { outcome: 'approve' })).status).toBe(200);
    await waitFor('the case to complete', async () => ((await db('cases').where('id', c.id).first('status')) as { status: string }).status === 'completed', { timeoutMs: 60_000 });
  }, 180_000);

  it('stops cleanly afterwards, the restarted dev server included', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(devServerPids()).toEqual([]);
  });
});
