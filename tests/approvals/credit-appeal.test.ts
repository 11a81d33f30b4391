import { beijingDate } from '../../activities/approvals/support';
import { waitFor } from '../helpers/wait';
import { recordHistory, caseOf, decide, historyOf, openTaskAt, startCase, startPlatform, waitForEnd, waitForSms, type Platform } from './harness';

/**
 * Credit appeal (信用申诉): a pre-deduction notified by SMS, an appeal upheld (deduction
 * cancelled), an appeal returned to the enterprise and then dismissed (deduction final), and a
 * window that runs out (deduction final without anyone deciding).
 */
describe('credit appeal approval', () => {
  let p: Platform;
  let dongwu: number;
  let n = 0;

  /** A pending deduction (预扣分) of 东吴 in the registry, as a district bureau records one. */
  const preDeduction = async (points: number) => {
    const [id] = await p.db('credit_events').insert({
      enterprise_id: dongwu,
      district_code: '320508',
      category: 'complaint',
      points,
      source: 'manual',
      source_ref: `appeal-test-${++n}`,
      occurred_on: beijingDate(),
      description: `小区电梯故障未及时处置（测试${n}）`,
      status: 'pending',
    });
    return Number(id);
  };
  const start = (eventId: number, appealWindow = 'P10D') => startCase(p, 'gusu.staff', 'credit-appeal', { eventId, appealWindow }, { applicantOrganisationId: dongwu });

  beforeAll(async () => {
    p = await startPlatform('credit');
    dongwu = (await p.db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')).id;
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('notifies the enterprise, takes its appeal through district and city review and cancels the deduction', async () => {
    const eventId = await preDeduction(-3);
    const started = await start(eventId);
    expect(started.number).toMatch(/^XYSS-\d{4}-\d{5}$/);
    await waitForSms(p.db, started.workflowId, '13800000009', '预扣信用分3分');

    const evidence = await (await p.as('dongwu.ent')).post('/api/files').query({ name: '维修记录.pdf' }).set('content-type', 'application/pdf').send(Buffer.from('%PDF-1.4 维修记录'));
    await decide(p, started.id, 'submitAppeal', 'dongwu.ent', {
      outcome: 'appeal',
      comment: '故障当日已修复',
      formData: { appealReason: '故障当日已修复，有维修记录为证' },
      attachments: [{ name: '维修记录.pdf', fileId: evidence.body.id }],
    });
    await decide(p, started.id, 'districtReview', 'gusu.staff', { outcome: 'approve', comment: '情况属实' });
    await decide(p, started.id, 'cityReview', 'city.staff', { outcome: 'uphold', comment: '申诉成立' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('upheld');
    expect(done.variables.creditResult).toBe('cancelled');
    expect(await p.db('credit_events').where('id', eventId).first('status', 'case_ref')).toEqual({ status: 'cancelled', case_ref: started.number });
    await waitForSms(p.db, started.workflowId, '13800000009', '经审核成立');
    await recordHistory(p, 'credit-appeal', started.workflowId, 'upheld');
  });

  it('returns the appeal to the enterprise for more evidence, then dismisses it: the deduction becomes final', async () => {
    const eventId = await preDeduction(-2);
    const started = await start(eventId);
    await decide(p, started.id, 'submitAppeal', 'dongwu.ent', { outcome: 'appeal', comment: '有异议' });
    await decide(p, started.id, 'districtReview', 'gusu.staff', { outcome: 'return', returnTo: 'submitAppeal', comment: '请补充证明材料' });
    // The appeal task is offered to the enterprise again (a new activation).
    await waitFor('the appeal task to reopen', async () => (await p.db('case_tasks').where({ case_id: started.id, node_id: 'submitAppeal' }).count({ n: '*' }))[0].n === 2);
    await openTaskAt(p.db, started.id, 'submitAppeal');
    await decide(p, started.id, 'submitAppeal', 'dongwu.ent', { outcome: 'appeal', comment: '补充了照片' });
    await decide(p, started.id, 'districtReview', 'gusu.staff', { outcome: 'approve' });
    await decide(p, started.id, 'cityReview', 'city.staff', { outcome: 'dismiss', comment: '证据不足' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('confirmed');
    const event = await p.db('credit_events').where('id', eventId).first('status', 'points');
    expect(event.status).toBe('final');
    expect(Number(event.points)).toBe(-2);
    expect((await historyOf(p.db, started.id)).filter((h) => h.kind === 'returned')).toHaveLength(1);
    await waitForSms(p.db, started.workflowId, '13800000009', '已生效');
  });

  it('makes the deduction final when the appeal window closes unanswered', async () => {
    const eventId = await preDeduction(-1);
    const started = await start(eventId, 'PT2S');
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('confirmed');
    expect((await p.db('credit_events').where('id', eventId).first('status')).status).toBe('final');
    const history = await historyOf(p.db, started.id);
    expect(history.some((h) => h.kind === 'timer_fired' && h.node_id === 'appealDeadline')).toBe(true);
    expect(history.some((h) => h.kind === 'task_completed')).toBe(false);
    await waitForSms(p.db, started.workflowId, '13800000009', '申诉期已满');
    await recordHistory(p, 'credit-appeal', started.workflowId, 'window-closed');
  });

  it('refuses an event that is not a pending deduction of the applicant', async () => {
    const eventId = await preDeduction(-1);
    await p.db('credit_events').where('id', eventId).update({ status: 'final' });
    const started = await start(eventId);
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('invalid');
    expect((await caseOf(p.db, started.id)).variables.eventProblem).toBe('信用事件不是待确认的预扣分');
  });
});
