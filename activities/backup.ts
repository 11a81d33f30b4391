import { Context } from '@temporalio/activity';
import { backupSettings } from '../lib/backup/common';
import { runBackup } from '../lib/backup/backup';
import { loadConfig } from '../lib/config';

/**
 * The scheduled backup's activity, on the approvals worker. It reads the same environment as
 * `npm run backup` (DATABASE_URL, DATA_DIR, FILES_DIR, BACKUP_DIR, BACKUP_KEEP) when it runs.
 */
export function createBackupActivities(env: NodeJS.ProcessEnv = process.env) {
  return {
    async runPlatformBackup(input: { at: string }): Promise<{ name: string; dir: string; reused: boolean; deleted: string[] }> {
      const ctx = Context.current();
      const settings = backupSettings(loadConfig(env));
      const heartbeat = () => ctx.heartbeat();
      const timer = setInterval(heartbeat, 20_000);
      try {
        const result = await runBackup(settings, { at: new Date(input.at), heartbeat, log: (m) => ctx.log.info(m) });
        return { name: result.name, dir: result.dir, reused: result.reused, deleted: result.deleted };
      } finally {
        clearInterval(timer);
      }
    },
  };
}

export type BackupActivities = ReturnType<typeof createBackupActivities>;
