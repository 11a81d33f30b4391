import { signIn } from '../helpers/api';
import { waitFor } from '../helpers/wait';
import { caseOf, decide, historyOf, openTaskAt, recordHistory, smsOfCase, startCase, startPlatform, waitForEnd, waitForSms, type Platform } from '../approvals/harness';

/**
 * 个人信息删除申请 (processes/personal-data-deletion.bpmn) through the real API, the real
 * approvals and SMS workers and a real Temporal server: an owner asks for deletion, the city
 * bureau approves, the owner is texted and then anonymised (account closed, SMS history
 * redacted, case records and the operation log kept); a project manager's request is refused
 * with the legal duty as reason and changes nothing; the start form must be acknowledged.
 */
describe('personal data deletion request', () => {
  let p: Platform;

  beforeAll(async () => {
    p = await startPlatform('pdd');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('refuses a start without the acknowledgement, naming the field', async () => {
    const res = await (await p.as('public.zhang')).post('/api/cases').send({ processKey: 'personal-data-deletion', formData: { reason: '不再使用' } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('formData.acknowledged');
  });

  it('approved: texts the requester, then anonymises the account and its SMS history; the case and the log stay', async () => {
    const zhang = (await p.db('users').where('username', 'public.zhang').first('id', 'phone')) as { id: number; phone: string };
    // An old notice to this person, already delivered: part of their SMS history.
    await p.db('sms_messages').insert({ idempotency_key: 'pdd-old-notice', phone: zhang.phone, phone_normalised: zhang.phone, text: '停水通知：张先生您好', encoding: 'ucs2', part_count: 1, status: 'delivered', user_id: zhang.id });
    const logBefore = Number((await p.db('operation_log').count({ n: '*' }))[0].n);

    const started = await startCase(p, 'public.zhang', 'personal-data-deletion', { reason: '不再使用本平台', acknowledged: true });
    expect(started.number).toMatch(/^GRXX-\d{4}-\d{5}$/);
    await openTaskAt(p.db, started.id, 'review');
    expect((await caseOf(p.db, started.id)).variables).toMatchObject({ otherOpenCases: 0 });
    // The requester's side cannot decide its own request.
    const [task] = await openTaskAt(p.db, started.id, 'review');
    expect((await (await p.as('public.zhang')).post(`/api/tasks/${task.id}/claim`).send({})).status).toBeGreaterThanOrEqual(403);

    await decide(p, started.id, 'review', 'city.staff', { outcome: 'approve', comment: '无法定保存义务，同意删除' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('erased');
    expect(done.variables.erasure).toMatchObject({ account: 1, smsMessages: 1 });
    // Texted before the erasure, to the phone it then cleared.
    await waitForSms(p.db, started.workflowId, zhang.phone, '已同意');

    const account = await p.db('users').where('id', zhang.id).first('username', 'display_name', 'phone', 'active', 'anonymised_at');
    expect(account).toMatchObject({ username: `anonymised#${zhang.id}`, display_name: `已注销用户#${zhang.id}`, phone: null, active: 0 });
    expect(await p.db('sessions').where('user_id', zhang.id).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await p.db('sms_messages').where('idempotency_key', 'pdd-old-notice').first('text', 'phone_normalised')).toEqual({ text: '', phone_normalised: '138****0014' });
    expect(await p.db('personal_data_erasures').where('case_id', started.id).first('user_id')).toEqual({ user_id: zhang.id });
    // What a legal duty keeps: the case itself, its history, the operation log.
    expect(await p.db('cases').where('id', started.id).first('started_by', 'status')).toEqual({ started_by: zhang.id, status: 'completed' });
    expect((await historyOf(p.db, started.id)).map((h) => h.node_id)).toEqual(expect.arrayContaining(['check', 'review', 'notifyApproved', 'erase']));
    expect(Number((await p.db('operation_log').count({ n: '*' }))[0].n)).toBeGreaterThanOrEqual(logBefore);
    // The account can no longer sign in, under either name.
    await expect(signIn(p.app, 'public.zhang')).rejects.toThrow();
    await recordHistory(p, 'personal-data-deletion', started.workflowId, 'approved');
  });

  it('refused: the reviewer names the legal duty, the requester is texted the reason, nothing is erased', async () => {
    const pm = (await p.db('users').where('username', 'dongwu.pm').first('id', 'phone', 'display_name')) as { id: number; phone: string; display_name: string };
    const started = await startCase(p, 'dongwu.pm', 'personal-data-deletion', { acknowledged: true });
    await decide(p, started.id, 'review', 'city.staff', { outcome: 'reject', comment: '您作为项目经理的登记信息须依《物业管理条例》保存，不予删除' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('rejected');
    await waitForSms(p.db, started.workflowId, pm.phone, '不予删除');
    expect(await p.db('users').where('id', pm.id).first('username', 'display_name', 'phone', 'anonymised_at')).toEqual({ username: 'dongwu.pm', display_name: pm.display_name, phone: pm.phone, anonymised_at: null });
    expect(await p.db('personal_data_erasures').where('case_id', started.id).first()).toBeUndefined();
    await waitFor('the refusal SMS to be recorded', async () => (await smsOfCase(p.db, started.workflowId)).length > 0);
  });
});
