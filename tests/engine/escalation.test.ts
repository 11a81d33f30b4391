import type TestAgent from 'supertest/lib/agent';
import { compileBpmn } from '../../lib/bpmn/compile';
import { bpmn, decide, flow, historyKinds, openTaskAt, openTasks, publish, recordHistory, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * Escalation events, as Camunda 8 runs them inside one process: an escalation thrown by an
 * intermediate throw or end event inside an embedded sub-process is caught by the escalation
 * boundary event on the nearest sub-process around it with its code (or none). A
 * non-interrupting boundary starts a path beside the sub-process, which goes on; an interrupting
 * one ends the sub-process (its open tasks close) and leaves by its flows. Nobody catching it is
 * no incident: the thrower goes on.
 */
const ESCALATION = '<bpmn:escalation id="esc_overdue" name="逾期未整改" escalationCode="OVERDUE" />';
const throwEvent = (id: string) => `<bpmn:intermediateThrowEvent id="${id}"><bpmn:escalationEventDefinition escalationRef="esc_overdue" /></bpmn:intermediateThrowEvent>`;
const escalationEnd = (id: string) => `<bpmn:endEvent id="${id}"><bpmn:escalationEventDefinition escalationRef="esc_overdue" /></bpmn:endEvent>`;
const boundary = (id: string, on: string, interrupting: boolean) => `<bpmn:boundaryEvent id="${id}" attachedToRef="${on}" cancelActivity="${interrupting}"><bpmn:escalationEventDefinition escalationRef="esc_overdue" /></bpmn:boundaryEvent>`;

describe('escalation events', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    // 整改 notified to the supervisor while it goes on (non-interrupting).
    await publish(
      engine.db,
      bpmn(
        't-esc-notify',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:subProcess id="work" name="企业整改">',
          '  <bpmn:startEvent id="workStart" />',
          throwEvent('late'),
          userTask('rectify', 'assignee="city.staff"'),
          '  <bpmn:endEvent id="workEnd" />',
          flow('w0', 'workStart', 'late'),
          flow('w1', 'late', 'rectify'),
          flow('w2', 'rectify', 'workEnd'),
          '</bpmn:subProcess>',
          boundary('noticed', 'work', false),
          userTask('supervise', 'assignee="gusu.staff"'),
          '<bpmn:endEvent id="supervised" />',
          '<bpmn:endEvent id="end" />',
          flow('f0', 'start', 'work'),
          flow('f1', 'work', 'end'),
          flow('f2', 'noticed', 'supervise'),
          flow('f3', 'supervise', 'supervised'),
        ].join('\n'),
        ESCALATION,
      ),
    );
    // An overdue rectification ends the sub-process and goes to enforcement (interrupting).
    await publish(
      engine.db,
      bpmn(
        't-esc-enforce',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:subProcess id="work" name="企业整改">',
          '  <bpmn:startEvent id="workStart" />',
          '  <bpmn:parallelGateway id="split" />',
          userTask('rectify', 'assignee="city.staff"', '', { outcomes: 'done,overdue' }),
          userTask('report', 'assignee="gusu.staff"'),
          '  <bpmn:exclusiveGateway id="inTime" default="w4" />',
          escalationEnd('overdueEnd'),
          '  <bpmn:endEvent id="rectified" />',
          '  <bpmn:endEvent id="reported" />',
          flow('w0', 'workStart', 'split'),
          flow('w1', 'split', 'rectify'),
          flow('w2', 'split', 'report'),
          flow('w3', 'rectify', 'inTime'),
          flow('w4', 'inTime', 'rectified'),
          flow('w5', 'inTime', 'overdueEnd', '=outcome = "overdue"'),
          flow('w6', 'report', 'reported'),
          '</bpmn:subProcess>',
          boundary('overdue', 'work', true),
          userTask('enforce', 'assignee="city.staff"'),
          '<bpmn:endEvent id="enforced"><bpmn:extensionElements><zeebe:properties><zeebe:property name="result" value="enforced" /></zeebe:properties></bpmn:extensionElements></bpmn:endEvent>',
          '<bpmn:endEvent id="end" />',
          flow('f0', 'start', 'work'),
          flow('f1', 'work', 'end'),
          flow('f2', 'overdue', 'enforce'),
          flow('f3', 'enforce', 'enforced'),
        ].join('\n'),
        ESCALATION,
      ),
    );
    // Nobody catches it: the case goes on.
    await publish(
      engine.db,
      bpmn(
        't-esc-uncaught',
        ['<bpmn:startEvent id="start" />', throwEvent('late'), userTask('review', 'assignee="city.staff"'), '<bpmn:endEvent id="end" />', flow('f0', 'start', 'late'), flow('f1', 'late', 'review'), flow('f2', 'review', 'end')].join('\n'),
        ESCALATION,
      ),
    );
  });
  afterAll(() => engine.stop());

  const escalations = async (caseId: number) =>
    (await engine.db('case_history').where({ case_id: caseId }).whereIn('kind', ['escalation_thrown', 'escalation_caught']).orderBy('seq').select('kind', 'node_id', 'data')).map((h: { kind: string; node_id: string; data: string }) => ({
      kind: h.kind,
      node: h.node_id,
      data: JSON.parse(h.data) as Record<string, unknown>,
    }));

  it('starts the boundary path beside a sub-process that goes on (non-interrupting)', async () => {
    const c = await startCase(admin, 't-esc-notify');
    const [rectify] = await openTaskAt(engine.db, c.id, 'rectify');
    const [supervise] = await openTaskAt(engine.db, c.id, 'supervise');
    expect(await escalations(c.id)).toEqual([
      { kind: 'escalation_thrown', node: 'late', data: { code: 'OVERDUE', caughtBy: 'noticed' } },
      { kind: 'escalation_caught', node: 'noticed', data: { code: 'OVERDUE', thrownBy: 'late', on: 'work', interrupting: false } },
    ]);
    await decide(await engine.as('gusu.staff'), supervise.id, 'approve');
    await new Promise((r) => setTimeout(r, 300));
    // The sub-process went on: its own task is still open.
    expect((await openTasks(engine.db, c.id)).map((t) => t.node_id)).toEqual(['rectify']);
    await decide(await engine.as('city.staff'), rectify.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
    await (await engine.temporal.get()).workflow.getHandle(c.workflowId).result();
    await recordHistory(engine, c.workflowId, 't-esc-notify.non-interrupting');
  });

  it('ends the sub-process and its open tasks, and leaves by the boundary (interrupting)', async () => {
    const c = await startCase(admin, 't-esc-enforce');
    const [rectify] = await openTaskAt(engine.db, c.id, 'rectify');
    await openTaskAt(engine.db, c.id, 'report');
    await decide(await engine.as('city.staff'), rectify.id, 'overdue');
    const [enforce] = await openTaskAt(engine.db, c.id, 'enforce');
    // The other branch inside ended with the sub-process.
    expect((await openTasks(engine.db, c.id)).map((t) => t.node_id)).toEqual(['enforce']);
    expect(await historyKinds(engine.db, c.id)).toEqual(expect.arrayContaining(['escalation_thrown', 'subprocess_interrupted', 'escalation_caught']));
    await decide(await engine.as('city.staff'), enforce.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await engine.db('cases').where('id', c.id).first('result')).result).toBe('enforced');
    await (await engine.temporal.get()).workflow.getHandle(c.workflowId).result();
    await recordHistory(engine, c.workflowId, 't-esc-enforce.interrupting');
  });

  it('lets the sub-process finish when nothing escalates', async () => {
    const c = await startCase(admin, 't-esc-enforce');
    await decide(await engine.as('city.staff'), (await openTaskAt(engine.db, c.id, 'rectify'))[0].id, 'done');
    await decide(await engine.as('gusu.staff'), (await openTaskAt(engine.db, c.id, 'report'))[0].id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await engine.db('cases').where('id', c.id).first('result')).result).toBe('approved');
    expect(await escalations(c.id)).toEqual([]);
  });

  it('goes on when nobody catches the escalation, with no incident', async () => {
    const c = await startCase(admin, 't-esc-uncaught');
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    expect(await escalations(c.id)).toEqual([{ kind: 'escalation_thrown', node: 'late', data: { code: 'OVERDUE', caughtBy: null } }]);
    await decide(await engine.as('city.staff'), review.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
  });

  it('refuses what it cannot run, naming the element', async () => {
    const result = await compileBpmn(
      bpmn(
        't-esc-bad',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="t-esc-uncaught" /></bpmn:extensionElements></bpmn:callActivity>',
          boundary('fromChild', 'call', true),
          '<bpmn:intermediateThrowEvent id="noCode"><bpmn:escalationEventDefinition /></bpmn:intermediateThrowEvent>',
          '<bpmn:endEvent id="end" />',
          '<bpmn:endEvent id="handled" />',
          flow('f0', 'start', 'call'),
          flow('f1', 'call', 'noCode'),
          flow('f2', 'noCode', 'end'),
          flow('f3', 'fromChild', 'handled'),
        ].join('\n'),
        ESCALATION,
      ),
    );
    expect(result.ok ? [] : result.problems.map((p) => [p.elementId, p.message])).toEqual(
      expect.arrayContaining([
        ['noCode', 'an escalation throw or end event needs a bpmn:escalation with an escalationCode'],
        ['fromChild', expect.stringContaining('an escalation boundary event on a call activity is not supported')],
      ]),
    );
  });
});
