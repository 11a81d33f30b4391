import request from 'supertest';
import { bpmn, caseRow, endWithResult, flow, historyKinds, jobWorkerAuth, openTaskAt, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';
import { waitFor } from '../helpers/wait';

/**
 * Timer boundary events on activities other than user tasks (workflows/case/elements/
 * activity-timers.ts): an interrupting timer on an external job cancels the job and leaves by the
 * timer; one on a sub-process closes the tasks inside and the case goes on; a non-interrupting
 * one starts a path beside the activity, which goes on.
 */
const timer = (id: string, on: string, duration: string, interrupting = true) =>
  `<bpmn:boundaryEvent id="${id}" attachedToRef="${on}"${interrupting ? '' : ' cancelActivity="false"'}><bpmn:timerEventDefinition><bpmn:timeDuration>${duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>`;

describe('timer boundaries on jobs and sub-processes', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
    await publish(
      engine.db,
      bpmn(
        't-job-timeout',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:serviceTask id="lookup"><bpmn:extensionElements><zeebe:taskDefinition type="slow-registry" /></bpmn:extensionElements></bpmn:serviceTask>',
          timer('too-slow', 'lookup', 'PT1S'),
          endWithResult('done', 'approved'),
          endWithResult('timed-out', 'timed-out'),
          flow('f1', 'start', 'lookup'),
          flow('f2', 'lookup', 'done'),
          flow('f3', 'too-slow', 'timed-out'),
        ].join('\n'),
      ),
    );
    await publish(
      engine.db,
      bpmn(
        't-sub-timeout',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:subProcess id="rectify"><bpmn:startEvent id="s-start" />',
          userTask('fix', 'assignee="city.staff"'),
          '<bpmn:endEvent id="s-end" />',
          flow('s1', 's-start', 'fix'),
          flow('s2', 'fix', 's-end'),
          '</bpmn:subProcess>',
          timer('deadline', 'rectify', 'PT2S'),
          timer('nudge', 'rectify', 'PT1S', false),
          userTask('escalated', 'assignee="city.leader"'),
          '<bpmn:serviceTask id="note"><bpmn:extensionElements><zeebe:taskDefinition type="case-note" /><zeebe:taskHeaders><zeebe:header key="note" value="催办" /></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>',
          '<bpmn:endEvent id="nudged" />',
          endWithResult('done', 'approved'),
          endWithResult('late', 'escalated'),
          flow('f1', 'start', 'rectify'),
          flow('f2', 'rectify', 'done'),
          flow('f3', 'deadline', 'escalated'),
          flow('f4', 'escalated', 'late'),
          flow('f5', 'nudge', 'note'),
          flow('f6', 'note', 'nudged'),
        ].join('\n'),
      ),
    );
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('an interrupting timer on an external job cancels the job and leaves by the timer', async () => {
    const c = await startCase(await engine.as('admin'), 't-job-timeout');
    const job = await waitFor('the open job', async () => (await engine.db('case_jobs').where({ case_id: c.id }).first('id', 'status')) as { id: number; status: string } | undefined);
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await caseRow(engine.db, c.id)).result).toBe('timed-out');
    expect(await engine.db('case_jobs').where({ id: job.id }).first('status')).toMatchObject({ status: 'cancelled' });
    expect(await historyKinds(engine.db, c.id)).toContain('boundary_timer_fired');
    // A worker that comes late finds nothing to do.
    const late = await request(engine.app).post('/api/jobs/activate').set('Authorization', jobWorkerAuth()).send({ type: 'slow-registry', maxJobsToActivate: 32 });
    expect((late.body.jobs as Array<{ caseId: number }>).some((j) => j.caseId === c.id)).toBe(false);
  });

  it('a timer on a sub-process: the non-interrupting one starts a path beside it, the interrupting one closes its task and the case goes on', async () => {
    const c = await startCase(await engine.as('admin'), 't-sub-timeout');
    const [fix] = await openTaskAt(engine.db, c.id, 'fix');
    const [escalated] = await openTaskAt(engine.db, c.id, 'escalated');
    expect(await engine.db('case_tasks').where({ id: fix.id }).first('status')).toMatchObject({ status: 'cancelled' });
    const kinds = await historyKinds(engine.db, c.id);
    expect(kinds.filter((k) => k === 'boundary_timer_fired').length).toBeGreaterThanOrEqual(2);
    expect(kinds).toContain('service_completed'); // the nudge path ran its note
    const leader = await engine.as('city.leader');
    expect((await leader.post(`/api/tasks/${escalated.id}/decide`).send({ outcome: 'approve', comment: '已督办' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await caseRow(engine.db, c.id)).result).toBe('escalated');
  });

  it('a sub-process that ends before its timers leaves by its own flow', async () => {
    const c = await startCase(await engine.as('admin'), 't-sub-timeout');
    const [fix] = await openTaskAt(engine.db, c.id, 'fix');
    const staff = await engine.as('city.staff');
    expect((await staff.post(`/api/tasks/${fix.id}/decide`).send({ outcome: 'approve', comment: '已整改' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await caseRow(engine.db, c.id)).result).toBe('approved');
    await new Promise((r) => setTimeout(r, 2500));
    // The timers ended with it: nothing fired after.
    expect(await engine.db('case_tasks').where({ case_id: c.id, node_id: 'escalated' }).first('id')).toBeUndefined();
  });
});
