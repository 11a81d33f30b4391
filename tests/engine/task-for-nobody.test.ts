import type TestAgent from 'supertest/lib/agent';
import { waitFor } from '../helpers/wait';
import { bpmn, flow, openTaskAt, publish, recordHistory, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * A user task whose assignee and candidate users are expressions that name no active user, and
 * that has no candidate group, could never be held: the case stops at once with an incident
 * naming the task (patch "task-for-nobody-incident") instead of waiting for ever. Literal
 * usernames are checked at publishing instead (modeler-compat.test.ts).
 * A task offered only to a role nobody of which works in the case's area (district staff for a
 * case with no district, or one in a district without staff accounts) stops the case the same
 * way (patch "group-without-holder").
 */
describe('a user task nobody can hold', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    await publish(
      engine.db,
      bpmn('t-task-for-nobody', ['<bpmn:startEvent id="start" />', userTask('review', 'assignee="=reviewer" candidateUsers="=deputies"'), '<bpmn:endEvent id="end" />', flow('f1', 'start', 'review'), flow('f2', 'review', 'end')].join('\n')),
    );
    await publish(
      engine.db,
      bpmn(
        't-group-without-holder',
        [
          '<bpmn:extensionElements><zeebe:properties><zeebe:property name="starterRoles" value="enterprise,sysadmin" /></zeebe:properties></bpmn:extensionElements>',
          '<bpmn:startEvent id="start" />',
          userTask('districtReview', 'candidateGroups="district_staff"'),
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'districtReview'),
          flow('f2', 'districtReview', 'end'),
        ].join('\n'),
      ),
    );
  });
  afterAll(() => engine.stop());

  const incidentOf = (caseId: number) => waitFor(`the incident of case ${caseId}`, async () => (await engine.db('case_history').where({ case_id: caseId, kind: 'incident' }).first('comment')) as { comment: string } | undefined);

  it('raises an incident naming the task and the names that resolved to nobody', async () => {
    const c = await startCase(admin, 't-task-for-nobody', { reviewer: 'ghost', deputies: ['nobody.here'] });
    await waitForStatus(engine.db, c.id, 'incident');
    const incident = await incidentOf(c.id);
    expect(incident.comment).toBe('nobody can hold task review: its assignee and candidate users (ghost, nobody.here) name no active user');
    const res = await admin.get(`/api/cases/${c.id}`);
    expect(res.body.live).toMatchObject({ status: 'incident', incident: expect.stringContaining('nobody can hold task review') });

    // An administrator ends it; the run is kept for the replay test.
    expect((await admin.post(`/api/cases/${c.id}/terminate`).send({ comment: 'reviewer misnamed' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'terminated');
    await (await engine.temporal.get()).workflow.getHandle(c.workflowId).result();
    await recordHistory(engine, c.workflowId, 't-task-for-nobody.incident');
  });

  it('opens the task when one of the names is an active user', async () => {
    const c = await startCase(admin, 't-task-for-nobody', { reviewer: 'ghost', deputies: ['city.staff'] });
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    expect((await (await engine.as('city.staff')).post(`/api/tasks/${review.id}/claim`)).status).toBe(200);
    expect((await (await engine.as('city.staff')).post(`/api/tasks/${review.id}/decide`).send({ outcome: 'approve' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
    expect(await engine.db('case_history').where({ case_id: c.id, kind: 'incident' }).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it("raises an incident for a task offered to a role nobody holds in the case's area", async () => {
    // Started by the administrator (of the city bureau), the case belongs to no district: no district staff can see it.
    const c = await startCase(admin, 't-group-without-holder');
    await waitForStatus(engine.db, c.id, 'incident');
    expect((await incidentOf(c.id)).comment).toBe("nobody can hold task districtReview: no active user with the role district_staff works in the case's area");
    // The task that opened is closed, so it waits in nobody's inbox.
    expect(await engine.db('case_tasks').where({ case_id: c.id, status: 'open' }).count({ n: '*' }).first()).toEqual({ n: 0 });
    expect((await admin.post(`/api/cases/${c.id}/terminate`).send({ comment: 'no district' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'terminated');
    await (await engine.temporal.get()).workflow.getHandle(c.workflowId).result();
    await recordHistory(engine, c.workflowId, 't-group-without-holder.incident');
  });

  it("opens the task when the role has someone in the case's district", async () => {
    // 东吴物业 is in 姑苏区, where gusu.staff works.
    const c = await startCase(await engine.as('dongwu.ent'), 't-group-without-holder');
    const [review] = await openTaskAt(engine.db, c.id, 'districtReview');
    const staff = await engine.as('gusu.staff');
    expect((await staff.post(`/api/tasks/${review.id}/claim`)).status).toBe(200);
    expect((await staff.post(`/api/tasks/${review.id}/decide`).send({ outcome: 'approve' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
  });
});
