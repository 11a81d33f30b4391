import type TestAgent from 'supertest/lib/agent';
import request from 'supertest';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import { caseRow, historyKinds, openTaskAt, openTasks, startCase, startEngine, userId, waitForStatus, type Engine } from './harness';

/**
 * Decisions and task actions through the API on the shipped sample approval (district review →
 * city review → leader if needed), with scope enforced per role.
 */
describe('decisions, task actions and scope', () => {
  let engine: Engine;
  let ent: TestAgent;
  let gusu: TestAgent;
  let city: TestAgent;

  beforeAll(async () => {
    engine = await startEngine({ sms: true });
    await publishShippedProcesses(engine.db);
    ent = await engine.as('dongwu.ent');
    gusu = await engine.as('gusu.staff');
    city = await engine.as('city.staff');
  });
  afterAll(() => engine.stop());

  const claimAndDecide = async (agent: TestAgent, taskId: number, outcome: string, extra: Record<string, unknown> = {}) => {
    const claimed = await agent.post(`/api/tasks/${taskId}/claim`).send({});
    expect(claimed.status).toBe(200);
    const res = await agent.post(`/api/tasks/${taskId}/decide`).send({ outcome, ...extra });
    expect(res.status).toBe(200);
    return res.body;
  };

  it('numbers cases by the coding rule and offers the district task to that district only', async () => {
    const c = await startCase(ent, 'sample-approval', { area: 120 });
    expect(c.number).toMatch(new RegExp(`^SP-${new Date().getFullYear()}-\\d{6}$`));
    const [task] = await openTaskAt(engine.db, c.id, 'districtReview');

    const claimable = await gusu.get('/api/inbox/claimable').query({ filter: JSON.stringify({ process_key: 'sample-approval' }) });
    expect(claimable.status).toBe(200);
    expect(claimable.body.map((t: { id: number }) => t.id)).toContain(task.id);
    expect(claimable.headers['content-range']).toMatch(/^tasks 0-\d+\/\d+$/);

    // Another district's staff neither sees nor claims it; another enterprise does not see the case.
    const huqiu = await engine.as('huqiu.staff');
    expect((await huqiu.get('/api/inbox/claimable')).body.map((t: { id: number }) => t.id)).not.toContain(task.id);
    expect((await huqiu.get(`/api/tasks/${task.id}`)).status).toBe(404);
    expect((await huqiu.post(`/api/tasks/${task.id}/claim`).send({})).status).toBe(404);
    expect((await huqiu.get(`/api/cases/${c.id}`)).status).toBe(404);
    const hengtai = await engine.as('hengtai.ent');
    expect((await hengtai.get(`/api/cases/${c.id}`)).status).toBe(404);
    expect((await hengtai.get('/api/cases')).body.map((x: { id: number }) => x.id)).not.toContain(c.id);
    // City staff see the case but are not candidates of the district task.
    expect((await city.get(`/api/cases/${c.id}`)).status).toBe(200);
    expect((await city.post(`/api/tasks/${task.id}/claim`).send({})).status).toBe(403);
    // The applicant's colleague sees it; the applicant finds it under "started by me".
    expect((await (await engine.as('dongwu.pm')).get(`/api/cases/${c.id}`)).status).toBe(200);
    expect((await ent.get('/api/inbox/started')).body.map((x: { id: number }) => x.id)).toContain(c.id);

    // Deciding before claiming is refused; claiming twice too; unclaim gives it back.
    expect((await gusu.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve' })).status).toBe(409);
    expect((await gusu.post(`/api/tasks/${task.id}/claim`).send({})).status).toBe(200);
    expect((await gusu.post(`/api/tasks/${task.id}/claim`).send({})).status).toBe(409);
    expect((await gusu.get('/api/inbox/todo')).body.map((t: { id: number }) => t.id)).toContain(task.id);
    expect((await gusu.post(`/api/tasks/${task.id}/unclaim`).send({})).status).toBe(200);
    expect((await engine.db('case_tasks').where('id', task.id).first('assignee_id')).assignee_id).toBeNull();

    // Bad input: 400 with the field; an outcome the task does not offer: 422; a finished task: 409.
    await gusu.post(`/api/tasks/${task.id}/claim`).send({});
    const bad = await gusu.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'return' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ field: 'body.returnTo', reason: expect.any(String) }]);
    expect((await gusu.post('/api/tasks/abc/decide').send({ outcome: 'approve' })).status).toBe(400);
    expect((await gusu.post('/api/tasks/999999/decide').send({ outcome: 'approve' })).status).toBe(404);
    expect((await gusu.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'publish' })).status).toBe(422);
    expect((await gusu.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'return', returnTo: 'cityReview' })).status).toBe(422);
    const approved = await gusu.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve', comment: '材料齐全', attachments: [{ name: '意见.pdf', url: 'https://example.org/opinion.pdf' }] });
    expect(approved.status).toBe(200);
    expect(approved.body.openTasks.map((t: { nodeId: string }) => t.nodeId)).toEqual(['cityReview']);
    expect((await gusu.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve' })).status).toBe(409);
    expect((await gusu.get('/api/inbox/done')).body.map((t: { id: number }) => t.id)).toContain(task.id);

    // The case view: holders, deadlines, history, the diagram's marks, the public lookup.
    const view = await ent.get(`/api/cases/${c.id}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ number: c.number, status: 'running', current_steps: '市局审核', variables: { area: 120 } });
    expect(view.body.open_tasks).toEqual([expect.objectContaining({ node_id: 'cityReview', candidate_groups: ['city_staff'], overdue: false, due_at: expect.any(String) })]);
    expect(view.body.live).toMatchObject({ status: 'running', activeNodes: ['cityReview'] });
    const history = await ent.get(`/api/cases/${c.id}/history`);
    expect(history.body.find((h: { kind: string }) => h.kind === 'task_completed')).toMatchObject({
      actor_name: '陈志强（姑苏区）',
      outcome: 'approve',
      comment: '材料齐全',
      data: { attachments: [{ name: '意见.pdf', url: 'https://example.org/opinion.pdf' }] },
    });
    const diagram = await ent.get(`/api/cases/${c.id}/diagram`);
    expect(diagram.body.xml).toContain('<bpmn:process id="sample-approval"');
    expect(diagram.body.completed).toEqual(expect.arrayContaining(['submitted', 'districtReview']));
    expect(diagram.body.active).toEqual(['cityReview']);
    const pub = await request(engine.app).get(`/api/public/cases/${c.number}`).query({ checkCode: c.checkCode });
    expect(pub.body).toMatchObject({ number: c.number, status: 'running', current_steps: '市局审核' });
    expect((await request(engine.app).get(`/api/public/cases/${c.number}`).query({ checkCode: 'WRONG1' })).status).toBe(404);
  });

  it('rejects: the case ends with result "rejected"', async () => {
    const c = await startCase(ent, 'sample-approval');
    const [task] = await openTaskAt(engine.db, c.id, 'districtReview');
    const snapshot = await claimAndDecide(gusu, task.id, 'reject', { comment: '不符合条件' });
    expect(snapshot).toMatchObject({ status: 'completed', result: 'rejected' });
    expect((await caseRow(engine.db, c.id)).result).toBe('rejected');
    // The applicant (dongwu.ent) is told, with the reason.
    expect(engine.smsSent.filter((m) => m.text.includes(c.number))).toEqual([expect.objectContaining({ to: '13800000009', text: expect.stringMatching(/区局初审.*不予通过.*不符合条件/) })]);
  });

  it('returns to an earlier step (退回), and to the applicant for supplement (补正)', async () => {
    const c = await startCase(ent, 'sample-approval', { area: 80 });
    const [d1] = await openTaskAt(engine.db, c.id, 'districtReview');
    await claimAndDecide(gusu, d1.id, 'approve');
    const [c1] = await openTaskAt(engine.db, c.id, 'cityReview');
    const back = await claimAndDecide(city, c1.id, 'return', { returnTo: 'districtReview', comment: '请区局复核' });
    expect(back.openTasks).toEqual([expect.objectContaining({ nodeId: 'districtReview', key: 'districtReview#2.1' })]);
    const [d2] = await openTaskAt(engine.db, c.id, 'districtReview');
    expect(d2.id).not.toBe(d1.id);

    const toApplicant = await claimAndDecide(gusu, d2.id, 'return', { returnTo: 'applicant', comment: '缺少营业执照' });
    expect(toApplicant.status).toBe('supplement');
    await waitForStatus(engine.db, c.id, 'supplement');
    // Only the return to the applicant is texted to the applicant, not the return between reviewers.
    expect(engine.smsSent.filter((m) => m.text.includes(c.number))).toEqual([expect.objectContaining({ to: '13800000009', text: expect.stringMatching(/退回补正：缺少营业执照/) })]);
    const todo = await ent.get('/api/inbox/todo');
    const supplement = todo.body.find((t: { case_id: number }) => t.case_id === c.id);
    expect(supplement).toMatchObject({ kind: 'supplement', name: '补正材料' });
    // Reviewers cannot supply; the applicant can, and the case goes back to the step that returned it.
    expect((await gusu.post(`/api/cases/${c.id}/supply`).send({})).status).toBe(403);
    const supplied = await ent.post(`/api/cases/${c.id}/supply`).send({ comment: '已补充', formData: { licence: 'L-1' }, attachments: [{ name: '营业执照.pdf' }] });
    expect(supplied.status).toBe(200);
    expect(supplied.body).toMatchObject({ status: 'running', openTasks: [expect.objectContaining({ key: 'districtReview#3.1' })] });
    expect((await ent.post(`/api/cases/${c.id}/supply`).send({})).status).toBe(409);
    const [d3] = await openTaskAt(engine.db, c.id, 'districtReview');
    await claimAndDecide(gusu, d3.id, 'approve');
    const [c2] = await openTaskAt(engine.db, c.id, 'cityReview');
    await claimAndDecide(city, c2.id, 'approve', { formData: { needsLeader: true } });
    const [leader] = await openTaskAt(engine.db, c.id, 'leaderApproval');
    await claimAndDecide(await engine.as('city.leader'), leader.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
    expect(JSON.parse((await caseRow(engine.db, c.id)).variables)).toMatchObject({ licence: 'L-1', needsLeader: true });
    expect(await historyKinds(engine.db, c.id)).toEqual(expect.arrayContaining(['returned', 'supplement_requested', 'completed']));
  });

  it('transfers (转办), delegates and resolves (委派), adds a signer (加签), copies (抄送) and reminds (催办)', async () => {
    const c = await startCase(ent, 'sample-approval');
    const [d] = await openTaskAt(engine.db, c.id, 'districtReview');
    expect((await gusu.post(`/api/tasks/${d.id}/claim`).send({})).status).toBe(200);
    const leaderId = await userId(engine.db, 'city.leader');
    const cityStaffId = await userId(engine.db, 'city.staff');

    // Delegate to city.staff: the delegate may only resolve, then the task is back with gusu.
    expect((await gusu.post(`/api/tasks/${d.id}/delegate`).send({ to: cityStaffId, comment: '请协助' })).status).toBe(200);
    expect((await city.post(`/api/tasks/${d.id}/decide`).send({ outcome: 'approve' })).status).toBe(409);
    expect((await city.post(`/api/tasks/${d.id}/resolve`).send({ comment: '已核实' })).status).toBe(200);
    expect(await engine.db('case_tasks').where('id', d.id).first('assignee_id', 'owner_id')).toEqual({ assignee_id: await userId(engine.db, 'gusu.staff'), owner_id: null });

    // Copy to the leader; a transfer target must exist.
    expect((await gusu.post(`/api/tasks/${d.id}/copy`).send({ to: [leaderId] })).status).toBe(200);
    const lead = await engine.as('city.leader');
    expect((await lead.get('/api/inbox/copied')).body.map((x: { id: number }) => x.id)).toContain(c.id);
    expect((await gusu.post(`/api/tasks/${d.id}/transfer`).send({ to: 999999 })).status).toBe(422);

    // Add the leader as signer: gusu's approval alone no longer completes the step.
    expect((await gusu.post(`/api/tasks/${d.id}/add-signer`).send({ to: leaderId })).status).toBe(200);
    const afterGusu = await gusu.post(`/api/tasks/${d.id}/decide`).send({ outcome: 'approve' });
    expect(afterGusu.body.openTasks).toEqual([expect.objectContaining({ nodeId: 'districtReview', assigneeId: leaderId })]);
    const signerTask = (await openTasks(engine.db, c.id))[0];
    expect((await lead.post(`/api/tasks/${signerTask.id}/decide`).send({ outcome: 'approve' })).status).toBe(200);

    // Transfer the city task to the leader; the applicant reminds the holder by SMS.
    const [ct] = await openTaskAt(engine.db, c.id, 'cityReview');
    await city.post(`/api/tasks/${ct.id}/claim`).send({});
    expect((await gusu.post(`/api/tasks/${ct.id}/transfer`).send({ to: leaderId })).status).toBe(403);
    expect((await city.post(`/api/tasks/${ct.id}/transfer`).send({ to: leaderId, comment: '请领导审核' })).status).toBe(200);
    expect((await lead.get('/api/inbox/todo')).body.map((t: { id: number }) => t.id)).toContain(ct.id);
    expect((await ent.post(`/api/tasks/${ct.id}/remind`).send({ comment: '请尽快' })).status).toBe(200);
    const sms = await engine.db('case_history').where({ case_id: c.id, kind: 'sms_sent' }).first('data');
    expect(JSON.parse(sms.data)).toMatchObject({ recipients: [{ userId: leaderId, phone: '13800000003' }], via: 'sms-worker' });
    expect(engine.smsSent.filter((m) => m.text.includes(c.number))).toEqual([expect.objectContaining({ to: '13800000003', text: expect.stringContaining(c.number) })]);
    expect(await historyKinds(engine.db, c.id)).toEqual(expect.arrayContaining(['delegated', 'resolved', 'copied', 'signer_added', 'transferred', 'reminded']));
  });

  it('lets the applicant withdraw (撤回) only while no reviewer has decided', async () => {
    const c = await startCase(ent, 'sample-approval');
    await openTaskAt(engine.db, c.id, 'districtReview');
    expect((await gusu.post(`/api/cases/${c.id}/withdraw`).send({})).status).toBe(403);
    const res = await ent.post(`/api/cases/${c.id}/withdraw`).send({ comment: '材料有误，撤回重报' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'withdrawn', openTasks: [] });
    await waitForStatus(engine.db, c.id, 'withdrawn');
    expect(await openTasks(engine.db, c.id)).toEqual([]);

    const decided = await startCase(ent, 'sample-approval');
    const [d] = await openTaskAt(engine.db, decided.id, 'districtReview');
    await claimAndDecide(gusu, d.id, 'approve');
    expect((await ent.post(`/api/cases/${decided.id}/withdraw`).send({})).status).toBe(409);
  });

  it('filters the inbox by overdue, process, district and text, sorted in SQL', async () => {
    const c = await startCase(ent, 'sample-approval', {}, { title: '逾期测试案件' });
    const [d] = await openTaskAt(engine.db, c.id, 'districtReview');
    await engine
      .db('case_tasks')
      .where('id', d.id)
      .update({ due_at: new Date(Date.now() - 3600_000) });
    const overdue = await gusu.get('/api/inbox/claimable').query({ filter: JSON.stringify({ overdue: true }), sort: JSON.stringify(['due_at', 'ASC']), range: JSON.stringify([0, 9]) });
    expect(overdue.body.map((t: { id: number }) => t.id)).toEqual([d.id]);
    expect(overdue.body[0].overdue).toBe(true);
    expect((await gusu.get('/api/inbox/claimable').query({ filter: JSON.stringify({ q: '逾期测试' }) })).body.map((t: { id: number }) => t.id)).toEqual([d.id]);
    expect((await gusu.get('/api/inbox/claimable').query({ filter: JSON.stringify({ district_code: '320505' }) })).body).toEqual([]);
    expect((await gusu.get('/api/inbox/claimable').query({ filter: JSON.stringify({ nope: 1 }) })).status).toBe(400);
    const diagram = await ent.get(`/api/cases/${c.id}/diagram`);
    expect(diagram.body.overdue).toEqual(['districtReview']);
  });
});
