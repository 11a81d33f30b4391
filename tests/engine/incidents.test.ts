import type TestAgent from 'supertest/lib/agent';
import { modifyCaseUpdate, type CaseModification, type CaseSnapshot } from '../../workflows/case/contract';
import { waitFor } from '../helpers/wait';
import { bpmn, caseRow, decide, flow, historyKinds, openTaskAt, publish, recordHistory, startCase, startEngine, userId, userTask, waitForStatus, type Engine } from './harness';

/**
 * Incidents as an operator resolves them (patch "incident-hold"): the token stays at the element
 * that failed, the case row says where and why, a retry runs the element again, a move stops
 * every branch and continues at another element. The API and the incidents view on top of this
 * are tested in tests/api/incidents.test.ts.
 */
describe('operating a case in incident', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    await publish(
      engine.db,
      bpmn(
        't-incident',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'assignee="=reviewer"'),
          userTask('fallback', 'candidateGroups="city_staff"'),
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'review'),
          flow('f2', 'review', 'fallback'),
          flow('f3', 'fallback', 'end'),
        ].join('\n'),
      ),
    );
  });
  afterAll(() => engine.stop());

  const modify = async (workflowId: string, m: Omit<CaseModification, 'actor'> & { toNodeId?: string }) => {
    const handle = (await engine.temporal.get()).workflow.getHandle(workflowId);
    const actor = { userId: await userId(engine.db, 'admin'), username: 'admin', displayName: '系统管理员', role: 'sysadmin' };
    return handle.executeUpdate(modifyCaseUpdate, { args: [{ ...m, actor } as CaseModification] }) as Promise<CaseSnapshot>;
  };
  const incidentColumns = (caseId: number) => engine.db('cases').where('id', caseId).first('incident_node_id', 'incident_message', 'incident_at');

  it('keeps the token at the failed element; a retry after the cause is fixed runs it again', async () => {
    await engine.db('users').where('username', 'city.staff').update({ active: false });
    const c = await startCase(admin, 't-incident', { reviewer: 'city.staff' });
    await waitForStatus(engine.db, c.id, 'incident');
    const stopped = await incidentColumns(c.id);
    expect(stopped).toMatchObject({ incident_node_id: 'review', incident_message: expect.stringContaining('nobody can hold task review') });
    expect(stopped.incident_at).toBeInstanceOf(Date);
    const live = (await admin.get(`/api/cases/${c.id}`)).body.live as CaseSnapshot;
    expect(live.incidents).toEqual([expect.objectContaining({ nodeId: 'review' })]);
    // The task nobody could hold is closed, not left open in anyone's inbox.
    expect(await engine.db('case_tasks').where({ case_id: c.id, status: 'open' }).count({ n: '*' }).first()).toEqual({ n: 0 });

    // Retrying before the cause is fixed fails the same way, and says so again.
    await modify(c.workflowId, { kind: 'retry', comment: 'too early' });
    await waitFor('the second incident', async () => (await engine.db('case_history').where({ case_id: c.id, kind: 'incident' }).count({ n: '*' }).first())?.n === 2);
    await waitForStatus(engine.db, c.id, 'incident');

    await engine.db('users').where('username', 'city.staff').update({ active: true });
    const after = await modify(c.workflowId, { kind: 'retry', comment: '账号已恢复' });
    expect(after.status).toBe('running');
    expect(after.incidents).toEqual([]);
    expect(await incidentColumns(c.id)).toEqual({ incident_node_id: null, incident_message: null, incident_at: null });
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    expect(review.assignee_id).toBe(await userId(engine.db, 'city.staff'));
    await decide(await engine.as('city.staff'), review.id, 'approve');
    const [fallback] = await openTaskAt(engine.db, c.id, 'fallback');
    const staff = await engine.as('city.staff');
    expect((await staff.post(`/api/tasks/${fallback.id}/claim`)).status).toBe(200);
    await decide(staff, fallback.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
    const kinds = await historyKinds(engine.db, c.id);
    expect(kinds.filter((k) => k === 'incident_retried')).toHaveLength(2);
    await (await engine.temporal.get()).workflow.getHandle(c.workflowId).result();
    await recordHistory(engine, c.workflowId, 't-incident.retried');
  });

  it('moves the case to another element: open branches stop and the target runs', async () => {
    const c = await startCase(admin, 't-incident', { reviewer: 'ghost' });
    await waitForStatus(engine.db, c.id, 'incident');
    await expect(modify(c.workflowId, { kind: 'move', toNodeId: 'start' })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/cannot be moved to start/) } });
    await expect(modify(c.workflowId, { kind: 'move', toNodeId: 'nowhere' })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/no element nowhere/) } });
    const moved = await modify(c.workflowId, { kind: 'move', toNodeId: 'fallback', comment: '跳过初审' });
    expect(moved.status).toBe('running');
    const [fallback] = await openTaskAt(engine.db, c.id, 'fallback');
    expect((await caseRow(engine.db, c.id)).status).toBe('running');
    const staff = await engine.as('city.staff');
    expect((await staff.post(`/api/tasks/${fallback.id}/claim`)).status).toBe(200);

    // A move also works on a healthy case: the open task closes and the case goes back.
    await modify(c.workflowId, { kind: 'move', toNodeId: 'end' });
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await engine.db('case_tasks').where({ id: fallback.id }).first('status')).status).toBe('cancelled');
    const moves = await engine.db('case_history').where({ case_id: c.id, kind: 'token_moved' }).orderBy('seq').select('node_id', 'comment');
    expect(moves).toEqual([
      { node_id: 'fallback', comment: '跳过初审' },
      { node_id: 'end', comment: null },
    ]);
    await (await engine.temporal.get()).workflow.getHandle(c.workflowId).result();
    await recordHistory(engine, c.workflowId, 't-incident.moved');
  });

  it('refuses a retry when nothing stopped', async () => {
    const c = await startCase(admin, 't-incident', { reviewer: 'city.staff' });
    await openTaskAt(engine.db, c.id, 'review');
    await expect(modify(c.workflowId, { kind: 'retry' })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/no incident to retry/) } });
    await modify(c.workflowId, { kind: 'move', toNodeId: 'end' });
    await waitForStatus(engine.db, c.id, 'completed');
  });
});
