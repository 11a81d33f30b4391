import type TestAgent from 'supertest/lib/agent';
import { compileBpmn } from '../../lib/bpmn/compile';
import { bpmn, decide, flow, historyKinds, openTaskAt, openTasks, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * Embedded sub-processes: the sub-process starts at its own start event and completes once every
 * token inside has ended (parallel branches included), then the case leaves by its flows. An end
 * inside ends only its branch, and the case's result stays the process level's.
 */
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
      { elementId: 'loop', message: expect.stringContaining('multi-instance sub-process is not supported') },
      { elementId: 'b', message: expect.stringContaining('terminate end event inside a sub-process') },
    ]);
  });
});
