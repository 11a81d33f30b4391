import { NativeConnection } from '@temporalio/worker';
import { ensureBackupSchedule } from '../lib/backup/schedule';
import { ensureCreditRatingSchedule } from '../lib/credit/schedule';
import { ensureRetentionSchedule } from '../lib/retention/schedule';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { temporalClient } from '../lib/temporal/client';
import { connectWhenReady } from '../lib/temporal/connect';
import { temporalTls } from '../lib/temporal/tls';
import { installTemporalRuntimeLogger } from '../lib/temporal/runtime-logger';
import { createDb } from '../db/connection';
import { createApprovalsWorker } from './approvals-worker';

/** Process entry: the approvals worker, on task queue "approvals". SIGINT/SIGTERM drain it cleanly. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker-approvals', config.LOG_LEVEL);
  installTemporalRuntimeLogger(log, config.APPROVALS_METRICS_PORT ? `${config.WORKER_METRICS_HOST}:${config.APPROVALS_METRICS_PORT}` : undefined);
  const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;
  const probe = await connectWhenReady(address);
  // The daily backup's Temporal Schedule (docs/operations.md), created or updated at every start.
  // A failure here is logged, not fatal: approvals must run even if the schedule cannot be written.
  await ensureBackupSchedule(temporalClient(probe, config.TEMPORAL_NAMESPACE), {
    cron: config.BACKUP_CRON,
    timezone: config.BACKUP_TIMEZONE,
    taskQueue: config.APPROVALS_TASK_QUEUE,
  }).then(
    (schedule) => log.info({ schedule, cron: config.BACKUP_CRON, timezone: config.BACKUP_TIMEZONE }, 'backup schedule'),
    (err) => log.error({ err }, 'could not create or update the backup schedule'),
  );
  // The daily retention sweep's Schedule (docs/retention.md), made the same way.
  await ensureRetentionSchedule(temporalClient(probe, config.TEMPORAL_NAMESPACE), {
    cron: config.RETENTION_CRON,
    timezone: config.RETENTION_TIMEZONE,
    taskQueue: config.APPROVALS_TASK_QUEUE,
  }).then(
    (schedule) => log.info({ schedule, cron: config.RETENTION_CRON, timezone: config.RETENTION_TIMEZONE }, 'retention schedule'),
    (err) => log.error({ err }, 'could not create or update the retention schedule'),
  );
  // The annual credit rating's Schedule (docs/credit.md), made the same way.
  await ensureCreditRatingSchedule(temporalClient(probe, config.TEMPORAL_NAMESPACE), {
    cron: config.CREDIT_RATING_CRON,
    timezone: config.CREDIT_RATING_TIMEZONE,
    taskQueue: config.APPROVALS_TASK_QUEUE,
  }).then(
    (schedule) => log.info({ schedule, cron: config.CREDIT_RATING_CRON, timezone: config.CREDIT_RATING_TIMEZONE }, 'credit rating schedule'),
    (err) => log.error({ err }, 'could not create or update the credit rating schedule'),
  );
  await probe.close();
  const connection = await NativeConnection.connect({ address, tls: temporalTls() });
  const db = createDb(config.DATABASE_URL);
  const worker = await createApprovalsWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, db, taskQueue: config.APPROVALS_TASK_QUEUE });
  log.info({ address, taskQueue: worker.options.taskQueue }, 'approvals worker running');
  // Worker.run() installs its own SIGINT/SIGTERM handling and resolves after a graceful drain.
  await worker.run();
  await db.destroy();
  await connection.close();
  log.info('approvals worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
