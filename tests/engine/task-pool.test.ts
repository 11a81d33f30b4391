import type TestAgent from 'supertest/lib/agent';
import { bpmn, decide, flow, openTaskAt, publish, startCase, startEngine, userId, waitForStatus, type Engine } from './harness';

/**
 * The 待分配 pool: a user task drawn without candidates or assignee (Camunda allows it) is
 * offered to nobody; it waits in the administrators' pool until one assigns it (a transfer),
 * then runs as any other task. Only administrators see the pool.
 */
describe('the 待分配 pool', () => {
  let engine: Engine;
  let admin: TestAgent;
  let applicant: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    applicant = await engine.as('dongwu.ent');
    await publish(
      engine.db,
      bpmn(
        't-pool',
        [
          '<bpmn:extensionElements><zeebe:properties><zeebe:property name="starterRoles" value="enterprise" /></zeebe:properties></bpmn:extensionElements>',
          '<bpmn:startEvent id="start" />',
          '<bpmn:userTask id="triage" name="分派核查" />',
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'triage'),
          flow('f2', 'triage', 'end'),
        ].join('\n'),
      ),
    );
  });
  afterAll(() => engine.stop());

  it('holds the task for an administrator to assign, then the assignee decides it', async () => {
    const c = await startCase(applicant, 't-pool');
    const [task] = await openTaskAt(engine.db, c.id, 'triage');
    expect(task.assignee_id).toBeNull();

    const pool = await admin.get('/api/inbox/unassigned');
    expect(pool.status).toBe(200);
    expect(pool.body.map((t: { id: number }) => t.id)).toContain(task.id);
    expect(pool.body.find((t: { id: number }) => t.id === task.id)).toMatchObject({ pooled: true, name: '分派核查', case_number: c.number });

    // Staff neither see the pool nor can claim a task offered to nobody.
    const staff = await engine.as('city.staff');
    const denied = await staff.get('/api/inbox/unassigned');
    expect(denied.status).toBe(403);
    expect((await staff.get('/api/inbox/claimable')).body.map((t: { id: number }) => t.id)).not.toContain(task.id);
    expect((await staff.post(`/api/tasks/${task.id}/claim`)).status).toBeGreaterThanOrEqual(403);

    const staffId = await userId(engine.db, 'city.staff');
    const assigned = await admin.post(`/api/tasks/${task.id}/transfer`).send({ to: staffId, comment: '请王建国核查' });
    expect(assigned.status).toBe(200);
    expect((await admin.get('/api/inbox/unassigned')).body.map((t: { id: number }) => t.id)).not.toContain(task.id);
    expect((await staff.get('/api/inbox/todo')).body.map((t: { id: number }) => t.id)).toContain(task.id);
    await decide(staff, task.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
  });

  it('refuses to assign the task to someone who may not hold it', async () => {
    const c = await startCase(applicant, 't-pool');
    const [task] = await openTaskAt(engine.db, c.id, 'triage');
    // The applicant organisation's own people may not review its case.
    const res = await admin.post(`/api/tasks/${task.id}/transfer`).send({ to: await userId(engine.db, 'dongwu.ent') });
    expect(res.status).toBe(422);
    await admin.post(`/api/cases/${c.id}/terminate`).send({ comment: 'test over' });
  });
});
