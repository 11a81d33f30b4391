import type TestAgent from 'supertest/lib/agent';
import { bpmn, decide, flow, openTaskAt, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * BPMN errors: an error end event throws its code; the error boundary event on the sub-process
 * or call activity it comes out of catches it (the other branches inside end, their tasks
 * close); a called case's uncaught error is its caller's to catch; an error nobody catches
 * stops the case with an incident naming it.
 */
const ERROR_DEF = '<bpmn:error id="err_fail" name="整改不合格" errorCode="RECTIFY_FAILED" />';
const errorEnd = (id: string) => `<bpmn:endEvent id="${id}"><bpmn:errorEventDefinition errorRef="err_fail" /></bpmn:endEvent>`;
const errorBoundary = (id: string, on: string) => `<bpmn:boundaryEvent id="${id}" attachedToRef="${on}"><bpmn:errorEventDefinition errorRef="err_fail" /></bpmn:boundaryEvent>`;
const STARTERS = '<bpmn:extensionElements><zeebe:properties><zeebe:property name="starterRoles" value="enterprise" /></zeebe:properties></bpmn:extensionElements>';

describe('BPMN errors', () => {
  let engine: Engine;
  let admin: TestAgent;
  let staff: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    staff = await engine.as('gusu.staff');
    await publish(
      engine.db,
      bpmn(
        't-error-sub',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:subProcess id="work">',
          '<bpmn:startEvent id="subStart" /><bpmn:parallelGateway id="split" />',
          userTask('report', 'candidateGroups="district_staff"'),
          '<bpmn:exclusiveGateway id="check" default="ok" />',
          errorEnd('failed'),
          '<bpmn:endEvent id="reportDone" /><bpmn:endEvent id="checked" />',
          flow('s0', 'subStart', 'split'),
          flow('s1', 'split', 'report'),
          flow('s2', 'split', 'check'),
          flow('s3', 'report', 'reportDone'),
          flow('bad', 'check', 'failed', '=bad = true'),
          flow('ok', 'check', 'checked'),
          '</bpmn:subProcess>',
          errorBoundary('onFail', 'work'),
          userTask('fix', 'candidateGroups="district_staff"'),
          '<bpmn:endEvent id="end" /><bpmn:endEvent id="fixed"><bpmn:extensionElements><zeebe:properties><zeebe:property name="result" value="rectification_failed" /></zeebe:properties></bpmn:extensionElements></bpmn:endEvent>',
          flow('f0', 'start', 'work'),
          flow('f1', 'work', 'end'),
          flow('f2', 'onFail', 'fix'),
          flow('f3', 'fix', 'fixed'),
        ].join('\n'),
        ERROR_DEF,
      ),
    );
    await publish(engine.db, bpmn('t-error-child', ['<bpmn:startEvent id="start" />', errorEnd('failed'), flow('f0', 'start', 'failed')].join('\n'), ERROR_DEF));
    await publish(
      engine.db,
      bpmn(
        't-error-caller',
        [
          STARTERS,
          '<bpmn:startEvent id="start" />',
          '<bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="t-error-child" /></bpmn:extensionElements></bpmn:callActivity>',
          errorBoundary('onChildFail', 'call'),
          '<bpmn:endEvent id="end" /><bpmn:endEvent id="childFailed"><bpmn:extensionElements><zeebe:properties><zeebe:property name="result" value="child_failed" /></zeebe:properties></bpmn:extensionElements></bpmn:endEvent>',
          flow('f0', 'start', 'call'),
          flow('f1', 'call', 'end'),
          flow('f2', 'onChildFail', 'childFailed'),
        ].join('\n'),
        ERROR_DEF,
      ),
    );
    await publish(engine.db, bpmn('t-error-uncaught', ['<bpmn:startEvent id="start" />', errorEnd('failed'), flow('f0', 'start', 'failed')].join('\n'), ERROR_DEF));
  });
  afterAll(() => engine.stop());

  const handle = async (caseId: number, nodeId: string) => {
    const [task] = await openTaskAt(engine.db, caseId, nodeId);
    expect((await staff.post(`/api/tasks/${task.id}/claim`)).status).toBe(200);
    await decide(staff, task.id, 'approve');
    return task;
  };
  const result = async (caseId: number) => (await engine.db('cases').where('id', caseId).first('result')).result as string;

  it('catches an error thrown inside a sub-process on its boundary; the branches inside end', async () => {
    const c = await startCase(admin, 't-error-sub', { bad: true }, { districtCode: '320508' });
    await handle(c.id, 'fix');
    await waitForStatus(engine.db, c.id, 'completed');
    expect(await result(c.id)).toBe('rectification_failed');
    // The report task opened beside the failing check and was closed by the error.
    expect(await engine.db('case_tasks').where({ case_id: c.id, node_id: 'report' }).pluck('status')).toEqual(['cancelled']);
    const caught = await engine.db('case_history').where({ case_id: c.id, kind: 'error_caught' }).first('node_id', 'data');
    expect(caught.node_id).toBe('onFail');
  });

  it('runs the sub-process to its end when nothing is thrown', async () => {
    const c = await startCase(admin, 't-error-sub', { bad: false }, { districtCode: '320508' });
    await handle(c.id, 'report');
    await waitForStatus(engine.db, c.id, 'completed');
    expect(await result(c.id)).toBe('approved');
  });

  it("catches a called case's uncaught error on the call activity", async () => {
    const c = await startCase(await engine.as('dongwu.ent'), 't-error-caller');
    await waitForStatus(engine.db, c.id, 'completed');
    expect(await result(c.id)).toBe('child_failed');
    const child = await engine.db('cases').where('parent_case_id', c.id).first('status', 'result');
    expect(child).toEqual({ status: 'completed', result: 'error' });
  });

  it('stops with an incident when nobody catches the error', async () => {
    const c = await startCase(admin, 't-error-uncaught');
    await waitForStatus(engine.db, c.id, 'incident');
    const row = await engine.db('cases').where('id', c.id).first('incident_node_id', 'incident_message');
    expect(row).toEqual({ incident_node_id: 'failed', incident_message: 'the BPMN error RECTIFY_FAILED thrown by failed was caught by no error boundary event' });
    await admin.post(`/api/cases/${c.id}/terminate`).send({ comment: 'test over' });
  });
});
