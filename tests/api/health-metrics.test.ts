import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Express, Request } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { mayReadMetrics } from '../../api/metrics';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait';

/**
 * What an operator sees: /readyz with every component (MySQL, Temporal, the workers' pollers,
 * the modems), and /metrics in Prometheus' text format — the API's own counters and MySQL
 * gauges, and the Temporal SDK's metrics served by a real approvals worker process.
 */
describe('health and metrics', () => {
  let db: Knex;
  let dbUrl: string;
  let app: Express;
  let temporal: LazyTemporalClient;
  let worker: ChildProcess;
  let workerOutput = '';
  let workerMetricsPort: number;
  const taskQueue = `health-${process.pid}-${Date.now()}`;
  const smsQueue = `${taskQueue}-sms`;
  const token = 'metrics-token-0123456789abcdef';

  beforeAll(async () => {
    ({ db, url: dbUrl } = await freshTestDatabase());
    await publishShippedProcesses(db);
    ({ app, temporal } = testApp(db, { config: { APPROVALS_TASK_QUEUE: taskQueue, SMS_TASK_QUEUE: smsQueue, CASE_SMS_TASK_QUEUE: '', METRICS_TOKEN: token } }));
    // The real approvals worker process, with its SDK metrics switched on (they are off by default).
    workerMetricsPort = await freePort();
    worker = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../workers/approvals.ts')], {
      env: {
        ...process.env,
        DATABASE_URL: dbUrl,
        APPROVALS_TASK_QUEUE: taskQueue,
        BACKUP_CRON: 'off',
        RETENTION_CRON: 'off',
        APPROVALS_METRICS_PORT: String(workerMetricsPort),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d: Buffer) => (workerOutput += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (workerOutput += d.toString()));
    await waitFor(
      'the approvals worker to poll',
      async () => {
        if (worker.exitCode !== null) throw new Error(`the worker exited: ${workerOutput}`);
        const res = await request(app).get('/readyz');
        return res.body.components?.workerApprovals?.status === 'ok';
      },
      { timeoutMs: 90_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${workerOutput}`);
    });
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await temporal?.close();
    await db?.destroy();
  });

  it('reports every component on /readyz: ready on MySQL and Temporal, degraded for a missing worker and a modem out', async () => {
    await db('sms_modems').insert([
      { imei: '860000000000001', port: '/dev/ttyUSB0', status: 'ready' },
      { imei: '860000000000002', port: '/dev/ttyUSB1', status: 'out', reason: 'no network registration' },
    ]);
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ready',
      health: 'degraded',
      checks: { mysql: 'ok', temporal: 'ok' },
      components: {
        mysql: { status: 'ok' },
        temporal: { status: 'ok' },
        workerApprovals: { status: 'ok', taskQueue },
        // No SMS worker polls this file's SMS queue.
        workerSms: { status: 'down', taskQueue: smsQueue, reason: expect.stringMatching(/no worker polled/) },
        modems: { status: 'degraded', ready: 1, total: 2, reason: expect.stringMatching(/1 of 2 modems ready.*ttyUSB1 out \(no network registration\)/) },
      },
    });
    expect(res.body.components.workerApprovals.workflowPollers).toBeGreaterThan(0);
    expect(res.body.components.workerApprovals.activityPollers).toBeGreaterThan(0);

    await db('sms_modems').where('imei', '860000000000002').update({ status: 'ready', reason: null });
    expect((await request(app).get('/readyz')).body.components.modems).toMatchObject({ status: 'ok', ready: 2 });
  });

  it('is not ready when Temporal does not answer, and says so per component', async () => {
    const { lazyTemporalClient } = await import('../../lib/temporal/client');
    const cutOff = testApp(db, { temporal: lazyTemporalClient('127.0.0.1:1', 'default') });
    const t0 = Date.now();
    const res = await request(cutOff.app).get('/readyz');
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'not ready', health: 'down', components: { mysql: { status: 'ok' }, temporal: { status: 'down' }, workerApprovals: { status: 'down' } } });
    expect(res.body.checks.temporal).toMatch(/^unavailable/);
    await cutOff.temporal.close();
  });

  it('serves Prometheus text on /metrics, with the counters moving after a case start and a decision', async () => {
    const scrape = async () => {
      const res = await request(app).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      return res.text;
    };
    const value = (text: string, series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    };
    const before = await scrape();
    expect(before).toMatch(/^# HELP propsvc_http_request_duration_seconds /m);
    expect(before).toMatch(/^# TYPE propsvc_case_starts_total counter$/m);
    expect(before).toMatch(/^# TYPE propsvc_open_tasks gauge$/m);
    expect(before).toMatch(/^propsvc_sms_modem_ready\{modem="860000000000001",port="\/dev\/ttyUSB0"\} 1$/m);
    const startsBefore = value(before, 'propsvc_case_starts_total{process_key="sample-approval"}');

    const ent = await signIn(app, 'dongwu.ent');
    const started = await ent.post('/api/cases').send({ processKey: 'sample-approval', formData: { area: 100 } });
    expect(started.status).toBe(201);
    const task = await waitFor('the first task', async () => (await db('case_tasks').where({ case_id: started.body.id, status: 'open' }).first('id')) as { id: number } | undefined, { timeoutMs: 60_000 });
    const gusu = await signIn(app, 'gusu.staff');
    expect((await gusu.post(`/api/tasks/${task.id}/claim`).send({})).status).toBe(200);
    expect((await gusu.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve' })).status).toBe(200);

    const after = await scrape();
    expect(value(after, 'propsvc_case_starts_total{process_key="sample-approval"}')).toBe(startsBefore + 1);
    expect(value(after, 'propsvc_task_decisions_total{outcome="approve"}')).toBe(1);
    // Latency by route pattern, not by URL (no task id in any label).
    expect(after).toMatch(/^propsvc_http_request_duration_seconds_count\{method="POST",route="\/api\/tasks\/:id\/decide",status="200"\} 1$/m);
    expect(after).not.toMatch(new RegExp(`route="/api/tasks/${task.id}/`));
    // The open-task gauge is MySQL's count at scrape time (cached a few seconds).
    await waitFor('the open-task gauge to count the city review', async () => value(await scrape(), 'propsvc_open_tasks') >= 1, { timeoutMs: 15_000 });
    expect(after).toMatch(/^propsvc_overdue_tasks \d+$/m);
  });

  it('refuses a caller that is not on loopback unless it brings the token', async () => {
    // Through the trusted loopback proxy, X-Forwarded-For names the real client.
    const outside = await request(app).get('/metrics').set('X-Forwarded-For', '203.0.113.7');
    expect(outside.status).toBe(403);
    expect(outside.body.error.code).toBe('forbidden');
    expect((await request(app).get('/metrics').set('X-Forwarded-For', '203.0.113.7').set('Authorization', 'Bearer wrong-token-wrong-token')).status).toBe(403);
    const withToken = await request(app).get('/metrics').set('X-Forwarded-For', '203.0.113.7').set('Authorization', `Bearer ${token}`);
    expect(withToken.status).toBe(200);
    expect(withToken.text).toContain('propsvc_case_starts_total');

    const req = (ip: string, authorization?: string) => ({ ip, headers: authorization ? { authorization } : {} }) as unknown as Request;
    expect(mayReadMetrics(req('127.0.0.1'), undefined)).toBe(true);
    expect(mayReadMetrics(req('::1'), undefined)).toBe(true);
    expect(mayReadMetrics(req('::ffff:127.0.0.1'), undefined)).toBe(true);
    expect(mayReadMetrics(req('10.0.0.5'), undefined)).toBe(false);
    expect(mayReadMetrics(req('10.0.0.5', `Bearer ${token}`), undefined)).toBe(false);
    expect(mayReadMetrics(req('10.0.0.5', `Bearer ${token}`), token)).toBe(true);
    expect(mayReadMetrics(req('10.0.0.5', 'Bearer '), token)).toBe(false);
  });

  it('lets the worker serve the Temporal SDK’s own metrics on its configured port', async () => {
    const text = await waitFor(
      'the worker’s SDK metrics',
      async () => {
        const res = await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`);
        const body = await res.text();
        return res.ok && /^temporal_\w+/m.test(body) ? body : null;
      },
      { timeoutMs: 30_000 },
    );
    expect(text).toMatch(new RegExp(`task_queue="${taskQueue}"`));
    expect(text).toMatch(/^temporal_worker_task_slots_available\{/m);
  });
});
