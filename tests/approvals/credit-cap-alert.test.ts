import { alertSuspensions } from '../../api/credit/notices';
import { beijingToday } from '../../lib/credit/days';
import { waitFor } from '../helpers/wait';
import { startPlatform, type Platform } from './harness';

/**
 * A project manager at the credit cap (C6, docs/credit.md) with the real SMS worker: the
 * enterprise's and its managers' accounts are texted once, however often the sweep runs.
 */
describe('credit cap alert', () => {
  let p: Platform;

  beforeAll(async () => {
    p = await startPlatform('credit-cap');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('texts the enterprise that its manager is suspended, once', async () => {
    const zhao = (await p.db('enterprise_staff').where({ name: '赵磊', role: 'project_manager' }).first('id', 'enterprise_id')) as { id: number; enterprise_id: number };
    await p.db('credit_events').where('staff_id', zhao.id).update({ status: 'cancelled' });
    const city = await p.as('city.staff');
    for (const points of [8, 5]) {
      const res = await city.post('/api/credit-events').send({ enterprise_id: zhao.enterprise_id, staff_id: zhao.id, category: 'penalty', points: -points, occurred_on: beijingToday(), description: '项目经理违规（测试）', status: 'final' });
      expect(res.status).toBe(201);
    }
    const suspension = (await p.db('credit_manager_suspensions').where('staff_id', zhao.id).whereNull('reinstated_on').first('id', 'points')) as { id: number; points: string };
    expect(Number(suspension.points)).toBe(13);

    const queues = { taskQueue: p.taskQueue, smsTaskQueue: p.sms.smsQueue };
    const silent = { warn: () => undefined, error: () => undefined } as unknown as Parameters<typeof alertSuspensions>[3];
    expect(await alertSuspensions(p.db, p.temporal, queues, silent)).toBe(1);
    await waitFor('the suspension to be texted', async () => (await p.db('credit_manager_suspensions').where('id', suspension.id).first('notified_at')).notified_at);
    const sent = await p.db('sms_messages').where('idempotency_key', 'like', `credit-cap/${suspension.id}/%`).select('phone', 'text');
    const accounts = await p.db('users').where({ organisation_id: zhao.enterprise_id, active: true }).whereIn('role', ['enterprise', 'project_manager']).whereNotNull('phone').count({ n: '*' }).first();
    expect(sent).toHaveLength(Number((accounts as { n: number | string }).n));
    expect(sent[0].text).toContain('项目经理赵磊本周期信用扣分13分，已达上限12分');
    expect(await alertSuspensions(p.db, p.temporal, queues, silent)).toBe(0);
    expect(await p.db('sms_messages').where('idempotency_key', 'like', `credit-cap/${suspension.id}/%`).count({ n: '*' }).first()).toEqual({ n: sent.length });
  });
});
