import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { lazyTemporalClient } from '../lib/temporal/client';
import { createDb } from '../db/connection';
import { createApp } from './app';

/** The API process: express on the configured port, a Temporal client for commands and /readyz. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('api', config.LOG_LEVEL);
  const db = createDb(config.DATABASE_URL);
  const temporal = lazyTemporalClient(config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`, config.TEMPORAL_NAMESPACE);
  const app = createApp({ config, db, log, temporal });
  const server = app.listen(config.PORT, config.HOST, () => log.info({ url: `http://${config.HOST}:${config.PORT}` }, 'API listening'));

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'API stopping');
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
