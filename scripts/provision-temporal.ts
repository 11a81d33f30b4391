import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { resolveTemporalCli } from '../lib/temporal/provision';

/**
 * `npm run temporal:provision`: makes sure a Temporal CLI dev server binary is available (on
 * PATH, or built from its Go module into the cache) and prints its path. CI runs this before the
 * tests so the one-time build does not happen inside a test run.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('provision', config.LOG_LEVEL);
  const cli = await resolveTemporalCli(config.CACHE_DIR, log);
  if (!cli) {
    log.warn('no temporal CLI on PATH and no Go toolchain: tests and `npm start` will let @temporalio/testing download a dev server (needs internet)');
    return;
  }
  console.log(cli.path);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
