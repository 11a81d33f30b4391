import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type TestAgent from 'supertest/lib/agent';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { createApprovalsWorker } from '../../workers/approvals-worker';
import { openTaskAt, workflowBundle } from '../engine/harness';
import { waitFor } from '../helpers/wait';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { startSmsHarness, type SmsHarness } from '../sms/harness';

/**
 * One test file's platform: a fresh database with the demo seed and every shipped process
 * published, the real approvals worker on a queue of its own, the real SMS worker (one
 * simulated modem) on another, and the API starting cases that text through that SMS worker.
 * Generated files go to a temporary folder.
 */
export interface Platform {
  db: Knex;
  app: Express;
  temporal: LazyTemporalClient;
  filesDir: string;
  /** The approvals worker's queue, for another app (the browser tests') to start cases on. */
  taskQueue: string;
  sms: SmsHarness;
  as(username: string): Promise<TestAgent>;
  stop(): Promise<void>;
}

export async function startPlatform(name: string): Promise<Platform> {
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), `psp-${name}-`));
  // The activities and the API read FILES_DIR from the environment, as in production.
  process.env.FILES_DIR = filesDir;
  const { db } = await freshTestDatabase();
  await publishShippedProcesses(db);
  const sms = await startSmsHarness(db, { name, modems: { count: 1 } });
  const taskQueue = `approvals-${name}-${process.pid}-${Date.now()}`;
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker: Worker = await createApprovalsWorker({ connection, namespace: 'default', db, taskQueue, workflowBundle: await workflowBundle() });
  const running = worker.run();
  const { app, temporal } = testApp(db, { config: { APPROVALS_TASK_QUEUE: taskQueue, CASE_SMS_TASK_QUEUE: sms.smsQueue, FILES_DIR: filesDir } });
  const agents = new Map<string, TestAgent>();
  return {
    db,
    app,
    temporal,
    filesDir,
    taskQueue,
    sms,
    async as(username: string) {
      if (!agents.has(username)) agents.set(username, await signIn(app, username));
      return agents.get(username)!;
    },
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await temporal.close();
      await connection.close();
      await sms.stop();
      await db.destroy();
      fs.rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

export async function startCase(p: Platform, username: string, processKey: string, formData: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ id: number; number: string; workflowId: string }> {
  const res = await (await p.as(username)).post('/api/cases').send({ processKey, formData, ...extra });
  if (res.status !== 201) throw new Error(`start of ${processKey} as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: number; number: string; workflowId: string };
}

/** Waits for the open task at a node, claims it as the user and decides it. */
export async function decide(p: Platform, caseId: number, nodeId: string, username: string, body: Record<string, unknown>): Promise<void> {
  const [task] = await openTaskAt(p.db, caseId, nodeId);
  const agent = await p.as(username);
  if (task.assignee_id === null) {
    const claimed = await agent.post(`/api/tasks/${task.id}/claim`).send({});
    if (claimed.status !== 200) throw new Error(`claim of ${nodeId} by ${username}: ${claimed.status} ${JSON.stringify(claimed.body)}`);
  }
  const res = await agent.post(`/api/tasks/${task.id}/decide`).send(body);
  if (res.status !== 200) throw new Error(`decide ${nodeId} by ${username}: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function caseOf(db: Knex, caseId: number): Promise<{ status: string; result: string | null; variables: Record<string, unknown> }> {
  const row = (await db('cases').where('id', caseId).first('status', 'result', 'variables')) as { status: string; result: string | null; variables: string };
  return { ...row, variables: JSON.parse(row.variables) as Record<string, unknown> };
}

export async function waitForEnd(db: Knex, caseId: number): Promise<{ status: string; result: string | null; variables: Record<string, unknown> }> {
  return waitFor(
    `case ${caseId} to complete`,
    async () => {
      const c = await caseOf(db, caseId);
      if (c.status === 'incident') throw new Error(`case ${caseId} stopped with an incident: ${JSON.stringify(await db('case_history').where({ case_id: caseId, kind: 'incident' }).pluck('comment'))}`);
      return c.status === 'completed' ? c : null;
    },
    { timeoutMs: 90_000 },
  );
}

/** Kinds and nodes of a case's history, in order: what the case went through. */
export async function historyOf(db: Knex, caseId: number): Promise<Array<{ kind: string; node_id: string | null; outcome: string | null; comment: string | null }>> {
  return db('case_history').where('case_id', caseId).orderBy('seq').select('kind', 'node_id', 'outcome', 'comment');
}

/** SMS the case handed to the SMS worker: sms_messages rows whose idempotency key names the case's workflow. */
export async function smsOfCase(db: Knex, workflowId: string): Promise<Array<{ phone: string; text: string; status: string; user_id: number | null }>> {
  return db('sms_messages').where('idempotency_key', 'like', `${workflowId}/%`).orderBy('id').select('phone', 'text', 'status', 'user_id');
}

/** Waits until an SMS containing `fragment` went to `phone` for this case, and answers it. */
export async function waitForSms(db: Knex, workflowId: string, phone: string, fragment: string): Promise<{ phone: string; text: string; status: string }> {
  return waitFor(`SMS to ${phone} containing "${fragment}"`, async () => (await smsOfCase(db, workflowId)).find((m) => m.phone === phone && m.text.includes(fragment)), { timeoutMs: 60_000 });
}

/**
 * With RECORD_REPLAY_HISTORIES=1, stores the case's Temporal history as
 * tests/replay-histories/<processKey>.<scenario>.json for the replay test (tests/engine/replay.test.ts).
 * The generic recorder (npm run replay:record) cannot drive these processes (they need form data,
 * bids, experts, timers), so their own tests record them. An existing file is never overwritten.
 */
export async function recordHistory(p: Platform, processKey: string, workflowId: string, scenario: string): Promise<void> {
  if (!process.env.RECORD_REPLAY_HISTORIES) return;
  const file = path.resolve(__dirname, '..', 'replay-histories', `${processKey}.${scenario}.json`);
  if (fs.existsSync(file)) return;
  const history = await (await p.temporal.get()).workflow.getHandle(workflowId).fetchHistory();
  fs.writeFileSync(file, historyToJSON(history));
}

export { openTaskAt };
