import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { TASK_QUEUES } from '../lib/config';
import { ModemPool, type PoolOptions } from '../lib/sms/pool';
import { createSmsActivities } from '../activities/sms';
import { reconcileSimStorage } from '../activities/sms/modems';
import { attachSmsRuntime, type SmsRuntime } from '../activities/sms/runtime';
import { dataConverter } from '../lib/temporal/codec';

/**
 * Builds the SMS worker: the modem pool on the given serial ports (this process is the only one
 * that opens them; serialport locks each port), what the modems receive stored in MySQL, and a
 * Temporal worker on the "sms" queue with the SMS activities and workflows. Tests call this with
 * their own connection, database and simulated ports; the process entry (sms.ts) adds the rest.
 */
export interface SmsWorkerOptions {
  connection: NativeConnection;
  /** For reply signals and for starting delivery workflows. */
  client: Client;
  namespace: string;
  db: Knex;
  ports: string[];
  log: Logger;
  taskQueue?: string;
  workflowBundle?: WorkerOptions['workflowBundle'];
  pool?: Omit<PoolOptions, 'log'>;
  sendWindowMs?: number;
}

export interface SmsWorker {
  worker: Worker;
  pool: ModemPool;
  runtime: SmsRuntime;
  /** Runs until the worker shuts down, then closes the ports. */
  run(): Promise<void>;
}

export async function createSmsWorker(opts: SmsWorkerOptions): Promise<SmsWorker> {
  const taskQueue = opts.taskQueue ?? TASK_QUEUES.sms;
  const log = opts.log;
  const pool = new ModemPool(opts.ports, { ...opts.pool, log: log.child({ component: 'modem-pool' }) });
  // Handlers first: the pool reads the SIMs as it starts, and a message is deleted from a SIM
  // only after it was stored.
  const runtime = attachSmsRuntime({ db: opts.db, pool, client: opts.client, log });
  try {
    await pool.start();
    await reconcileSimStorage(opts.db, pool, log);
    const worker = await Worker.create({
      connection: opts.connection,
      namespace: opts.namespace,
      taskQueue,
      // Phone numbers and message texts are encrypted before they reach Temporal.
      dataConverter: dataConverter(),
      ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows/sms') }),
      activities: createSmsActivities({ db: opts.db, pool, client: opts.client, log, taskQueue, sendWindowMs: opts.sendWindowMs }),
      // Let a message being sent finish its parts before the worker stops.
      shutdownGraceTime: '15 seconds',
    });
    log.info({ taskQueue, modems: pool.snapshot().map((m) => ({ path: m.path, imei: m.imei, status: m.status })) }, 'SMS worker ready');
    return {
      worker,
      pool,
      runtime,
      async run() {
        try {
          await worker.run();
        } finally {
          runtime.stop();
          await pool.stop();
        }
      },
    };
  } catch (err) {
    runtime.stop();
    await pool.stop();
    throw err;
  }
}
