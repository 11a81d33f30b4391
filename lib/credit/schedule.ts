import type { Client } from '@temporalio/client';
import { ensureDailySchedule, type ScheduleChange } from '../temporal/daily-schedule';

/**
 * The annual credit rating as a Temporal Schedule (lib/temporal/daily-schedule.ts): by default at
 * 01:30 on 1 January, Beijing time, just after the default cycle ends; CREDIT_RATING_CRON=off
 * deletes it. Keep it after the cycle's end if the standard's `cycleStart` is changed.
 */
export const CREDIT_RATING_SCHEDULE_ID = 'credit-annual-rating';

export function ensureCreditRatingSchedule(client: Client, opts: { cron: string; timezone: string; taskQueue: string; scheduleId?: string }): Promise<ScheduleChange> {
  return ensureDailySchedule(client, { ...opts, scheduleId: opts.scheduleId ?? CREDIT_RATING_SCHEDULE_ID, workflowType: 'creditRatingWorkflow', note: 'annual credit rating of enterprises and project managers (docs/credit.md)' });
}
