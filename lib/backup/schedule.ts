import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

/**
 * The daily backup as a Temporal Schedule: it lives in Temporal, so it survives restarts of the
 * workers and the API, and a missed run (everything down at 02:30) is caught up within a day.
 * Created or updated at every start of the approvals worker, so a changed BACKUP_CRON takes
 * effect at the next start; BACKUP_CRON=off deletes it.
 */
export const BACKUP_SCHEDULE_ID = 'platform-backup';

export async function ensureBackupSchedule(client: Client, opts: { cron: string; timezone: string; taskQueue: string; scheduleId?: string }): Promise<'created' | 'updated' | 'deleted' | 'off'> {
  const scheduleId = opts.scheduleId ?? BACKUP_SCHEDULE_ID;
  if (opts.cron.trim().toLowerCase() === 'off') {
    try {
      await client.schedule.getHandle(scheduleId).delete();
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'off';
      throw err;
    }
  }
  const spec = { cronExpressions: [opts.cron], timezone: opts.timezone };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'backupWorkflow',
    taskQueue: opts.taskQueue,
    workflowId: scheduleId,
    workflowExecutionTimeout: '6 hours' as const,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' as const };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, state: { note: 'daily platform backup (docs/operations.md)' } });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
  return 'updated';
}
