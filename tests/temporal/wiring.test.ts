import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import request from 'supertest';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../lib/temporal/codec';
import { ensureSearchAttributes } from '../../lib/temporal/connect';
import { lazyTemporalClient } from '../../lib/temporal/client';
import { createApprovalsWorker } from '../../workers/approvals-worker';
import { testApp, signIn } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

/** The platform's wiring on the real Temporal dev server and MariaDB. */
describe('Temporal wiring', () => {
  let db: Knex;
  let connection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `approvals-wiring-${process.pid}`;

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} }, ...WORKFLOW_BUNDLE_OPTIONS });
    worker = await createApprovalsWorker({ connection, namespace: 'default', db, taskQueue, workflowBundle });
    running = worker.run();
  });

  afterAll(async () => {
    worker.shutdown();
    await running;
    await connection.close();
    await db.destroy();
  });

  it('runs a workflow whose activity reads MySQL, started from the client', async () => {
    const temporal = lazyTemporalClient(process.env.TEMPORAL_ADDRESS!, 'default');
    try {
      const client = await temporal.get();
      const result = await client.workflow.execute('selfCheckWorkflow', { taskQueue, workflowId: `wiring-${Date.now()}`, args: ['jest'] });
      expect(result).toMatchObject({ requestedBy: 'jest' });
      const dbTime = Date.parse((result as { databaseTime: string }).databaseTime);
      expect(Math.abs(dbTime - Date.now())).toBeLessThan(60_000);
    } finally {
      await temporal.close();
    }
  });

  it('has the case search attributes registered, and registering again changes nothing', async () => {
    const temporal = lazyTemporalClient(process.env.TEMPORAL_ADDRESS!, 'default');
    try {
      const client = await temporal.get();
      const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['CaseType', 'CaseDistrict', 'CaseApplicant', 'CaseStatus']));
      expect(await ensureSearchAttributes(client.connection, 'default')).toEqual([]);
    } finally {
      await temporal.close();
    }
  });

  it('reports ready when MySQL and Temporal answer, and not ready when Temporal does not', async () => {
    const { app, temporal } = testApp(db);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { mysql: 'ok', temporal: 'ok' } });
    await temporal.close();

    const { app: cutOff } = testApp(db, { temporal: lazyTemporalClient('127.0.0.1:1', 'default') });
    const notReady = await request(cutOff).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.mysql).toBe('ok');
    expect(notReady.body.checks.temporal).toMatch(/^unavailable/);
  });

  it('lets an administrator run the self-check through the API, and logs it', async () => {
    // The API starts the workflow on the standard queue; point a second worker at it for this test.
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} }, ...WORKFLOW_BUNDLE_OPTIONS });
    const standard = await createApprovalsWorker({ connection, namespace: 'default', db, workflowBundle });
    const { app, temporal } = testApp(db);
    try {
      await standard.runUntil(async () => {
        const admin = await signIn(app, 'admin');
        const res = await admin.post('/api/system/self-check');
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ requestedBy: 'admin' });
        const denied = await (await signIn(app, 'gusu.staff')).post('/api/system/self-check');
        expect(denied.status).toBe(403);
      });
      const log = await db('operation_log').where('action', 'system.self_check').orderBy('id');
      expect(log.map((r: { result: string; username: string }) => [r.username, r.result])).toEqual([
        ['admin', 'ok'],
        ['gusu.staff', 'denied'],
      ]);
    } finally {
      await temporal.close();
    }
  });
});
