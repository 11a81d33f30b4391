import request from 'supertest';
import { bpmn, caseRow, endWithResult, flow, historyKinds, jobWorkerAuth, openTaskAt, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';
import { waitFor } from '../helpers/wait';

/**
 * Event sub-processes at the process level (workflows/case/elements/event-sub-processes.ts): a
 * timer one that does not interrupt runs beside the case on each firing; one that interrupts
 * ends the rest (the open task closes) and the case goes on inside it; an error one takes a BPMN
 * error nothing else caught — here thrown by a job worker — with the worker's variables.
 */
const eventSub = (id: string, start: string, body: string) => `<bpmn:subProcess id="${id}" triggeredByEvent="true">${start}${body}</bpmn:subProcess>`;
const timerStart = (id: string, what: 'timeDuration' | 'timeCycle', value: string, interrupting: boolean) =>
  `<bpmn:startEvent id="${id}" isInterrupting="${interrupting}"><bpmn:timerEventDefinition><bpmn:${what}>${value}</bpmn:${what}></bpmn:timerEventDefinition></bpmn:startEvent>`;
const note = (id: string, text: string) =>
  `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="case-note" /><zeebe:taskHeaders><zeebe:header key="note" value="${text}" /></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>`;

describe('event sub-processes', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
    await publish(
      engine.db,
      bpmn(
        't-evsub-sla',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'assignee="city.staff"'),
          endWithResult('done', 'approved'),
          flow('f1', 'start', 'review'),
          flow('f2', 'review', 'done'),
          eventSub('sla-check', timerStart('tick', 'timeCycle', 'R2/PT1S', false), [note('remind', 'SLA 提醒'), '<bpmn:endEvent id="tick-end" />', flow('t1', 'tick', 'remind'), flow('t2', 'remind', 'tick-end')].join('')),
          eventSub(
            'deadline',
            timerStart('late', 'timeDuration', 'PT4S', true),
            [userTask('escalated', 'assignee="city.leader"'), endWithResult('late-end', 'escalated'), flow('d1', 'late', 'escalated'), flow('d2', 'escalated', 'late-end')].join(''),
          ),
        ].join('\n'),
      ),
    );
    await publish(
      engine.db,
      bpmn(
        't-evsub-error',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:serviceTask id="charge"><bpmn:extensionElements><zeebe:taskDefinition type="evsub-payment" /></bpmn:extensionElements></bpmn:serviceTask>',
          endWithResult('done', 'approved'),
          flow('f1', 'start', 'charge'),
          flow('f2', 'charge', 'done'),
          eventSub(
            'on-failure',
            '<bpmn:startEvent id="failed"><bpmn:errorEventDefinition errorRef="e1" /></bpmn:startEvent>',
            [userTask('handle', 'assignee="city.staff"'), endWithResult('failed-end', 'payment-failed'), flow('e1f', 'failed', 'handle'), flow('e2f', 'handle', 'failed-end')].join(''),
          ),
        ].join('\n'),
        '<bpmn:error id="e1" name="payment" errorCode="PAYMENT_DECLINED" />',
      ),
    );
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('a non-interrupting timer runs its sub-process beside the task on each firing; an interrupting one ends the task and the case goes on inside it', async () => {
    const c = await startCase(await engine.as('admin'), 't-evsub-sla');
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    await waitFor('two reminders', async () => ((await historyKinds(engine.db, c.id)).filter((k) => k === 'service_completed').length >= 2 ? true : undefined));
    expect(await engine.db('case_tasks').where({ id: review.id }).first('status')).toMatchObject({ status: 'open' });
    const [escalated] = await openTaskAt(engine.db, c.id, 'escalated');
    expect(await engine.db('case_tasks').where({ id: review.id }).first('status')).toMatchObject({ status: 'cancelled' });
    expect((await (await engine.as('city.leader')).post(`/api/tasks/${escalated.id}/decide`).send({ outcome: 'approve', comment: '已督办' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await caseRow(engine.db, c.id)).result).toBe('escalated');
    expect((await historyKinds(engine.db, c.id)).filter((k) => k === 'event_subprocess_started').length).toBe(3);
  });

  it('a case that ends first stops the clocks', async () => {
    const c = await startCase(await engine.as('admin'), 't-evsub-sla');
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    expect((await (await engine.as('city.staff')).post(`/api/tasks/${review.id}/decide`).send({ outcome: 'approve', comment: '通过' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
    await new Promise((r) => setTimeout(r, 4500));
    expect(await engine.db('case_tasks').where({ case_id: c.id, node_id: 'escalated' }).first('id')).toBeUndefined();
    expect((await caseRow(engine.db, c.id)).result).toBe('approved');
  });

  it('an error event sub-process takes the BPMN error a job worker threw, with its variables', async () => {
    const c = await startCase(await engine.as('admin'), 't-evsub-error');
    const worker = request(engine.app);
    const job = await waitFor('the payment job', async () => {
      const res = await worker.post('/api/jobs/activate').set('Authorization', jobWorkerAuth()).send({ type: 'evsub-payment', maxJobsToActivate: 32 });
      return (res.body.jobs as Array<{ key: string; caseId: number }>).find((j) => j.caseId === c.id);
    });
    expect(
      (
        await worker
          .post(`/api/jobs/${job.key}/error`)
          .set('Authorization', jobWorkerAuth())
          .send({ errorCode: 'PAYMENT_DECLINED', errorMessage: '卡已过期', variables: { declineReason: 'expired' } })
      ).status,
    ).toBe(204);
    const [handle] = await openTaskAt(engine.db, c.id, 'handle');
    expect(JSON.parse((await caseRow(engine.db, c.id)).variables)).toMatchObject({ declineReason: 'expired' });
    expect((await (await engine.as('city.staff')).post(`/api/tasks/${handle.id}/decide`).send({ outcome: 'approve', comment: '已联系申请人' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await caseRow(engine.db, c.id)).result).toBe('payment-failed');
  });
});
