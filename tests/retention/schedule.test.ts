import { ensureRetentionSchedule } from '../../lib/retention/schedule';
import { startEngine, type Engine } from '../engine/harness';
import { waitFor } from '../helpers/wait';

/**
 * The daily retention sweep as a Temporal Schedule on a real Temporal server: created, updated
 * on the next start, triggered (the real approvals worker runs retentionWorkflow and its
 * activity against the database, recording the run), and removed with RETENTION_CRON=off.
 * A schedule id of this file's own keeps other test files' schedules apart.
 */
// JSON columns read back parsed on MySQL and as text on MariaDB.
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

describe('retention schedule', () => {
  let e: Engine;
  const scheduleId = `platform-retention-test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    e = await startEngine();
  });
  afterAll(async () => {
    const client = await e?.temporal.get();
    await client?.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => undefined);
    await e?.stop();
  });

  it('is created, updated, runs the sweep when triggered, and is deleted with "off"', async () => {
    const client = await e.temporal.get();
    // A staff member who left four years ago: the triggered run must anonymise them.
    const staffId = (await e.db('enterprise_staff').orderBy('id').first('id')).id as number;
    await e.db('enterprise_staff').where('id', staffId).update({ active: 0, left_on: '2020-01-01' });

    const opts = { timezone: 'Asia/Shanghai', taskQueue: e.taskQueue, scheduleId };
    expect(await ensureRetentionSchedule(client, { ...opts, cron: '15 3 * * *' })).toBe('created');
    expect(await ensureRetentionSchedule(client, { ...opts, cron: '20 3 * * *' })).toBe('updated');
    const schedule = client.schedule.getHandle(scheduleId);
    const described = await schedule.describe();
    expect(described.action).toMatchObject({ workflowType: 'retentionWorkflow', taskQueue: e.taskQueue });
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 20, end: 20, step: 1 }] });

    await schedule.trigger();
    const workflowId = await waitFor('the scheduled sweep to start', async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId);
    const counts = (await client.workflow.getHandle(workflowId).result()) as Record<string, number>;
    expect(counts.staff).toBeGreaterThanOrEqual(1);
    expect(await e.db('enterprise_staff').where('id', staffId).first('name')).toEqual({ name: `已离职人员#${staffId}` });
    const run = await e.db('retention_runs').orderBy('started_at', 'desc').first('counts', 'finished_at', 'settings');
    expect(run.finished_at).not.toBeNull();
    expect(json(run.counts)).toMatchObject({ staff: counts.staff });
    expect(json(run.settings)).toMatchObject({ staffLeftDays: 1095, smsDays: 180 });

    expect(await ensureRetentionSchedule(client, { ...opts, cron: 'off' })).toBe('deleted');
    expect(await ensureRetentionSchedule(client, { ...opts, cron: 'off' })).toBe('off');
  });
});
