import { Connection, type Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { temporalClient } from '../../lib/temporal/client';
import { dataConverter, WORKFLOW_BUNDLE_OPTIONS } from '../../lib/temporal/codec';
import { createSmsWorker, type SmsWorker } from '../../workers/sms-worker';
import { startSimulatedModems, type SimulatedModems, type SimulatedModemsOptions } from '../../tools/modem-simulator';
import { quietLog, TEST_POOL_OPTIONS } from './helpers';

/**
 * An SMS worker in this process on simulated modems and the global setup's Temporal server, on a
 * queue of its own; optionally a "caller" worker running the fixture workflows.
 */
const silent = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };

export interface SmsHarness {
  sim: SimulatedModems;
  sms: SmsWorker;
  client: Client;
  smsQueue: string;
  callerQueue: string;
  stop(): Promise<void>;
}

export async function startSmsHarness(db: Knex, opts: { modems?: SimulatedModemsOptions; caller?: boolean; name: string }): Promise<SmsHarness> {
  const address = process.env.TEMPORAL_ADDRESS!;
  const smsQueue = `sms-${opts.name}-${process.pid}`;
  const callerQueue = `caller-${opts.name}-${process.pid}`;
  const sim = await startSimulatedModems({ count: 3, sendDelayMs: 40, reportDelayMs: 40, ...opts.modems });
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = temporalClient(clientConnection, 'default');
  const smsBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/sms'), logger: silent, ...WORKFLOW_BUNDLE_OPTIONS });
  const sms = await createSmsWorker({ connection, client, namespace: 'default', db, ports: sim.devicePaths, log: quietLog(), taskQueue: smsQueue, workflowBundle: smsBundle, pool: TEST_POOL_OPTIONS, sendWindowMs: 60_000 });
  const running: Array<Promise<void>> = [sms.run()];
  let caller: Worker | null = null;
  if (opts.caller) {
    const callerBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/caller-workflows'), logger: silent, ...WORKFLOW_BUNDLE_OPTIONS });
    caller = await Worker.create({ connection, namespace: 'default', taskQueue: callerQueue, workflowBundle: callerBundle, dataConverter: dataConverter() });
    running.push(caller.run());
  }
  return {
    sim,
    sms,
    client,
    smsQueue,
    callerQueue,
    async stop() {
      for (const w of [caller, sms.worker]) {
        if (w?.getState() === 'RUNNING') w.shutdown();
      }
      await Promise.allSettled(running);
      await clientConnection.close();
      await connection.close();
      await sim.stop();
    },
  };
}
