import type TestAgent from 'supertest/lib/agent';
import { waitFor } from '../helpers/wait';
import { bpmn, caseRow, flow, openTaskAt, publish, recordHistory, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * A boundary timer that cannot run — its FEEL deadline is not a duration, its cycle not a
 * repeating interval — stops the case with an incident naming the timer (patch
 * "boundary-timer-incident"); before, the failure was swallowed and the task waited for ever.
 * A timer cancelled because its task was decided first is still no incident.
 */
const timer = (kind: 'timeDuration' | 'timeCycle', value: string) => `<bpmn:timerEventDefinition><bpmn:${kind}>${value}</bpmn:${kind}></bpmn:timerEventDefinition>`;

describe('a boundary timer that fails', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    await publish(
      engine.db,
      bpmn(
        't-timer-incident',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'assignee="admin"'),
          `<bpmn:boundaryEvent id="deadline" attachedToRef="review">${timer('timeDuration', '=foo')}</bpmn:boundaryEvent>`,
          userTask('leader', 'assignee="admin"'),
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'review'),
          flow('f2', 'review', 'end'),
          flow('f3', 'deadline', 'leader'),
          flow('f4', 'leader', 'end'),
        ].join('\n'),
      ),
    );
    await publish(
      engine.db,
      bpmn(
        't-reminder-incident',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'assignee="admin"'),
          `<bpmn:boundaryEvent id="nag" attachedToRef="review" cancelActivity="false">${timer('timeCycle', '=cadence')}</bpmn:boundaryEvent>`,
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'review'),
          flow('f2', 'review', 'end'),
        ].join('\n'),
      ),
    );
    await publish(
      engine.db,
      bpmn(
        't-timer-cancelled',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'assignee="admin"'),
          `<bpmn:boundaryEvent id="deadline" attachedToRef="review">${timer('timeDuration', '=foo')}</bpmn:boundaryEvent>`,
          `<bpmn:boundaryEvent id="nag" attachedToRef="review" cancelActivity="false">${timer('timeCycle', 'R/PT1H')}</bpmn:boundaryEvent>`,
          userTask('leader', 'assignee="admin"'),
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'review'),
          flow('f2', 'review', 'end'),
          flow('f3', 'deadline', 'leader'),
          flow('f4', 'leader', 'end'),
        ].join('\n'),
      ),
    );
  });
  afterAll(async () => {
    await engine.stop();
  });

  const incidentOf = async (caseId: number) => {
    await waitForStatus(engine.db, caseId, 'incident');
    return waitFor(`the incident of case ${caseId} in the history`, async () => (await engine.db('case_history').where({ case_id: caseId, kind: 'incident' }).first('comment')) as { comment: string } | undefined);
  };

  it('raises an incident naming the timer when a FEEL deadline is not a duration', async () => {
    const c = await startCase(admin, 't-timer-incident', { foo: 'abc' });
    const [review] = await openTaskAt(engine.db, c.id, 'review');

    // MySQL: the case row and its history.
    const incident = await incidentOf(c.id);
    expect(incident.comment).toContain('boundary timer deadline of review');
    expect(incident.comment).toContain('"abc" is not a duration');
    expect((await caseRow(engine.db, c.id)).status).toBe('incident');

    // The API: the case's status and the live state's incident.
    const res = await admin.get(`/api/cases/${c.id}`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('incident');
    expect(res.body.live).toMatchObject({ status: 'incident' });
    expect(res.body.live.incident).toContain('boundary timer deadline of review');
    const history = await admin.get(`/api/cases/${c.id}/history`).query({ filter: JSON.stringify({ kind: 'incident' }) });
    expect(history.body.map((h: { comment: string }) => h.comment)).toEqual([expect.stringContaining('deadline')]);

    // A stopped case takes no decision; an administrator ends it.
    expect((await admin.post(`/api/tasks/${review.id}/decide`).send({ outcome: 'approve' })).status).toBe(409);
    expect((await admin.post(`/api/cases/${c.id}/terminate`).send({ comment: 'timer misconfigured' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'terminated');
    await (await engine.temporal.get()).workflow.getHandle(c.workflowId).result();
    await recordHistory(engine, c.workflowId, 't-timer-incident.bad-deadline');
  });

  it('raises an incident naming a reminder whose cycle is not a repeating interval', async () => {
    const c = await startCase(admin, 't-reminder-incident', { cadence: 'daily' });
    await openTaskAt(engine.db, c.id, 'review');
    const incident = await incidentOf(c.id);
    expect(incident.comment).toContain('boundary timer nag of review');
    expect(incident.comment).toContain('is not an ISO repeating interval');
    expect((await admin.get(`/api/cases/${c.id}`)).body.status).toBe('incident');
  });

  it('raises no incident for timers cancelled because the task was decided first', async () => {
    const c = await startCase(admin, 't-timer-cancelled', { foo: 'PT1H' });
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    expect((await admin.post(`/api/tasks/${review.id}/decide`).send({ outcome: 'approve' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
    expect(await engine.db('case_history').where({ case_id: c.id, kind: 'incident' }).count({ n: '*' }).first()).toEqual({ n: 0 });
    expect((await caseRow(engine.db, c.id)).result).toBe('approved');
  });
});
