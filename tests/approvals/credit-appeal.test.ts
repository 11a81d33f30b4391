import { scoresAt } from '../../db/credit/scores';
import { claimNotice, intakeRecord } from '../../db/credit/records';
import { insertStartingCase, setCaseWorkflowId } from '../../db/cases/cases';
import { allocateCaseNumber } from '../../db/cases/numbers';
import { currentVersion } from '../../db/processes';
import { caseWorkflowId } from '../../workflows/case/contract';
import { beijingToday } from '../../lib/credit/days';
import { waitFor } from '../helpers/wait';
import { readPdf } from './pdf-text';
import { recordHistory, caseOf, decide, historyOf, openTaskAt, waitForEnd, waitForSms, type Platform, startPlatform } from './harness';

/**
 * Pre-deduction → notice → appeal → final (C3, docs/credit.md) on the real engine and SMS
 * worker: a district officer records a bad item; the platform starts its notice case
 * (credit-deduction) at once, which issues the 记分告知单 and texts the enterprise. The
 * enterprise appeals (reviewed in a called credit-appeal case: upheld, the deduction cancelled),
 * accepts (final), or lets the window close (final); the score follows only a final deduction.
 */
describe('credit notice and appeal', () => {
  let p: Platform;
  let dongwu: number;
  let project: number;
  let n = 0;
  const today = beijingToday();
  const DONGWU_PHONE = '13800000009';

  /** A deduction as 姑苏区 records it: item B-PF-01 (1–3 points) on 东吴's project. */
  const record = async (points: number) => {
    const res = await (await p.as('gusu.staff')).post('/api/credit/records').send({
      sourceRef: `appeal-${process.pid}-${++n}`,
      itemCode: 'B-PF-01',
      enterpriseId: dongwu,
      projectId: project,
      points,
      occurredOn: today,
      description: `业主投诉电梯故障未及时处置，经查属实（测试${n}）`,
      evidence: [{ name: '调查笔录.pdf' }],
      rectifyDays: 7,
    });
    if (res.status !== 201) throw new Error(`record: ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.body).toMatchObject({ status: 'pending', notice: { caseId: expect.any(Number), number: expect.stringMatching(/^XYJF-320508-\d{4}-\d{5}$/) } });
    const c = (await p.db('cases').where('id', res.body.notice.caseId).first('id', 'number', 'workflow_id')) as { id: number; number: string; workflow_id: string };
    return { eventId: res.body.id as number, caseId: c.id, number: c.number, workflowId: c.workflow_id };
  };
  const score = async () => (await scoresAt(p.db, 'enterprise', [dongwu], today)).get(dongwu)!.score;

  beforeAll(async () => {
    p = await startPlatform('credit');
    dongwu = (await p.db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')).id;
    project = (await p.db('property_projects').where({ code: 'XM3205080001' }).first('id')).id;
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('notifies the enterprise with the notice, takes its appeal to a called review and cancels the deduction', async () => {
    const before = await score();
    const r = await record(3);
    await waitForSms(p.db, r.workflowId, DONGWU_PHONE, '预扣信用分3分');
    // The notice is the case's document, readable by the enterprise.
    const ent = await p.as('dongwu.ent');
    const docs = await waitFor('the notice document', async () => {
      const res = await ent.get(`/api/cases/${r.caseId}/documents`);
      return res.status === 200 && res.body.length ? (res.body as Array<{ kind: string; number: string; file_id: string }>) : null;
    });
    expect(docs[0]).toMatchObject({ kind: 'credit_notice', number: expect.stringMatching(/^XYJFGZ-\d{4}-\d{5}$/) });
    const download = await ent
      .get(`/api/files/${docs[0].file_id}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const pdf = readPdf(download.body as Buffer);
    expect(pdf.unmappedCodes).toBe(0);
    for (const text of ['信用记分告知单', '苏州东吴物业管理有限公司', 'B-PF-01 业主投诉经查实', '3 分', '自告知之日起 7 日内', '自告知之日起 10 日内', docs[0].number]) expect(pdf.text).toContain(text);

    const evidence = await ent.post('/api/files').query({ name: '维修记录.pdf' }).set('content-type', 'application/pdf').send(Buffer.from('%PDF-1.4 维修记录'));
    await decide(p, r.caseId, 'respond', 'dongwu.ent', { outcome: 'appeal', comment: '故障当日已修复', formData: { appealReason: '故障当日已修复，有维修记录为证' }, attachments: [{ name: '维修记录.pdf', fileId: evidence.body.id }] });
    // The appeal is reviewed in a case of its own, linked to the notice.
    const child = await waitFor('the appeal review case', async () => p.db('cases').where({ parent_case_id: r.caseId }).first('id', 'number', 'process_key'));
    expect(child.process_key).toBe('credit-appeal');
    await decide(p, child.id, 'districtReview', 'gusu.staff', { outcome: 'approve', comment: '情况属实，建议撤销' });
    await decide(p, child.id, 'cityReview', 'city.staff', { outcome: 'uphold', comment: '申诉成立' });
    expect((await waitForEnd(p.db, child.id)).result).toBe('upheld');
    const done = await waitForEnd(p.db, r.caseId);
    expect(done.result).toBe('upheld');
    expect(done.variables.creditResult).toBe('cancelled');
    expect(await p.db('credit_events').where('id', r.eventId).first('status', 'case_ref')).toEqual({ status: 'cancelled', case_ref: child.number });
    expect(await score()).toBeCloseTo(before);
    await recordHistory(p, 'credit-deduction', r.workflowId, 'upheld');
  });

  it('makes the deduction final when the enterprise accepts it, and the score drops by it', async () => {
    const before = await score();
    const r = await record(2);
    await decide(p, r.caseId, 'respond', 'dongwu.ent', { outcome: 'accept', comment: '接受' });
    const done = await waitForEnd(p.db, r.caseId);
    expect(done.result).toBe('confirmed');
    const event = await p.db('credit_events').where('id', r.eventId).first('status', 'points');
    expect(event).toEqual({ status: 'final', points: '-2.00' });
    expect(await score()).toBeCloseTo(before - 2);
    await waitForSms(p.db, r.workflowId, DONGWU_PHONE, '扣分已生效');
    await recordHistory(p, 'credit-deduction', r.workflowId, 'accepted');
  });

  it('makes the deduction final when the appeal window closes unanswered', async () => {
    const before = await score();
    const r = await record(1);
    const [task] = await openTaskAt(p.db, r.caseId, 'respond');
    // The window is the standard's ten days, on the task as its deadline.
    const { due_at: dueAt } = (await p.db('case_tasks').where('id', task.id).first('due_at')) as { due_at: Date };
    expect(Math.round((dueAt.getTime() - Date.now()) / 86_400_000)).toBe(10);
    // Ten days are not waited for here: the administrator's move stands in for the boundary timer (tested with the engine's timers).
    const moved = await (await p.as('admin')).post(`/api/cases/${r.caseId}/move`).send({ toNodeId: 'confirmLate', comment: '测试：申诉期满' });
    expect(moved.status).toBe(200);
    expect((await waitForEnd(p.db, r.caseId)).result).toBe('confirmed');
    expect((await p.db('credit_events').where('id', r.eventId).first('status')).status).toBe('final');
    expect(await score()).toBeCloseTo(before - 1);
    await waitForSms(p.db, r.workflowId, DONGWU_PHONE, '申诉期已满');
  });

  it('starts one notice per record, however often the sweep runs, and none for a record no longer pending', async () => {
    const r = await record(1);
    const { startMissingNotices, startCreditNotice } = await import('../../api/credit/notices');
    const queues = { taskQueue: p.taskQueue, smsTaskQueue: p.sms.smsQueue };
    expect(await startCreditNotice(p.db, p.temporal, r.eventId, queues)).toEqual({ started: false, reason: 'not awaiting a notice' });
    const silent = { warn: () => undefined, error: () => undefined } as unknown as Parameters<typeof startMissingNotices>[3];
    await startMissingNotices(p.db, p.temporal, queues, silent);
    expect(await p.db('cases').where('process_key', 'credit-deduction').where('variables', 'like', `%"eventId":${r.eventId}%`).count({ n: '*' }).first()).toEqual({ n: 1 });
    // A record whose notice never started (the workflow service was away) is picked up by the sweep, once.
    const [orphan] = await p.db('credit_events').insert({
      enterprise_id: dongwu,
      project_id: project,
      district_code: '320508',
      category: 'complaint',
      points: -1,
      source: 'manual',
      source_ref: `orphan-${process.pid}`,
      occurred_on: today,
      description: '未及时启动告知的预扣分',
      status: 'pending',
      item_id: (await p.db('credit_standard_items').where('code', 'B-PF-01').first('id')).id,
      standard_id: (await p.db('credit_standards').where('version', 1).first('id')).id,
      valid_until: today,
      recorded_by: (await p.db('users').where('username', 'gusu.staff').first('id')).id,
    });
    expect(await startMissingNotices(p.db, p.temporal, queues, silent)).toBe(1);
    expect(await startMissingNotices(p.db, p.temporal, queues, silent)).toBe(0);
    const noticeCase = (await p.db('credit_events').where('id', orphan).first('notice_case_id')).notice_case_id as number;
    expect((await caseOf(p.db, noticeCase)).variables).toMatchObject({ eventId: orphan, appealWindow: 'P10D' });
    await openTaskAt(p.db, noticeCase, 'respond');
    expect((await historyOf(p.db, noticeCase)).map((h) => h.node_id)).toContain('notice');
  });

  it('starts the workflow of a notice case whose row was written but whose start never came (the API stopped in between)', async () => {
    const { startMissingNotices } = await import('../../api/credit/notices');
    const queues = { taskQueue: p.taskQueue, smsTaskQueue: p.sms.smsQueue };
    const silent = { warn: () => undefined, error: () => undefined } as unknown as Parameters<typeof startMissingNotices>[3];
    const officer = (await p.db('users').where('username', 'gusu.staff').first('id')).id as number;
    const record = await p.db.transaction((trx) =>
      intakeRecord(trx, {
        source: 'manual',
        sourceRef: `crash-${process.pid}`,
        itemCode: 'B-PF-02',
        enterpriseId: dongwu,
        projectId: project,
        occurredOn: today,
        description: '日常检查不合格（中断测试）',
        evidence: [{ name: '检查记录' }],
        recordedBy: officer,
      }),
    );
    // What launchCase commits before it starts the workflow, and nothing after: the crash.
    const process_ = (await currentVersion(p.db, 'credit-deduction'))!;
    const caseId = await p.db.transaction(async (trx) => {
      const number = await allocateCaseNumber(trx, 'credit-deduction', '320508');
      const id = await insertStartingCase(trx, {
        number,
        process_key: 'credit-deduction',
        process_version: process_.version,
        title: '信用记分告知（中断测试）',
        applicant_organisation_id: dongwu,
        district_code: '320508',
        street_code: null,
        started_by: officer,
        check_code: 'ABCDEF',
        variables: { eventId: record.id, appealWindow: 'P10D' },
      });
      await setCaseWorkflowId(trx, id, caseWorkflowId(id, 'crash01'));
      expect(await claimNotice(trx, record.id, id)).toBe(true);
      return id;
    });
    await p
      .db('cases')
      .where('id', caseId)
      .update({ started_at: new Date(Date.now() - 5 * 60_000) });
    expect(await startMissingNotices(p.db, p.temporal, queues, silent)).toBe(1);
    await openTaskAt(p.db, caseId, 'respond');
    expect(await startMissingNotices(p.db, p.temporal, queues, silent)).toBe(0);
    expect((await historyOf(p.db, caseId)).filter((h) => h.kind === 'started')).toHaveLength(1);
  });
});
