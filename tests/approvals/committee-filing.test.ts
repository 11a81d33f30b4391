import { addDays, beijingDate } from '../../activities/approvals/support';
import { waitFor } from '../helpers/wait';
import { recordHistory, caseOf, decide, historyOf, startCase, startPlatform, waitForEnd, waitForSms, type Platform } from './harness';

/**
 * Owners' committee filing (业委会): a formation reviewed by the street office and filed by the
 * district within 30 days (a due date on the task), written to the committee registry; a
 * re-election returned to the committee and then rejected; an application in the wrong street.
 */
describe('committee filing approval', () => {
  let p: Platform;
  let project: { id: number; name: string; district_code: string; street_code: string };
  const PINGJIANG = '320508001';

  beforeAll(async () => {
    p = await startPlatform('committee');
    project = await p
      .db('property_projects as pp')
      .where({ 'pp.district_code': '320508', 'pp.street_code': PINGJIANG })
      .whereNotExists(p.db('owners_committees as oc').select(p.db.raw('1')).whereRaw('oc.project_id = pp.id'))
      .orderBy('pp.id')
      .first('pp.id', 'pp.name', 'pp.district_code', 'pp.street_code');
  });
  afterAll(async () => {
    await p?.stop();
  });

  const members = [
    { name: '周建平', position: 'director', officer: true, phone: '13912340001' },
    { name: '沈美华', position: 'deputy_director', officer: true, phone: '13912340002' },
    { name: '陆志刚', position: 'member', phone: '13912340003' },
  ];

  it('files a formation: street review, district filing with its 30-day due date, the committee registered', async () => {
    const assemblyDate = addDays(beijingDate(), -3);
    const started = await startCase(
      p,
      'public.zhang',
      'committee-filing',
      { kind: 'formation', projectId: project.id, assemblyDate, name: `${project.name}业主委员会`, officeAddress: '小区会所二楼', phone24h: '0512-67001234', termStartsOn: assemblyDate, termEndsOn: addDays(assemblyDate, 5 * 365), members },
      { districtCode: project.district_code, streetCode: project.street_code },
    );
    expect(started.number).toMatch(/^YWH-320508-\d{4}-\d{4}$/);
    await decide(p, started.id, 'streetReview', 'pingjiang.street', { outcome: 'approve', comment: '材料齐全' });
    await waitFor('the filing task', async () => (await p.db('case_tasks').where({ case_id: started.id, node_id: 'districtFiling' }).first('due_at'))?.due_at);
    const due = (await p.db('case_tasks').where({ case_id: started.id, node_id: 'districtFiling' }).first('due_at')).due_at as Date;
    expect(new Date(due.getTime() + 8 * 3600_000).toISOString().slice(0, 10)).toBe(addDays(assemblyDate, 30));
    await decide(p, started.id, 'districtFiling', 'gusu.staff', { outcome: 'approve', comment: '准予备案' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('approved');

    const filingNo = done.variables.committeeFilingNo as string;
    expect(filingNo).toMatch(/^YWHBA-320508-\d{4}-\d{4}$/);
    const committee = await p
      .db('owners_committees')
      .where('id', done.variables.committeeId as number)
      .first();
    expect(committee).toMatchObject({ project_id: project.id, filing_no: filingNo, status: 'active', street_code: PINGJIANG });
    expect(await p.db('committee_members').where('committee_id', committee.id).orderBy('id').pluck('name')).toEqual(['周建平', '沈美华', '陆志刚']);
    expect(await p.db('registry_changes').where({ entity: 'committee', entity_id: committee.id, case_ref: started.number }).first('id')).toBeTruthy();
    await waitForSms(p.db, started.workflowId, '13800000014', filingNo);
    await recordHistory(p, 'committee-filing', started.workflowId, 'formation');
  });

  it('returns a re-election to the committee (驳回), which supplies it, and is then rejected', async () => {
    const oc = await p
      .db('owners_committees')
      .where('id', (await p.db('organisations').where('code', 'OC-320508001-PJXC').first('id')).id)
      .first('id', 'filing_no');
    const started = await startCase(p, 'pingjiang.oc', 'committee-filing', { kind: 're_election', assemblyDate: beijingDate(), members: members.slice(1) });
    await waitFor('the check', async () => (await caseOf(p.db, started.id)).variables.applicationValid !== undefined);
    // No director in the list: the check says so and the case stops there.
    expect((await caseOf(p.db, started.id)).variables.applicationProblems).toEqual(['成员名单缺少主任']);
    const refused = await waitForEnd(p.db, started.id);
    expect(refused.result).toBe('rejected');
    await waitForSms(p.db, started.workflowId, '13800000013', '不符合受理条件');

    const again = await startCase(p, 'pingjiang.oc', 'committee-filing', { kind: 're_election', assemblyDate: beijingDate(), members });
    await decide(p, again.id, 'streetReview', 'pingjiang.street', { outcome: 'return', returnTo: 'applicant', comment: '请附业主大会表决结果' });
    await waitFor('the committee to supply', async () => (await caseOf(p.db, again.id)).status === 'supplement');
    expect((await (await p.as('pingjiang.oc')).post(`/api/cases/${again.id}/supply`).send({ comment: '已附表决结果' })).status).toBe(200);
    await decide(p, again.id, 'streetReview', 'pingjiang.street', { outcome: 'reject', comment: '表决程序不合法' });
    const done = await waitForEnd(p.db, again.id);
    expect(done.result).toBe('rejected');
    expect(await p.db('owners_committees').where('id', oc.id).first('id', 'filing_no')).toEqual(oc);
    expect((await historyOf(p.db, again.id)).map((h) => h.kind)).toEqual(expect.arrayContaining(['returned', 'supplement_requested', 'rejected']));
  });
});
