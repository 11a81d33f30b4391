import { Connection } from '@temporalio/client';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createDb } from '../db/connection';
import { createApp } from './app';

/** The API process: express on the configured port, a Temporal client for commands and /readyz. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('api', config.LOG_LEVEL);
  const db = createDb(config.DATABASE_URL);
  const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;
  let connection: Connection | null = null;
  const checkTemporal = async () => {
    connection ??= await Connection.connect({ address, connectTimeout: 2_000 });
    await connection.workflowService.getSystemInfo({});
  };
  const app = createApp({ config, db, log, checkTemporal });
  const server = app.listen(config.PORT, config.HOST, () => log.info({ url: `http://${config.HOST}:${config.PORT}` }, 'API listening'));

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'API stopping');
    server.close();
    await db.destroy();
    await connection?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
