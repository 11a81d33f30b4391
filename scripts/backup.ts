import { backupSettings } from '../lib/backup/common';
import { runBackup } from '../lib/backup/backup';
import { loadConfig } from '../lib/config';

/**
 * `npm run backup`: one backup run now, into BACKUP_DIR/<UTC instant> (lib/backup/backup.ts,
 * docs/operations.md). Works whether the platform is up or down. Exit status 0 only when the
 * run is complete and verified.
 */
async function main(): Promise<void> {
  const settings = backupSettings(loadConfig());
  const result = await runBackup(settings, { log: (m) => console.log(`[backup] ${m}`) });
  const parts = Object.values(result.manifest.parts).map((p) => `${p.path} ${p.size} bytes sha256 ${p.sha256}`);
  console.log(`\n${result.dir}\n  ${parts.join('\n  ')}\n  ${result.manifest.parts.files?.count ?? 0} files, migration ${result.manifest.migration.latest ?? 'none'}, platform ${result.manifest.platformVersion}`);
}

main().catch((err) => {
  console.error(`[backup] failed: ${(err as Error).message}`);
  process.exit(1);
});
