import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type TestAgent from 'supertest/lib/agent';
import { publishProcess } from '../../lib/processes/store';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { dataConverter, WORKFLOW_BUNDLE_OPTIONS } from '../../lib/temporal/codec';
import { createApprovalsWorker } from '../../workers/approvals-worker';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';

/**
 * A real approvals worker (its own task queue) over a fresh database, and the real API
 * starting cases on that queue. One per test file; the workflow bundle is built once per file.
 */
export const quietLogger = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };

let bundle: Promise<Awaited<ReturnType<typeof bundleWorkflowCode>>> | null = null;
export function workflowBundle() {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger, ...WORKFLOW_BUNDLE_OPTIONS });
  return bundle;
}

export interface Engine {
  db: Knex;
  dbUrl: string;
  app: Express;
  temporal: LazyTemporalClient;
  taskQueue: string;
  connection: NativeConnection;
  worker: Worker | null;
  /** Messages the stub SMS worker accepted (startEngine({ sms: true })). */
  smsSent: Array<{ to: string; text: string; idempotencyKey: string }>;
  as(username: string): Promise<TestAgent>;
  stop(): Promise<void>;
}

/** Job workers of the test API (JOB_WORKERS): one for every type, one for the ERP's types only. */
export const TEST_JOB_WORKERS = [
  { name: 'test-worker', token: 'test-worker-token-0123456789abcdef', types: ['*'] },
  { name: 'erp', token: 'erp-worker-token-0123456789abcdefgh', types: ['erp-*'] },
];
export const jobWorkerAuth = (name = 'test-worker') => `Bearer ${TEST_JOB_WORKERS.find((w) => w.name === name)!.token}`;

export async function startEngine(opts: { worker?: boolean; sms?: boolean } = {}): Promise<Engine> {
  const { db, url } = await freshTestDatabase();
  const taskQueue = `cases-${process.pid}-${process.env.JEST_WORKER_ID ?? 0}-${Date.now()}`;
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  let worker: Worker | null = null;
  let running: Promise<void> | null = null;
  if (opts.worker !== false) {
    worker = await createApprovalsWorker({ connection, namespace: 'default', db, taskQueue, workflowBundle: await workflowBundle() });
    running = worker.run();
  }
  // A stand-in for the SMS worker's sendSms activity on a queue of this file's own.
  const smsSent: Engine['smsSent'] = [];
  let smsWorker: Worker | null = null;
  let smsRunning: Promise<void> | null = null;
  if (opts.sms) {
    smsWorker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue: `${taskQueue}-sms`,
      dataConverter: dataConverter(),
      activities: {
        async sendSms(input: { to: string; text: string; idempotencyKey: string }) {
          if (!smsSent.some((m) => m.idempotencyKey === input.idempotencyKey)) smsSent.push(input);
          return { messageId: smsSent.length, status: 'accepted' };
        },
      },
    });
    smsRunning = smsWorker.run();
  }
  const { app, temporal } = testApp(db, { config: { APPROVALS_TASK_QUEUE: taskQueue, CASE_SMS_TASK_QUEUE: opts.sms ? `${taskQueue}-sms` : '', JOB_WORKERS: TEST_JOB_WORKERS } });
  const agents = new Map<string, TestAgent>();
  return {
    db,
    dbUrl: url,
    app,
    temporal,
    taskQueue,
    connection,
    worker,
    smsSent,
    async as(username: string) {
      if (!agents.has(username)) agents.set(username, await signIn(app, username));
      return agents.get(username)!;
    },
    async stop() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      smsWorker?.shutdown();
      await smsRunning;
      await temporal.close();
      await connection.close();
      await db.destroy();
    },
  };
}

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** A BPMN document around process elements written in the tests. */
export function bpmn(processKey: string, body: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="defs_${processKey}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${processKey}" name="${processKey}" isExecutable="true">
${body}
  </bpmn:process>
${extra}
</bpmn:definitions>`;
}

export const flow = (id: string, from: string, to: string, condition?: string) =>
  condition
    ? `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</bpmn:conditionExpression></bpmn:sequenceFlow>`
    : `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

export const userTask = (id: string, assignment: string, extra = '', props: Record<string, string> = {}) =>
  `<bpmn:userTask id="${id}" name="${id}"><bpmn:extensionElements><zeebe:assignmentDefinition ${assignment} />${
    Object.keys(props).length
      ? `<zeebe:properties>${Object.entries(props)
          .map(([k, v]) => `<zeebe:property name="${k}" value="${v}" />`)
          .join('')}</zeebe:properties>`
      : ''
  }${extra}</bpmn:extensionElements></bpmn:userTask>`;

/** An end event recording the case result `value` (zeebe:property result). */
export const endWithResult = (id: string, value: string) => `<bpmn:endEvent id="${id}"><bpmn:extensionElements><zeebe:properties><zeebe:property name="result" value="${value}" /></zeebe:properties></bpmn:extensionElements></bpmn:endEvent>`;

export async function publish(db: Knex, xml: string): Promise<number> {
  const result = await publishProcess(db, xml, { publishedBy: null, source: 'api' });
  if (!result.ok) throw new Error(`test process does not validate: ${JSON.stringify(result.problems)}`);
  return result.published.version;
}

/** Decides a task through the API; anything but 200 fails the test with the answer. */
export async function decide(agent: TestAgent, taskId: number, outcome: string, extra: Record<string, unknown> = {}) {
  const res = await agent.post(`/api/tasks/${taskId}/decide`).send({ outcome, ...extra });
  if (res.status !== 200) throw new Error(`decide ${outcome} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface StartedCase {
  id: number;
  number: string;
  checkCode: string;
  workflowId: string;
}

export async function startCase(agent: TestAgent, processKey: string, formData: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<StartedCase> {
  const res = await agent.post('/api/cases').send({ processKey, formData, ...extra });
  if (res.status !== 201) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as StartedCase;
}

export interface TaskRow {
  id: number;
  task_key: string;
  node_id: string;
  status: string;
  assignee_id: number | null;
  kind: string;
  outcome: string | null;
}

export async function openTasks(db: Knex, caseId: number): Promise<TaskRow[]> {
  return db('case_tasks').where({ case_id: caseId, status: 'open' }).orderBy('id');
}

/** Waits until the case has an open task at the node, and answers it. */
export async function openTaskAt(db: Knex, caseId: number, nodeId: string, count = 1): Promise<TaskRow[]> {
  return waitFor(`open task at ${nodeId} of case ${caseId}`, async () => {
    const rows = (await openTasks(db, caseId)).filter((t) => t.node_id === nodeId);
    return rows.length >= count ? rows : null;
  });
}

export async function caseRow(db: Knex, caseId: number): Promise<{ status: string; result: string | null; variables: string }> {
  return db('cases').where('id', caseId).first();
}

export async function waitForStatus(db: Knex, caseId: number, status: string): Promise<void> {
  await waitFor(`case ${caseId} to be ${status}`, async () => (await caseRow(db, caseId)).status === status);
}

export async function historyKinds(db: Knex, caseId: number): Promise<string[]> {
  return db('case_history').where('case_id', caseId).orderBy('seq').pluck('kind');
}

export async function userId(db: Knex, username: string): Promise<number> {
  return (await db('users').where('username', username).first('id')).id;
}

/** With RECORD_REPLAY_HISTORIES=1, keeps the run's history for tests/engine/replay.test.ts (never overwrites). */
export async function recordHistory(engine: Engine, workflowId: string, name: string): Promise<void> {
  if (!process.env.RECORD_REPLAY_HISTORIES) return;
  const file = path.resolve(__dirname, '..', 'replay-histories', `${name}.json`);
  if (fs.existsSync(file)) return;
  const history = await (await engine.temporal.get()).workflow.getHandle(workflowId).fetchHistory();
  fs.writeFileSync(file, historyToJSON(history));
}
