import type { Client } from '@temporalio/client';
import { ensureDailySchedule, type ScheduleChange } from '../temporal/daily-schedule';

/** The daily backup as a Temporal Schedule (lib/temporal/daily-schedule.ts); BACKUP_CRON=off deletes it. */
export const BACKUP_SCHEDULE_ID = 'platform-backup';

export function ensureBackupSchedule(client: Client, opts: { cron: string; timezone: string; taskQueue: string; scheduleId?: string }): Promise<ScheduleChange> {
  return ensureDailySchedule(client, { ...opts, scheduleId: opts.scheduleId ?? BACKUP_SCHEDULE_ID, workflowType: 'backupWorkflow', note: 'daily platform backup (docs/operations.md)' });
}
