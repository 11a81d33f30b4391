import type TestAgent from 'supertest/lib/agent';
import { modifyCaseUpdate, type CaseModification } from '../../workflows/case/contract';
import { waitFor } from '../helpers/wait';
import { bpmn, caseRow, decide, flow, openTaskAt, publish, startCase, startEngine, userId, userTask, waitForStatus, type Engine } from './harness';

/**
 * Call activities: each child is a case of its own (a row linked to the parent and a Temporal
 * child workflow), started under the parent's applicant and area; variables go in and come back
 * as Zeebe passes them; a multi-instance call runs one child per element, in parallel or in
 * sequence, and collects outputElement into outputCollection. A missing called process stops
 * the parent with an incident a retry resolves once it is published; ending the parent ends its children.
 */
const STARTERS = '<bpmn:extensionElements><zeebe:properties><zeebe:property name="starterRoles" value="enterprise" /></zeebe:properties></bpmn:extensionElements>';
const call = (id: string, processId: string, loop = '', io = '') =>
  `<bpmn:callActivity id="${id}" name="${id}"><bpmn:extensionElements><zeebe:calledElement processId="${processId}" propagateAllChildVariables="true" />${io}</bpmn:extensionElements>${loop}</bpmn:callActivity>`;
const loop = (sequential: boolean) =>
  `<bpmn:multiInstanceLoopCharacteristics${sequential ? ' isSequential="true"' : ''}><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=projects" inputElement="project" outputCollection="scores" outputElement="=score" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>`;
const setVars = (id: string, headers: Record<string, string>) =>
  `<bpmn:serviceTask id="${id}" name="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="set-variables" /><zeebe:taskHeaders>${Object.entries(headers)
    .map(([k, v]) => `<zeebe:header key="${k}" value="${v}" />`)
    .join('')}</zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>`;
const linear = (key: string, middle: string[], extra: string[] = []) =>
  bpmn(
    key,
    [STARTERS, '<bpmn:startEvent id="start" />', ...middle, '<bpmn:endEvent id="end" />', ...extra, ...middle.map((_, i) => flow(`f${i}`, i === 0 ? 'start' : `n${i - 1}`, `n${i}`)), flow('fend', `n${middle.length - 1}`, 'end')].join('\n'),
  );

describe('call activities', () => {
  let engine: Engine;
  let applicant: TestAgent;
  let staff: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    applicant = await engine.as('dongwu.ent');
    staff = await engine.as('city.staff');
    // The child: a review, then a score computed from what it was given.
    await publish(engine.db, linear('t-child', [userTask('n0', 'candidateGroups="city_staff"'), setVars('n1', { score: '=if project = null then 60 else string length(project) * 10' })]));
    await publish(engine.db, linear('t-parent', [call('n0', 't-child'), userTask('n1', 'candidateGroups="city_staff"')]));
    await publish(engine.db, linear('t-parent-mi', [call('n0', 't-child', loop(false))]));
    await publish(engine.db, linear('t-parent-seq', [call('n0', 't-child', loop(true))]));
    await publish(engine.db, linear('t-parent-missing', [call('n0', 't-published-later')]));
  });
  afterAll(() => engine.stop());

  const childrenOf = (caseId: number, count: number) =>
    waitFor(`${count} children of case ${caseId}`, async () => {
      const rows = (await engine.db('cases').where('parent_case_id', caseId).orderBy('parent_key').select('id', 'number', 'process_key', 'started_by', 'district_code', 'variables')) as Array<{
        id: number;
        number: string;
        process_key: string;
        started_by: number;
        district_code: string | null;
        variables: string;
      }>;
      return rows.length >= count ? rows : null;
    });
  const review = async (caseId: number, nodeId = 'n0') => {
    const [task] = await openTaskAt(engine.db, caseId, nodeId);
    expect((await staff.post(`/api/tasks/${task.id}/claim`)).status).toBe(200);
    await decide(staff, task.id, 'approve');
  };

  it('runs the child as a linked case and brings its variables back', async () => {
    const parent = await startCase(applicant, 't-parent', { project: 'abc' });
    const [child] = await childrenOf(parent.id, 1);
    const parentRow = await engine.db('cases').where('id', parent.id).first('started_by', 'district_code');
    expect(child).toMatchObject({ process_key: 't-child', started_by: parentRow.started_by, district_code: parentRow.district_code });
    expect(JSON.parse(child.variables)).toMatchObject({ project: 'abc' });
    await review(child.id);
    await waitForStatus(engine.db, child.id, 'completed');
    await openTaskAt(engine.db, parent.id, 'n1');
    expect(JSON.parse((await caseRow(engine.db, parent.id)).variables)).toMatchObject({ score: 30, outcome: 'approve' });

    // Each case's page links the other; the history says which child ran.
    const parentPage = (await applicant.get(`/api/cases/${parent.id}`)).body;
    expect(parentPage.linked.children).toEqual([expect.objectContaining({ id: child.id, number: child.number, status: 'completed' })]);
    expect((await applicant.get(`/api/cases/${child.id}`)).body.linked.parent).toMatchObject({ id: parent.id, number: parent.number });
    const kinds = await engine.db('case_history').where('case_id', parent.id).orderBy('seq').pluck('kind');
    expect(kinds).toEqual(expect.arrayContaining(['child_case_started', 'child_case_ended', 'call_completed']));
    await review(parent.id, 'n1');
    await waitForStatus(engine.db, parent.id, 'completed');
  });

  it.each([
    ['t-parent-mi', 'in parallel'],
    ['t-parent-seq', 'one after another'],
  ])('%s runs one child per element %s and collects outputElement', async (key, how) => {
    const parent = await startCase(applicant, key, { projects: ['a', 'bb', 'ccc'] });
    if (how === 'one after another') {
      // Only the first child exists until it ends.
      const [first] = await childrenOf(parent.id, 1);
      expect(JSON.parse(first.variables)).toMatchObject({ project: 'a' });
      await new Promise((r) => setTimeout(r, 500));
      expect(await engine.db('cases').where('parent_case_id', parent.id).count({ n: '*' }).first()).toEqual({ n: 1 });
      for (let i = 1; i <= 3; i++) await review((await childrenOf(parent.id, i))[i - 1].id);
    } else {
      const children = await childrenOf(parent.id, 3);
      expect(children.map((c) => JSON.parse(c.variables).project)).toEqual(['a', 'bb', 'ccc']);
      // Decided out of order: the collection still follows the input order.
      for (const c of [...children].reverse()) await review(c.id);
    }
    await waitForStatus(engine.db, parent.id, 'completed');
    expect(JSON.parse((await caseRow(engine.db, parent.id)).variables)).toMatchObject({ scores: [10, 20, 30] });
  });

  it('stops with an incident when the called process is missing; a retry after publishing it goes on', async () => {
    const parent = await startCase(applicant, 't-parent-missing');
    await waitForStatus(engine.db, parent.id, 'incident');
    const stopped = await engine.db('cases').where('id', parent.id).first('incident_node_id', 'incident_message');
    expect(stopped).toEqual({ incident_node_id: 'n0', incident_message: expect.stringContaining('t-published-later has no published version') });

    await publish(engine.db, linear('t-published-later', [userTask('n0', 'candidateGroups="city_staff"')]));
    const handle = (await engine.temporal.get()).workflow.getHandle(parent.workflowId);
    const actor = { userId: await userId(engine.db, 'admin'), username: 'admin', displayName: '系统管理员', role: 'sysadmin' };
    await handle.executeUpdate(modifyCaseUpdate, { args: [{ kind: 'retry', actor } as CaseModification] });
    const [child] = await childrenOf(parent.id, 1);
    await review(child.id);
    await waitForStatus(engine.db, parent.id, 'completed');
  });

  it('ends the children when the parent is ended', async () => {
    const parent = await startCase(applicant, 't-parent-mi', { projects: ['x', 'y'] });
    const children = await childrenOf(parent.id, 2);
    await openTaskAt(engine.db, children[1].id, 'n0');
    const admin = await engine.as('admin');
    expect((await admin.post(`/api/cases/${parent.id}/terminate`).send({ comment: '检查取消' })).status).toBe(200);
    for (const c of children) await waitForStatus(engine.db, c.id, 'terminated');
    expect(
      await engine
        .db('case_tasks')
        .whereIn(
          'case_id',
          children.map((c) => c.id),
        )
        .where('status', 'open')
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 0 });
  });
});
