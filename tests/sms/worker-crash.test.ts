import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { deliveryWorkflowId } from '../../activities/sms';
import { acceptMessage } from '../../activities/sms/messages';
import { planMessage } from '../../lib/sms/pdu';
import { temporalClient } from '../../lib/temporal/client';
import { startSimulatedModems, type SimulatedModems } from '../../tools/modem-simulator';
import { freshTestDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';
import { LONG_CHINESE } from './helpers';

/**
 * The real SMS worker process (workers/sms.ts) killed with SIGKILL while a modem is sending, then
 * started again: every message arrives once and whole, none twice, none lost — including one
 * scheduled to go out while no worker was running.
 */
const root = path.resolve(__dirname, '..', '..');

interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function startWorkerProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'workers/sms.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        output.push(line);
        if (line.includes('"SMS worker running"')) resolve();
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', onLine);
    child.once('exit', (code) => reject(new Error(`the SMS worker exited (${code}) before it was ready:\n${output.slice(-30).join('\n')}`)));
  });
  ready.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, ready, exited };
}

describe('SMS worker killed mid-send', () => {
  let db: Knex;
  let url: string;
  let sim: SimulatedModems;
  let client: Client;
  let connection: Connection;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    ({ db, url } = await freshTestDatabase());
    // Slow enough sends that the kill lands while a part is on its way to the network.
    sim = await startSimulatedModems({ count: 2, sendDelayMs: 700, reportDelayMs: 100 });
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    client = temporalClient(connection, 'default');
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await connection?.close();
    await sim?.stop();
    await db?.destroy();
  });

  it('sends nothing twice and loses nothing', async () => {
    const env = {
      ...process.env,
      NODE_ENV: 'test' as const,
      LOG_LEVEL: 'info',
      DATABASE_URL: url,
      SMS_PORTS: sim.devicePaths.join(','),
      SMS_TASK_QUEUE: `sms-crash-${process.pid}`,
    };

    // A notice to eight subscribers, three parts each.
    const users = (await db('users').whereNotNull('phone').orderBy('id').limit(8).select('id', 'phone')) as Array<{ id: number; phone: string }>;
    const category = await db('sms_categories').where('code', 'emergency').first('id');
    await db('sms_subscriptions').insert(users.map((u) => ({ user_id: u.id, category_id: category.id })));
    const workflowId = `sms-notice-${crypto.randomUUID()}`;
    const [noticeId] = await db('sms_notices').insert({
      text: LONG_CHINESE,
      target_kind: 'category',
      target: JSON.stringify({ kind: 'category', categoryId: category.id }),
      status: 'scheduled',
      workflow_id: workflowId,
    });

    const first = startWorkerProcess(env);
    workers.push(first);
    await first.ready;
    const notice = await client.workflow.start('smsNoticeWorkflow', { taskQueue: env.SMS_TASK_QUEUE, workflowId, args: [{ noticeId }] });

    // Kill the worker the moment a modem starts sending a part, once two messages are out.
    await waitFor('two messages out', () => sim.network.allReceived().length >= 2, { timeoutMs: 120_000 });
    const killedWhile = await new Promise<{ imei: string }>((resolve) => {
      const handlers = sim.modems.map((m) => {
        const onTransmit = () => {
          first.child.kill('SIGKILL');
          handlers.forEach((h) => h());
          resolve({ imei: m.imei });
        };
        m.once('transmitting', onTransmit);
        return () => m.off('transmitting', onTransmit);
      });
    });
    expect(await first.exited).toBeNull(); // killed by the signal, not exited

    // A message due while no worker runs: its timer lives in Temporal, not in the worker.
    const due = await acceptMessage(db, { idempotencyKey: 'crash-test/scheduled', to: '13900000999', text: '您预约的维修将于今日下午上门。' });
    const { created_at: createdAt } = await db('sms_messages').where('id', due.messageId).first('created_at');
    await client.workflow.start('smsDeliveryWorkflow', { taskQueue: env.SMS_TASK_QUEUE, workflowId: deliveryWorkflowId(due.messageId, createdAt), args: [{ messageId: due.messageId, sendAt: new Date(Date.now() + 1_000).toISOString() }] });

    const second = startWorkerProcess(env);
    workers.push(second);
    await second.ready;
    const summary = await Promise.race([notice.result(), new Promise((_, reject) => setTimeout(() => reject(new Error(`notice not finished:\n${second.output.slice(-30).join('\n')}`)), 240_000).unref())]);
    expect(summary).toEqual({ status: 'done', sent: 8, failed: 0 });
    await waitFor('the scheduled message out', () => sim.network.receivedBy('13900000999').length > 0, { timeoutMs: 120_000 });

    // Every phone has the notice exactly once, whole; no stray parts anywhere.
    for (const u of users) expect(sim.network.receivedBy(u.phone).map((m) => m.text)).toEqual([LONG_CHINESE]);
    expect(sim.network.receivedBy('13900000999').map((m) => m.text)).toEqual(['您预约的维修将于今日下午上门。']);
    expect(sim.network.fragments()).toEqual([]);
    expect(sim.network.allParts()).toHaveLength(8 * planMessage(LONG_CHINESE).parts.length + 1);

    // The part in flight at the kill was settled by reading the SIM (its reference was lost with
    // the worker), not by sending it again.
    const settled = await db('sms_segments').whereNull('mr').whereIn('state', ['submitted', 'delivered']).select('modem_imei');
    expect(settled.map((s: { modem_imei: string }) => s.modem_imei)).toContain(killedWhile.imei);
    const statuses = await db('sms_messages').where('notice_id', noticeId).pluck('status');
    expect(statuses.every((s: string) => s === 'sent' || s === 'delivered')).toBe(true);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 360_000); // two worker start-ups and a heartbeat timeout on a loaded machine
});
