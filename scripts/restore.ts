import { backupSettings } from '../lib/backup/common';
import { restoreBackup } from '../lib/backup/restore';
import { loadConfig } from '../lib/config';

/**
 * `npm run restore -- <backup run folder>`: verifies the run, refuses while the platform is up,
 * then restores the database, the Temporal state file and the file store (lib/backup/restore.ts,
 * docs/operations.md). Prints each step.
 */
async function main(): Promise<void> {
  const folder = process.argv[2];
  if (!folder || process.argv.length > 3) {
    console.error('usage: npm run restore -- <backup run folder, e.g. data/backups/20260102T183000Z>');
    process.exit(2);
  }
  const config = loadConfig();
  await restoreBackup(folder, backupSettings(config), { apiHost: config.HOST, apiPort: config.PORT, temporalPort: config.TEMPORAL_PORT }, (m) => console.log(`[restore] ${m}`));
  console.log('[restore] done. Start the platform again (npm start); work done after the backup is gone (docs/operations.md).');
}

main().catch((err) => {
  console.error(`[restore] failed: ${(err as Error).message}`);
  process.exit(1);
});
