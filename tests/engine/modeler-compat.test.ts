import fs from 'node:fs';
import path from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import { compileBpmn } from '../../lib/bpmn/compile';
import { bpmn, caseRow, flow, openTaskAt, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * What files drawn in Camunda Modeler for Camunda 8 carry besides the executable subset: artifacts
 * and data elements are ignored, undefined and manual tasks and none throw events pass through,
 * an unsupported element is one problem (not a cascade of "not reachable"), usernames that name
 * nobody are refused at publishing, and publishing the same XML again makes no new version.
 */
const FIXTURE = fs.readFileSync(path.resolve(__dirname, '../fixtures/camunda/artifacts-and-pass-through.bpmn'), 'utf8');

const problemsOf = async (xml: string) => {
  const result = await compileBpmn(xml);
  return result.ok ? [] : result.problems;
};

describe('Camunda Modeler files', () => {
  it('ignores artifacts and data elements and compiles pass-through elements to the node that behaves the same', async () => {
    const result = await compileBpmn(FIXTURE);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const kinds = Object.fromEntries(Object.values(result.graph.nodes).map((n) => [n.id, n.kind]));
    expect(kinds).toEqual({
      StartEvent_1: 'start',
      Task_note: 'exclusiveGateway',
      Task_stamp: 'exclusiveGateway',
      Event_ready: 'parallelGateway',
      Task_review: 'userTask',
      Task_file: 'exclusiveGateway',
      Gateway_join: 'parallelGateway',
      EndEvent_done: 'end',
    });
  });

  it('reports an unsupported element once, not what lies behind it', async () => {
    const chain = (middle: string) =>
      bpmn(
        'cascade',
        [
          '<bpmn:startEvent id="start" />',
          middle,
          userTask('a', 'assignee="admin"'),
          userTask('b', 'assignee="admin"'),
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'odd'),
          flow('f2', 'odd', 'a'),
          flow('f3', 'a', 'b'),
          flow('f4', 'b', 'end'),
        ].join('\n'),
      );
    expect(await problemsOf(chain('<bpmn:complexGateway id="odd" />'))).toEqual([{ elementId: 'odd', message: expect.stringMatching(/ComplexGateway is not in the supported/) }]);
    expect(await problemsOf(chain('<bpmn:intermediateThrowEvent id="odd"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>'))).toEqual([
      { elementId: 'odd', message: expect.stringMatching(/CompensateEventDefinition on an intermediate throw event/) },
    ]);
    // A plain task that both merges and forks has no single equivalent.
    const both = bpmn(
      'both-ways',
      [
        '<bpmn:startEvent id="start" />',
        '<bpmn:parallelGateway id="fork" />',
        '<bpmn:task id="odd" />',
        '<bpmn:endEvent id="e1" />',
        '<bpmn:endEvent id="e2" />',
        flow('f1', 'start', 'fork'),
        flow('f2', 'fork', 'odd'),
        flow('f3', 'fork', 'odd'),
        flow('f4', 'odd', 'e1'),
        flow('f5', 'odd', 'e2'),
      ].join('\n'),
    );
    expect(await problemsOf(both)).toEqual([{ elementId: 'odd', message: expect.stringMatching(/several incoming and several outgoing/) }]);
    // A truly unreachable element is still reported.
    const island = chain('<bpmn:task id="odd" />').replace('<bpmn:endEvent id="end" />', `<bpmn:endEvent id="end" />${userTask('island', 'assignee="admin"')}${flow('f9', 'island', 'end')}`);
    expect(await problemsOf(island)).toEqual([{ elementId: 'island', message: 'is not reachable from the start event' }]);
  });

  it('refuses what it would otherwise drop without a word: a countersign outputCollection, a pass-through element’s execution listener', async () => {
    const xml = bpmn(
      'collect',
      [
        '<bpmn:startEvent id="start" />',
        userTask('sign', 'assignee="=signer"', '', {}).replace(
          '</bpmn:userTask>',
          '<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=signers" inputElement="signer" outputCollection="results" outputElement="=outcome" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>',
        ),
        '<bpmn:endEvent id="end" />',
        flow('f1', 'start', 'sign'),
        flow('f2', 'sign', 'end'),
      ].join('\n'),
    );
    expect(await problemsOf(xml)).toEqual([{ elementId: 'sign', message: expect.stringMatching(/outputCollection/) }]);
    // An element's execution listeners run as jobs (tests/api/jobs.test.ts); the process's, and a pass-through's, would not.
    const listeners = '<zeebe:executionListeners><zeebe:executionListener eventType="start" type="case-note" /></zeebe:executionListeners>';
    const listened = bpmn(
      'listened',
      [
        '<bpmn:startEvent id="start" />',
        `<bpmn:manualTask id="check"><bpmn:extensionElements>${listeners}</bpmn:extensionElements></bpmn:manualTask>`,
        '<bpmn:endEvent id="end" />',
        flow('f1', 'start', 'check'),
        flow('f2', 'check', 'end'),
      ].join('\n'),
    );
    expect(await problemsOf(listened)).toEqual([{ elementId: 'check', message: expect.stringMatching(/execution listeners/) }]);
  });

  describe('through the API, on the real engine', () => {
    let engine: Engine;
    let admin: TestAgent;
    beforeAll(async () => {
      engine = await startEngine();
      admin = await engine.as('admin');
    });
    afterAll(() => engine.stop());

    it('runs a case through the pass-through elements to its end', async () => {
      const xml = FIXTURE.replace('candidateGroups="district_staff"', 'assignee="admin"');
      const published = await admin.post('/api/processes').send({ xml, status: 'enabled' });
      expect(published.status).toBe(201);
      const started = await startCase(admin, 'modeler-pass-through');
      const [review] = await openTaskAt(engine.db, started.id, 'Task_review');
      expect((await admin.post(`/api/tasks/${review.id}/decide`).send({ outcome: 'approve' })).status).toBe(200);
      await waitForStatus(engine.db, started.id, 'completed');
      expect((await caseRow(engine.db, started.id)).result).toBe('approved');
      const passed = await engine.db('case_history').where({ case_id: started.id, kind: 'node_passed' }).pluck('node_id');
      expect(passed).toEqual(expect.arrayContaining(['Task_note', 'Task_stamp', 'Event_ready', 'Task_file', 'Gateway_join']));
    });

    it('refuses an assignee or candidate user who is not an active user, naming the task', async () => {
      const one = (assignment: string) => bpmn('nobody-there', ['<bpmn:startEvent id="start" />', userTask('check', assignment), '<bpmn:endEvent id="end" />', flow('f1', 'start', 'check'), flow('f2', 'check', 'end')].join('\n'));
      const ghost = await admin.post('/api/processes').send({ xml: one('assignee="ghost"') });
      expect(ghost.status).toBe(422);
      expect(ghost.body.error.details).toEqual([{ field: 'check', reason: 'assignee "ghost" is not an active user' }]);
      const mixed = await admin.post('/api/processes').send({ xml: one('candidateUsers="admin, ghost"') });
      expect(mixed.body.error.details).toEqual([{ field: 'check', reason: 'candidate user "ghost" is not an active user' }]);
      // An expression is resolved when the task starts, not at publishing.
      expect((await admin.post('/api/processes').send({ xml: one('assignee="=reviewer"') })).status).toBe(201);
    });

    it('makes no new version for the same XML, and makes the existing one current when asked', async () => {
      const xml = (name: string) => bpmn('same-again', ['<bpmn:startEvent id="start" />', userTask(name, 'assignee="admin"'), '<bpmn:endEvent id="end" />', flow('f1', 'start', name), flow('f2', name, 'end')].join('\n'));
      const first = await admin.post('/api/processes').send({ xml: xml('first') });
      expect(first.body).toMatchObject({ version: 1, current: true, unchanged: false });
      const second = await admin.post('/api/processes').send({ xml: xml('second'), makeCurrent: false });
      expect(second.body).toMatchObject({ version: 2, current: false, unchanged: false });
      const again = await admin.post('/api/processes').send({ xml: xml('second') });
      expect(again.body).toMatchObject({ version: 2, current: true, unchanged: true });
      const versions = await admin.get('/api/processes/same-again/versions');
      expect(versions.body.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([
        [2, true],
        [1, false],
      ]);
    });
  });
});
