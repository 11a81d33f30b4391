import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type TestAgent from 'supertest/lib/agent';
import { createDb, type Knex } from '../../db/connection';
import { runBackup } from '../../lib/backup/backup';
import { backupSettings, MANIFEST, verifyRun, type Manifest } from '../../lib/backup/common';
import { restoreBackup } from '../../lib/backup/restore';
import { ensureBackupSchedule } from '../../lib/backup/schedule';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import { lazyTemporalClient, type LazyTemporalClient } from '../../lib/temporal/client';
import { provisionTemporal, type TemporalServer } from '../../lib/temporal/provision';
import { caseStateQuery } from '../../workflows/case/contract';
import { createApprovalsWorker } from '../../workers/approvals-worker';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { openTaskAt, openTasks, startCase, waitForStatus, workflowBundle, type StartedCase } from '../engine/harness';
import { waitFor } from '../helpers/wait';

/**
 * The restore drill (R3) on real services: a Temporal dev server of this file's own (so it can be
 * stopped for the restore and started again on the restored state file), an approvals worker and
 * the API over a fresh database. Two sample-approval cases are started, the Temporal Schedule's
 * backup workflow is triggered, one case is advanced, everything is stopped and restored, and
 * both cases must be where they were at the backup — in MySQL and in their workflows — and
 * still completable.
 */
jest.setTimeout(240_000);

interface Platform {
  temporal: TemporalServer;
  db: Knex;
  connection: NativeConnection;
  worker: Worker;
  running: Promise<void>;
  client: LazyTemporalClient;
  app: Express;
  agents: Map<string, TestAgent>;
}

describe('backup and restore drill', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-backup-'));
  const dataDir = path.join(tmp, 'data');
  const filesDir = path.join(dataDir, 'files');
  const backupDir = path.join(tmp, 'backups');
  const log = createLogger('backup-test', process.env.TEST_LOG_LEVEL ?? 'warn');
  const taskQueue = `backup-${process.pid}-${Date.now()}`;
  const savedEnv = { ...process.env };
  let dbUrl: string;
  let port: number;
  let p: Platform | null = null;

  const as = async (username: string) => {
    if (!p!.agents.has(username)) p!.agents.set(username, await signIn(p!.app, username));
    return p!.agents.get(username)!;
  };

  async function startPlatform(): Promise<Platform> {
    const cacheDir = loadConfig({ ...process.env, NODE_ENV: 'test' }).CACHE_DIR;
    const temporal = await provisionTemporal({ log, namespace: 'default', dataDir, cacheDir, port, uiPort: false, reuseRunning: false });
    const db = createDb(dbUrl);
    const connection = await NativeConnection.connect({ address: temporal.address });
    const worker = await createApprovalsWorker({ connection, namespace: 'default', db, taskQueue, workflowBundle: await workflowBundle() });
    const running = worker.run();
    const client = lazyTemporalClient(temporal.address, 'default');
    const { app } = testApp(db, { config: { APPROVALS_TASK_QUEUE: taskQueue, CASE_SMS_TASK_QUEUE: '', FILES_DIR: filesDir }, temporal: client });
    return { temporal, db, connection, worker, running, client, app, agents: new Map() };
  }

  async function stopPlatform(): Promise<void> {
    if (!p) return;
    const { worker, running, client, connection, db, temporal } = p;
    p = null;
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await client.close();
    await connection.close();
    await db.destroy();
    await temporal.stop();
  }

  beforeAll(async () => {
    port = await freePort();
    const fresh = await freshTestDatabase({ suffix: '_bk' });
    dbUrl = fresh.url;
    await publishShippedProcesses(fresh.db);
    await fresh.db.destroy();
    // The backup activity reads its settings from the worker's environment, as in production.
    Object.assign(process.env, { DATABASE_URL: dbUrl, DATA_DIR: dataDir, FILES_DIR: filesDir, BACKUP_DIR: backupDir, BACKUP_KEEP: '2' });
    delete process.env.TEMPORAL_ADDRESS;
    p = await startPlatform();
  });

  afterAll(async () => {
    await stopPlatform();
    process.env = savedEnv;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const upload = async (agent: TestAgent, text: string): Promise<string> => {
    const res = await agent
      .post('/api/files')
      .query({ name: `${text}.pdf` })
      .set('content-type', 'application/pdf')
      .send(Buffer.from(`%PDF-1.4 ${text}`));
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const state = async (c: StartedCase) => (await p!.client.get()).workflow.getHandle(c.workflowId).query(caseStateQuery);
  const openNodes = async (c: StartedCase) => (await openTasks(p!.db, c.id)).map((t) => t.node_id);
  const claimAndApprove = async (username: string, taskId: number) => {
    const agent = await as(username);
    expect((await agent.post(`/api/tasks/${taskId}/claim`).send({})).status).toBe(200);
    expect((await agent.post(`/api/tasks/${taskId}/decide`).send({ outcome: 'approve' })).status).toBe(200);
  };

  it('puts cases, files and the operation log back as they were at the backup', async () => {
    const started = Date.now();
    const ent = await as('dongwu.ent');
    const a = await startCase(ent, 'sample-approval', { area: 100 });
    const b = await startCase(ent, 'sample-approval', { area: 200 });
    const [taskA] = await openTaskAt(p!.db, a.id, 'districtReview');
    await openTaskAt(p!.db, b.id, 'districtReview');
    const before = await upload(ent, 'before-backup');

    // The schedule: created, then updated on the next start (idempotent); a trigger runs it now.
    const client = await p!.client.get();
    expect(await ensureBackupSchedule(client, { cron: '30 2 * * *', timezone: 'Asia/Shanghai', taskQueue })).toBe('created');
    expect(await ensureBackupSchedule(client, { cron: '45 2 * * *', timezone: 'Asia/Shanghai', taskQueue })).toBe('updated');
    const schedule = client.schedule.getHandle('platform-backup');
    const described = await schedule.describe();
    expect(described.spec.timezone).toBe('Asia/Shanghai');
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 45, end: 45, step: 1 }] });
    await schedule.trigger();
    const workflowId = await waitFor('the scheduled backup to start', async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId);
    const result = (await client.workflow.getHandle(workflowId).result()) as { name: string; dir: string; reused: boolean };
    expect(result.reused).toBe(false);
    const runDir = path.join(backupDir, result.name);
    expect(result.dir).toBe(runDir);
    const manifest = JSON.parse(fs.readFileSync(path.join(runDir, MANIFEST), 'utf8')) as Manifest;
    expect(Object.keys(manifest.parts).sort()).toEqual(['database', 'files', 'temporal']);
    expect(manifest.parts.files).toMatchObject({ count: 1 });
    expect(manifest.migration.count).toBeGreaterThan(0);
    expect(manifest.platformVersion).toBe(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).version);
    expect((await verifyRun(runDir, { deep: true })).problems).toEqual([]);

    // A retried run for the same instant answers the complete folder instead of writing another.
    const settings = backupSettings(loadConfig({ ...process.env, NODE_ENV: 'test' }));
    expect(await runBackup(settings, { at: new Date(manifest.at) })).toMatchObject({ name: result.name, reused: true });

    // Work after the backup: case A advances, a file is uploaded, the operation log grows.
    await claimAndApprove('gusu.staff', taskA.id);
    await openTaskAt(p!.db, a.id, 'cityReview');
    expect((await state(a)).openTasks.map((t) => t.nodeId)).toEqual(['cityReview']);
    const after = await upload(ent, 'after-backup');
    const logRows = async (db: Knex) => Number(((await db('operation_log').count('* as n').first()) as { n: number }).n);
    const logAfterWork = await logRows(p!.db);

    // The restore refuses while the platform runs (Temporal answers, the worker holds connections).
    await expect(restoreBackup(runDir, settings, { apiHost: '127.0.0.1', apiPort: await freePort(), temporalPort: port })).rejects.toThrow(/refusing to restore[\s\S]*Temporal port[\s\S]*session/);

    await stopPlatform();
    const report = await restoreBackup(runDir, settings, { apiHost: '127.0.0.1', apiPort: await freePort(), temporalPort: port });
    expect(report.done.join('\n')).toMatch(/dropped, recreated and loaded[\s\S]*4 triggers[\s\S]*Temporal state[\s\S]*file store/);

    p = await startPlatform();
    // MySQL: A is back at its first task, B unchanged; the later file and log rows are gone.
    expect(await openNodes(a)).toEqual(['districtReview']);
    expect(await openNodes(b)).toEqual(['districtReview']);
    expect((await p.db('case_tasks').where({ case_id: a.id, node_id: 'districtReview' }).first()).id).toBe(taskA.id);
    expect(await p.db('case_tasks').where({ case_id: a.id, node_id: 'cityReview' })).toHaveLength(0);
    expect(await p.db('files').where('id', before).first()).toBeTruthy();
    expect(await p.db('files').where('id', after).first()).toBeUndefined();
    expect(fs.readdirSync(filesDir).length).toBe(1);
    expect(await logRows(p.db)).toBeLessThan(logAfterWork);
    // The operation log is append-only again: its triggers came back with the dump.
    await expect(p.db('operation_log').update({ path: '/rewritten' })).rejects.toThrow(/append-only/);

    // Temporal: the workflows are where they were too.
    expect((await state(a)).openTasks.map((t) => t.nodeId)).toEqual(['districtReview']);
    expect((await state(b)).openTasks.map((t) => t.nodeId)).toEqual(['districtReview']);

    // And work goes on: A is approved to the end.
    p.agents.clear();
    await claimAndApprove('gusu.staff', taskA.id);
    const [cityTask] = await openTaskAt(p.db, a.id, 'cityReview');
    await claimAndApprove('city.staff', cityTask.id);
    await waitForStatus(p.db, a.id, 'completed');
    expect((await state(a)).status).toBe('completed');

    // Retention (BACKUP_KEEP=2): after two more runs, the oldest is deleted.
    await runBackup(settings, { at: new Date(Date.parse(manifest.at) + 1_000) });
    const third = await runBackup(settings, { at: new Date(Date.parse(manifest.at) + 2_000) });
    expect(third.deleted).toEqual([result.name]);
    expect(fs.readdirSync(backupDir).sort()).toHaveLength(2);
    log.info({ ms: Date.now() - started }, 'drill done');
  });
});
