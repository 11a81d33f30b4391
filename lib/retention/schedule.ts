import type { Client } from '@temporalio/client';
import { ensureDailySchedule, type ScheduleChange } from '../temporal/daily-schedule';

/** The daily retention sweep as a Temporal Schedule (lib/temporal/daily-schedule.ts); RETENTION_CRON=off deletes it. */
export const RETENTION_SCHEDULE_ID = 'platform-retention';

export function ensureRetentionSchedule(client: Client, opts: { cron: string; timezone: string; taskQueue: string; scheduleId?: string }): Promise<ScheduleChange> {
  return ensureDailySchedule(client, { ...opts, scheduleId: opts.scheduleId ?? RETENTION_SCHEDULE_ID, workflowType: 'retentionWorkflow', note: 'daily retention sweep of personal data (docs/retention.md)' });
}
