import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

/**
 * A platform job that runs on a cron as a Temporal Schedule (the backup, the retention sweep): it
 * lives in Temporal, so it survives restarts of the workers and the API, and a run missed while
 * everything was down is caught up within a day. Created or updated at every start of the
 * approvals worker, so a changed cron takes effect at the next start; the cron `off` deletes it.
 * One run at a time (overlap SKIP), each bounded to six hours.
 */
export interface DailyScheduleOptions {
  scheduleId: string;
  workflowType: string;
  /** Shown in Temporal's UI beside the schedule. */
  note: string;
  /** A cron expression, or `off`. */
  cron: string;
  timezone: string;
  taskQueue: string;
}

export type ScheduleChange = 'created' | 'updated' | 'deleted' | 'off';

export async function ensureDailySchedule(client: Client, opts: DailyScheduleOptions): Promise<ScheduleChange> {
  const { scheduleId } = opts;
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
    workflowType: opts.workflowType,
    taskQueue: opts.taskQueue,
    workflowId: scheduleId,
    workflowExecutionTimeout: '6 hours' as const,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' as const };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, state: { note: opts.note } });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
  return 'updated';
}
