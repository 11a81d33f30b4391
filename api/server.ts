import { filesDirOf, loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { lazyTemporalClient } from '../lib/temporal/client';
import { createDb } from '../db/connection';
import { rotateFiles } from '../db/files';
import { startSessionPurge } from './auth/sessions';
import { startNoticeSweep } from './credit/notices';
import { createApp } from './app';

/** The API process: express on the configured port, a Temporal client for commands and /readyz. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('api', config.LOG_LEVEL);
  const db = createDb(config.DATABASE_URL);
  const temporal = lazyTemporalClient(config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`, config.TEMPORAL_NAMESPACE);
  const app = createApp({ config, db, log, temporal });
  // Expired and idle sessions are deleted in bounded batches (docs/security.md "Sessions").
  const stopPurge = startSessionPurge(db, config.SESSION_IDLE_MINUTES, log);
  // Pre-deductions whose notice case did not start with them (docs/credit.md, "Notice and appeal").
  const stopNotices = startNoticeSweep(db, temporal, { taskQueue: config.APPROVALS_TASK_QUEUE, smsTaskQueue: config.CASE_SMS_TASK_QUEUE || null }, log);
  const server = app.listen(config.PORT, config.HOST, () => log.info({ url: `http://${config.HOST}:${config.PORT}` }, 'API listening'));
  // Files stored before encryption at rest are encrypted in the background at every start
  // (idempotent, crash-safe, safe beside another instance doing the same; docs/encryption.md).
  // Downloads meanwhile read either form. Key rotation proper is `npm run keys:rotate`.
  rotateFiles(db, filesDirOf(config), log, { plaintextOnly: true }).catch((err) => log.error({ err }, 'could not encrypt the files stored in plaintext; will try again at the next start'));

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'API stopping');
    stopPurge();
    stopNotices();
    await new Promise((resolve) => server.close(resolve));
    await temporal.close();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
