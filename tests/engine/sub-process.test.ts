import type TestAgent from 'supertest/lib/agent';
import { compileBpmn } from '../../lib/bpmn/compile';
import { waitFor } from '../helpers/wait';
import { bpmn, decide, flow, historyKinds, openTaskAt, openTasks, publish, recordHistory, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * Embedded sub-processes: the sub-process starts at its own start event and completes once every
 * token inside has ended (parallel branches included), then the case leaves by its flows. An end
 * inside ends only its branch, and the case's result stays the process level's. A
 * multi-instance one runs its body once per element, at once or one after another, each run with
 * its own local variables (the element, loopCounter, its input mappings), and collects a result
 * per run; a plain one's input mappings stay inside it and its outputs leave it.
 */
const inspectionLoop = (key: string, sequential: boolean) =>
  bpmn(
    key,
    [
      '<bpmn:startEvent id="start" />',
      '<bpmn:subProcess id="inspect" name="专项检查">',
      // `verdict` declared local by an input mapping, so each run's task writes its own (as in Zeebe).
      '  <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=null" target="verdict" /></zeebe:ioMapping></bpmn:extensionElements>',
      `  <bpmn:multiInstanceLoopCharacteristics isSequential="${sequential}"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=inspectors" inputElement="inspector" outputCollection="verdicts" outputElement="=string(loopCounter) + &quot;:&quot; + inspector + &quot;:&quot; + verdict" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>`,
      '  <bpmn:startEvent id="inspectStart" />',
      userTask('check', 'assignee="=inspector"', '<zeebe:ioMapping><zeebe:output source="=outcome" target="verdict" /></zeebe:ioMapping>', { outcomes: 'pass,rectify' }),
      '  <bpmn:endEvent id="inspectEnd" />',
      flow('i0', 'inspectStart', 'check'),
      flow('i1', 'check', 'inspectEnd'),
      '</bpmn:subProcess>',
      '<bpmn:endEvent id="end" />',
      flow('f0', 'start', 'inspect'),
      flow('f1', 'inspect', 'end'),
    ].join('\n'),
  );

const SUB = [
  '<bpmn:startEvent id="start" />',
  '<bpmn:subProcess id="work" name="企业整改">',
  '  <bpmn:startEvent id="subStart" />',
  '  <bpmn:parallelGateway id="split" />',
  userTask('report', 'candidateGroups="district_staff"'),
  userTask('photos', 'candidateGroups="district_staff"'),
  '  <bpmn:endEvent id="subEndA"><bpmn:extensionElements><zeebe:properties><zeebe:property name="result" value="inner" /></zeebe:properties></bpmn:extensionElements></bpmn:endEvent>',
  '  <bpmn:endEvent id="subEndB" />',
  flow('s0', 'subStart', 'split'),
  flow('s1', 'split', 'report'),
  flow('s2', 'split', 'photos'),
  flow('s3', 'report', 'subEndA'),
  flow('s4', 'photos', 'subEndB'),
  '</bpmn:subProcess>',
  userTask('recheck', 'candidateGroups="district_staff"'),
  '<bpmn:endEvent id="end" />',
  flow('f0', 'start', 'work'),
  flow('f1', 'work', 'recheck'),
  flow('f2', 'recheck', 'end'),
];

describe('embedded sub-processes', () => {
  let engine: Engine;
  let admin: TestAgent;
  let staff: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    staff = await engine.as('gusu.staff');
    await publish(engine.db, bpmn('t-sub', SUB.join('\n')));
  });
  afterAll(() => engine.stop());

  const handle = async (caseId: number, nodeId: string, extra: Record<string, unknown> = {}) => {
    const [task] = await openTaskAt(engine.db, caseId, nodeId);
    expect((await staff.post(`/api/tasks/${task.id}/claim`)).status).toBe(200);
    return decide(staff, task.id, 'approve', extra);
  };

  it('completes once every branch inside has ended, then goes on', async () => {
    const c = await startCase(admin, 't-sub', {}, { districtCode: '320508' });
    await openTaskAt(engine.db, c.id, 'report');
    await openTaskAt(engine.db, c.id, 'photos');
    await handle(c.id, 'report');
    await new Promise((r) => setTimeout(r, 500));
    // One branch ended at its end event; the other is still open, so the sub-process waits.
    expect((await openTasks(engine.db, c.id)).map((t) => t.node_id)).toEqual(['photos']);
    await handle(c.id, 'photos');
    await handle(c.id, 'recheck');
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await engine.db('cases').where('id', c.id).first('result')).result).toBe('approved');
    expect(await historyKinds(engine.db, c.id)).toEqual(expect.arrayContaining(['subprocess_started', 'subprocess_completed']));
  });

  it('refuses a return into the sub-process, and from inside it to the applicant', async () => {
    const c = await startCase(admin, 't-sub', {}, { districtCode: '320508' });
    await handle(c.id, 'report');
    await handle(c.id, 'photos');
    const [recheck] = await openTaskAt(engine.db, c.id, 'recheck');
    expect((await staff.post(`/api/tasks/${recheck.id}/claim`)).status).toBe(200);
    const into = await staff.post(`/api/tasks/${recheck.id}/decide`).send({ outcome: 'return', returnTo: 'report' });
    expect(into.status).toBe(422);
    expect(JSON.stringify(into.body)).toContain('inside a sub-process');
    await admin.post(`/api/cases/${c.id}/terminate`).send({ comment: 'test over' });
  });

  it('refuses what the engine cannot run inside one, naming the element', async () => {
    const result = await compileBpmn(
      bpmn(
        't-sub-bad',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:subProcess id="work"><bpmn:startEvent id="a" /><bpmn:endEvent id="b"><bpmn:terminateEventDefinition /></bpmn:endEvent>' + flow('i0', 'a', 'b') + '</bpmn:subProcess>',
          '<bpmn:subProcess id="loop"><bpmn:multiInstanceLoopCharacteristics /><bpmn:startEvent id="c" /><bpmn:endEvent id="d" />' + flow('i1', 'c', 'd') + '</bpmn:subProcess>',
          '<bpmn:endEvent id="end" />',
          flow('f0', 'start', 'work'),
          flow('f1', 'work', 'loop'),
          flow('f2', 'loop', 'end'),
        ].join('\n'),
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { elementId: 'loop', message: 'a multi-instance sub-process needs zeebe:loopCharacteristics inputCollection' },
      { elementId: 'b', message: expect.stringContaining('terminate end event inside a sub-process') },
    ]);
  });

  describe('multi-instance and with variable mappings', () => {
    beforeAll(async () => {
      await publish(engine.db, inspectionLoop('t-sub-mi', false));
      await publish(engine.db, inspectionLoop('t-sub-mi-seq', true));
      // A run whose inspector fails the project throws a BPMN error: every run ends, the boundary path follows.
      await publish(
        engine.db,
        bpmn(
          't-sub-mi-error',
          [
            '<bpmn:startEvent id="start" />',
            '<bpmn:subProcess id="inspect">',
            '  <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=inspectors" inputElement="inspector" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>',
            '  <bpmn:startEvent id="inspectStart" />',
            userTask('check', 'assignee="=inspector"', '', { outcomes: 'pass,fail' }),
            '  <bpmn:exclusiveGateway id="passed" default="i2" />',
            '  <bpmn:endEvent id="inspectEnd" />',
            '  <bpmn:endEvent id="failedEnd"><bpmn:errorEventDefinition errorRef="err_fail" /></bpmn:endEvent>',
            flow('i0', 'inspectStart', 'check'),
            flow('i1', 'check', 'passed'),
            flow('i2', 'passed', 'inspectEnd'),
            flow('i3', 'passed', 'failedEnd', '=outcome = "fail"'),
            '</bpmn:subProcess>',
            '<bpmn:boundaryEvent id="caught" attachedToRef="inspect"><bpmn:errorEventDefinition errorRef="err_fail" /></bpmn:boundaryEvent>',
            userTask('followUp', 'assignee="city.staff"'),
            '<bpmn:endEvent id="end" />',
            '<bpmn:endEvent id="failed" />',
            flow('f0', 'start', 'inspect'),
            flow('f1', 'inspect', 'end'),
            flow('f2', 'caught', 'followUp'),
            flow('f3', 'followUp', 'failed'),
          ].join('\n'),
          '<bpmn:error id="err_fail" name="检查不合格" errorCode="INSPECTION_FAILED" />',
        ),
      );
      await publish(
        engine.db,
        bpmn(
          't-sub-io',
          [
            '<bpmn:startEvent id="start" />',
            '<bpmn:subProcess id="work">',
            '  <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=applicantName + &quot;（复查）&quot;" target="label" /><zeebe:output source="=label" target="reviewedAs" /></zeebe:ioMapping></bpmn:extensionElements>',
            '  <bpmn:startEvent id="workStart" />',
            userTask('review', 'assignee="city.staff"'),
            '  <bpmn:endEvent id="workEnd" />',
            flow('i0', 'workStart', 'review'),
            flow('i1', 'review', 'workEnd'),
            '</bpmn:subProcess>',
            '<bpmn:endEvent id="end" />',
            flow('f0', 'start', 'work'),
            flow('f1', 'work', 'end'),
          ].join('\n'),
        ),
      );
    });

    /** Decides the open check task assigned to this inspector. */
    const decideAs = async (username: string, caseId: number, outcome: string) => {
      const mine = await waitFor(
        `the open check task of ${username}`,
        async () =>
          (await engine.db('case_tasks as t').join('users as u', 'u.id', 't.assignee_id').where({ 't.case_id': caseId, 't.status': 'open', 't.node_id': 'check', 'u.username': username }).first('t.id')) as { id: number } | undefined,
      );
      return decide(await engine.as(username), mine.id, outcome);
    };
    const variables = async (caseId: number) => JSON.parse((await engine.db('cases').where('id', caseId).first('variables')).variables) as Record<string, unknown>;

    it('runs the body once per element at once, each with its own variables, and collects the results in order', async () => {
      const c = await startCase(admin, 't-sub-mi', { inspectors: ['city.staff', 'gusu.staff'] });
      // Both runs open their task at once, each for its own inspector.
      await openTaskAt(engine.db, c.id, 'check', 2);
      await decideAs('gusu.staff', c.id, 'rectify');
      await decideAs('city.staff', c.id, 'pass');
      await waitForStatus(engine.db, c.id, 'completed');
      const vars = await variables(c.id);
      expect(vars.verdicts).toEqual(['1:city.staff:pass', '2:gusu.staff:rectify']);
      // The runs' locals stayed in them.
      for (const local of ['inspector', 'loopCounter', 'verdict']) expect(vars).not.toHaveProperty(local);
      const started = await engine.db('case_history').where({ case_id: c.id, kind: 'subprocess_started' }).first('data');
      expect(JSON.parse(started.data)).toEqual({ instances: 2 });
      // Kept for the replay test: later engine changes must run this history the same way.
      await (await engine.temporal.get()).workflow.getHandle(c.workflowId).result();
      await recordHistory(engine, c.workflowId, 't-sub-mi.parallel');
    });

    it('runs them one after another when sequential', async () => {
      const c = await startCase(admin, 't-sub-mi-seq', { inspectors: ['gusu.staff', 'city.staff'] });
      await openTaskAt(engine.db, c.id, 'check');
      await new Promise((r) => setTimeout(r, 300));
      expect((await openTasks(engine.db, c.id)).length).toBe(1);
      await decideAs('gusu.staff', c.id, 'pass');
      await decideAs('city.staff', c.id, 'pass');
      await waitForStatus(engine.db, c.id, 'completed');
      expect((await variables(c.id)).verdicts).toEqual(['1:gusu.staff:pass', '2:city.staff:pass']);
    });

    it('ends every run when one throws a BPMN error, and leaves by the error boundary', async () => {
      const c = await startCase(admin, 't-sub-mi-error', { inspectors: ['city.staff', 'gusu.staff'] });
      await openTaskAt(engine.db, c.id, 'check', 2);
      await decideAs('gusu.staff', c.id, 'fail');
      const [followUp] = await openTaskAt(engine.db, c.id, 'followUp');
      // city.staff's run was ended with it: its task is closed, not left open.
      expect((await openTasks(engine.db, c.id)).map((t) => t.node_id)).toEqual(['followUp']);
      expect(await historyKinds(engine.db, c.id)).toEqual(expect.arrayContaining(['subprocess_interrupted']));
      await decide(await engine.as('city.staff'), followUp.id, 'approve');
      await waitForStatus(engine.db, c.id, 'completed');
    });

    it('passes an empty collection at once', async () => {
      const c = await startCase(admin, 't-sub-mi', { inspectors: [] });
      await waitForStatus(engine.db, c.id, 'completed');
      expect((await variables(c.id)).verdicts).toEqual([]);
    });

    it("keeps a plain sub-process's input mappings inside it and lets its outputs out", async () => {
      const c = await startCase(admin, 't-sub-io', { applicantName: '东吴物业' });
      const [review] = await openTaskAt(engine.db, c.id, 'review');
      await decide(await engine.as('city.staff'), review.id, 'approve');
      await waitForStatus(engine.db, c.id, 'completed');
      const vars = await variables(c.id);
      expect(vars.reviewedAs).toBe('东吴物业（复查）');
      expect(vars).not.toHaveProperty('label');
    });
  });
});
