import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { installTemporalRuntimeLogger } from '../lib/temporal/runtime-logger';
import { temporalClient } from '../lib/temporal/client';
import { connectWhenReady } from '../lib/temporal/connect';
import { temporalTls } from '../lib/temporal/tls';
import { createDb } from '../db/connection';
import { createSmsWorker } from './sms-worker';

/**
 * Process entry: the SMS worker on task queue "sms" (SMS_TASK_QUEUE), owning the modems named in
 * SMS_PORTS (comma-separated device paths). Without SMS_PORTS, outside production, it starts four
 * simulated modems of its own (tools/modem-simulator) so that development needs no hardware;
 * `npm start` passes the ports of simulators it launched itself. SIGINT/SIGTERM drain it.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker-sms', config.LOG_LEVEL);
  installTemporalRuntimeLogger(log, config.SMS_METRICS_PORT ? `${config.WORKER_METRICS_HOST}:${config.SMS_METRICS_PORT}` : undefined);
  const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;

  let ports = config.SMS_PORTS.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  let stopSimulators = async () => {};
  if (!ports.length) {
    if (config.NODE_ENV === 'production') throw new Error('SMS_PORTS names no serial port; set it to the modems’ device paths, comma-separated');
    const { startSimulatedModems } = await import('../tools/modem-simulator');
    const sim = await startSimulatedModems({ count: 4 });
    ports = sim.devicePaths;
    stopSimulators = sim.stop;
    log.warn({ ports }, 'SMS_PORTS is empty: running on four simulated modems');
  }

  await (await connectWhenReady(address)).close();
  const connection = await NativeConnection.connect({ address, tls: temporalTls() });
  const clientConnection = await Connection.connect({ address, tls: temporalTls() });
  const client = temporalClient(clientConnection, config.TEMPORAL_NAMESPACE);
  const db = createDb(config.DATABASE_URL);
  try {
    const sms = await createSmsWorker({ connection, client, namespace: config.TEMPORAL_NAMESPACE, db, ports, log, taskQueue: config.SMS_TASK_QUEUE });
    log.info({ address, taskQueue: sms.worker.options.taskQueue, ports }, 'SMS worker running');
    // Worker.run() installs its own SIGINT/SIGTERM handling and resolves after a graceful drain.
    await sms.run();
  } finally {
    await db.destroy();
    await clientConnection.close();
    await connection.close();
    await stopSimulators();
  }
  log.info('SMS worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
